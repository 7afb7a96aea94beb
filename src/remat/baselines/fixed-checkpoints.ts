/**
 * The S template every fixed-checkpoint baseline shares (Checkmate artifact's
 * `gen_s_matrix_fixed_checkpoints`, research note §5.1; the artifact version, not master's). Given the
 * checkpoint set C, forward segments run between consecutive checkpoints; each segment is recomputed once
 * at the start of its backward pass and then held, gradients are never recomputed.
 */
import { solveR } from "../solve-r.js";
import { forwardCount, gradientOf } from "../training-graph-layout.js";
import type { RematSchedule, TrainingGraph } from "../types.js";

/**
 * The part of S every checkpoint-based baseline (this template, Griewank's) starts from, with a setter that
 * ignores entries outside the strict lower triangle.
 */
export function impliedS(g: TrainingGraph): { S: Uint8Array; set: (t: number, i: number) => void } {
  const n = g.nodes.length;
  const L = forwardCount(g);
  const S = new Uint8Array(n * n);
  const set = (t: number, i: number): void => {
    if (t >= 0 && t < n && i >= 0 && i < t) S[t * n + i] = 1;
  };
  // 1. Implied backward: outputs of the loss and of gradients stay live until their last reader.
  for (let b = L; b < n; b++) {
    for (const a of g.deps[b] ?? []) if (a >= L) for (let t = a + 1; t <= b; t++) set(t, a);
  }
  // 2. Every node's inputs are kept into its own stage.
  for (let v = 0; v < n; v++) for (const u of g.deps[v] ?? []) set(v, u);
  return { S, set };
}

export function fixedCheckpointS(g: TrainingGraph, checkpoints: Iterable<number>): Uint8Array {
  const n = g.nodes.length;
  const L = forwardCount(g);
  const { S, set } = impliedS(g);
  const C = [...new Set(checkpoints)].sort((a, b) => a - b);
  // 3. Checkpoint stripes.
  for (const c of C) for (let t = c + 1; t < n; t++) set(t, c);
  const starts = [0, ...C];
  const ends = [...C, L + 1];
  for (let s = 0; s < starts.length; s++) {
    const start = starts[s] as number;
    const end = ends[s] as number;
    // 4. Ladders: the segment is recomputed at the start of its mirrored backward stages and held.
    for (let x = start; x < end; x++) {
      const t = n - 1 - x;
      for (let i = start; i < Math.min(t, end); i++) set(t, i);
    }
    // 5. Forward block.
    for (let t = start; t <= end && t < n; t++) for (let i = start; i < Math.min(t, end); i++) set(t, i);
    // 6. Backward block: the segment's gradients are kept through its backward stages.
    for (let t = start; t <= end && t < n; t++) {
      const backT = n - 1 - t;
      for (let i = start; i < end && i < L; i++) {
        const backI = gradientOf(g, i);
        if (backI < backT) set(backT, backI);
      }
    }
  }
  return S;
}

export function fixedCheckpointSchedule(g: TrainingGraph, checkpoints: Iterable<number>): RematSchedule {
  const S = fixedCheckpointS(g, checkpoints);
  return { R: solveR(g, S), S };
}
