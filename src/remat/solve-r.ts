/**
 * The cheapest R for a fixed S (Checkmate's `solve_r_opt`, research note §3.2): compute each node in its
 * own stage, compute in stage t whatever becomes a checkpoint at t+1, then close dependencies backwards so
 * every computed node finds its inputs computed in the same stage or kept. Does not look at memory.
 */
import type { TrainingGraph } from "./types.js";

export function solveR(g: TrainingGraph, S: Uint8Array): Uint8Array {
  const n = g.nodes.length;
  const R = new Uint8Array(n * n);
  for (let t = 0; t < n; t++) R[t * n + t] = 1;
  for (let t = 0; t + 1 < n; t++) {
    for (let i = 0; i < n; i++) {
      if (S[(t + 1) * n + i] === 1 && S[t * n + i] === 0) R[t * n + i] = 1;
    }
  }
  for (let t = 0; t < n; t++) {
    const row = t * n;
    for (let v = t; v >= 0; v--) {
      if (R[row + v] !== 1) continue;
      for (const u of g.deps[v] ?? []) {
        if (R[row + u] === 0 && S[row + u] === 0) R[row + u] = 1;
      }
    }
  }
  return R;
}

/** Σ R·C. */
export function scheduleCost(g: TrainingGraph, R: Uint8Array): number {
  const n = g.nodes.length;
  let cost = 0;
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < n; i++) if (R[t * n + i] === 1) cost += g.nodes[i]?.cost ?? 0;
  }
  return cost;
}
