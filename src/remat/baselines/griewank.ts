/**
 * Griewank & Walther's binomial checkpointing (Revolve) on the chain of articulation points — Checkmate's
 * "Griewank log n" (linear graphs) / "AP log n" baseline (research note §5.2). Checkmate reads precomputed
 * pyrevolve tables; here the optimal reversal with s snapshots and unit step costs comes from the classic
 * recurrence p(l, s) = min_m [m + p(l-m, s-1) + p(m, s)], p(1, s) = 0, p(l, 0) = l(l-1)/2.
 *
 * Positions q = 0..N are the states between the N AP segments (q ≥ 1 = output of AP q-1, q = 0 the model
 * input). Reversing segment q needs state q held; the snapshots held then become S in the segment's
 * backward stages, the snapshots taken on the first descent S in the forward stages, plus every node's
 * inputs into its own stage and the gradients' implied live ranges; R is the cheapest for that S.
 */
import { articulationPoints } from "../articulation-points.js";
import { solveR } from "../solve-r.js";
import { forwardCount, gradientOf } from "../training-graph-layout.js";
import type { RematSchedule, TrainingGraph } from "../types.js";
import { impliedS } from "./fixed-checkpoints.js";

/** costTable[l][s] = fewest forward steps to reverse l steps with s free snapshots (the start is held). */
export function revolveCosts(steps: number, snapshots: number): number[][] {
  const p: number[][] = Array.from({ length: steps + 1 }, (_, l) =>
    Array.from({ length: snapshots + 1 }, () => (l * (l - 1)) / 2),
  );
  for (let l = 2; l <= steps; l++) {
    for (let s = 1; s <= snapshots; s++) {
      let best = p[l]?.[s - 1] as number;
      for (let m = 1; m < l; m++) best = Math.min(best, m + (p[l - m]?.[s - 1] as number) + (p[m]?.[s] as number));
      (p[l] as number[])[s] = best;
    }
  }
  return p;
}

/**
 * For each segment q (0..N-1), the snapshot positions held while it is reversed (all ≤ q; the largest is
 * where the recomputation of q starts), and those held at the end of the first descent.
 */
export function revolveHoldings(N: number, snapshots: number): { reversing: number[][]; descent: number[] } {
  const p = revolveCosts(N, snapshots);
  const reversing: number[][] = new Array(N);
  const held: number[] = [0];
  let descent: number[] | undefined;
  const reverse = (lo: number, hi: number, s: number): void => {
    const l = hi - lo;
    if (l === 1) {
      descent ??= [...held];
      reversing[lo] = [...held];
      return;
    }
    // The split that attains p(l, s); ties to the largest advance (fewer snapshots live for longer).
    let split = 0;
    if (s > 0) {
      for (let m = l - 1; m >= 1; m--) {
        if (m + (p[l - m]?.[s - 1] as number) + (p[m]?.[s] as number) === p[l]?.[s]) {
          split = m;
          break;
        }
      }
    }
    if (split === 0 && s > 0) {
      reverse(lo, hi, s - 1);
      return;
    }
    if (split === 0) {
      // No snapshot left: reverse right to left, each time advancing from the held start.
      for (let q = hi - 1; q >= lo; q--) reverse(q, q + 1, 0);
      return;
    }
    held.push(lo + split);
    reverse(lo + split, hi, s - 1);
    held.pop();
    reverse(lo, lo + split, s);
  };
  reverse(0, N, snapshots);
  return { reversing, descent: descent ?? [0] };
}

/** The Revolve schedule with `snapshots` free snapshots on the articulation-point chain. */
export function griewank(g: TrainingGraph, snapshots: number): RematSchedule {
  const L = forwardCount(g);
  const aps = articulationPoints(g);
  const N = aps.length;
  const { S, set } = impliedS(g);
  const { reversing, descent } = revolveHoldings(N, Math.min(snapshots, Math.max(0, N - 1)));
  const stateNode = (q: number): number | undefined => (q >= 1 ? aps[q - 1] : undefined);
  // Forward stages: the first descent's snapshots, from when they are computed to the loss.
  for (const q of descent) {
    const node = stateNode(q);
    if (node !== undefined) for (let t = node + 1; t <= L; t++) set(t, node);
  }
  // Backward stages of segment q = gradients of forward nodes (aps[q-1], aps[q]].
  for (let q = 0; q < N; q++) {
    const from = q === 0 ? 0 : (aps[q - 1] as number) + 1;
    const to = q === N - 1 ? L - 1 : (aps[q] as number);
    for (let i = from; i <= to; i++) {
      const t = gradientOf(g, i);
      for (const h of reversing[q] ?? []) {
        const node = stateNode(h);
        if (node !== undefined) set(t, node);
      }
    }
  }
  return { R: solveR(g, S), S };
}
