/**
 * Baselines defined by a checkpoint set (research note §5.2): checkpoint all forward nodes (no
 * recomputation), checkpoint the articulation points, Chen et al.'s √n (every ⌊√k⌋-th candidate), and
 * "checkpoint last node" (keep only each stage's predecessor; the most recomputation, least memory).
 */
import { allForwardNodes, articulationPoints } from "../articulation-points.js";
import { cpythonSetOrder } from "../cpython-set-order.js";
import { solveR } from "../solve-r.js";
import type { RematSchedule, TrainingGraph } from "../types.js";
import { fixedCheckpointSchedule } from "./fixed-checkpoints.js";

export function checkpointAll(g: TrainingGraph): RematSchedule {
  return fixedCheckpointSchedule(g, allForwardNodes(g));
}

export function checkpointArticulationPoints(g: TrainingGraph): RematSchedule {
  return fixedCheckpointSchedule(g, articulationPoints(g));
}

/** Every ⌊√k⌋-th of the k candidates (1-based positions k', 2k', …), Checkmate's `solve_chen_sqrtn`. */
export function chenSqrtCheckpoints(candidates: readonly number[]): number[] {
  const k = Math.floor(Math.sqrt(candidates.length));
  if (k === 0) return [];
  return candidates.filter((_, j) => (j + 1) % k === 0);
}

/**
 * How candidates are ordered where the order changes the result: `topological` (ascending ids, the
 * definition) or `checkmate-artifact` (the iteration orders of Checkmate's Python code, which produced the
 * published baseline numbers; see cpython-set-order.ts).
 */
export type CandidateOrder = "topological" | "checkmate-artifact";

export function chenSqrt(
  g: TrainingGraph,
  onlyArticulationPoints: boolean,
  order: CandidateOrder = "topological",
): RematSchedule {
  const aps = onlyArticulationPoints ? articulationPoints(g) : allForwardNodes(g);
  const candidates = order === "checkmate-artifact" ? cpythonSetOrder(aps) : aps;
  return fixedCheckpointSchedule(g, chenSqrtCheckpoints(candidates));
}

/** S[t, t-1] = 1 only; R closes the dependencies (Checkmate's CHECKPOINT_LAST_NODE). */
export function checkpointLastNode(g: TrainingGraph): RematSchedule {
  const n = g.nodes.length;
  const S = new Uint8Array(n * n);
  for (let t = 1; t < n; t++) S[t * n + t - 1] = 1;
  return { R: solveR(g, S), S };
}
