/**
 * Chen et al.'s greedy checkpointing as Checkmate runs it (research note §5.2): walk the forward nodes in
 * topological order accumulating output bytes; at a candidate whose running sum exceeds the segment size b,
 * checkpoint it and restart the sum. b is swept over a₀·(1 + x), x ∈ [-1, 2) in `step`s, a₀ = activation
 * memory of the √n baseline; each b gives one schedule, evaluated by the memory simulation.
 */
import { allForwardNodes, articulationPoints } from "../articulation-points.js";
import { checkmateArtifactForwardOrder } from "../cpython-set-order.js";
import { evaluateSchedule } from "../evaluate-schedule.js";
import { forwardCount } from "../training-graph-layout.js";
import type { RematSchedule, ScheduleStats, TrainingGraph } from "../types.js";
import { fixedCheckpointSchedule } from "./fixed-checkpoints.js";
import { type CandidateOrder, chenSqrt } from "./simple.js";

/** The order the greedy walk visits forward nodes in. */
export function greedyWalkOrder(g: TrainingGraph, order: CandidateOrder): number[] {
  if (order === "topological") return allForwardNodes(g);
  const L = forwardCount(g);
  return checkmateArtifactForwardOrder(g.deps.slice(0, L).map((d) => d.filter((u) => u < L)));
}

export function chenGreedyCheckpoints(
  g: TrainingGraph,
  candidates: readonly number[],
  segmentBytes: number,
  walk: readonly number[] = allForwardNodes(g),
): number[] {
  const isCandidate = new Set(candidates);
  const out: number[] = [];
  let running = 0;
  for (const v of walk) {
    running += g.nodes[v]?.memBytes ?? 0;
    if (isCandidate.has(v) && running > segmentBytes) {
      out.push(v);
      running = 0;
    }
  }
  return out;
}

export interface EvaluatedSchedule {
  readonly schedule: RematSchedule;
  readonly stats: ScheduleStats;
}

/** Every schedule of the sweep (duplicate checkpoint sets evaluated once), in sweep order. */
export function chenGreedySweep(
  g: TrainingGraph,
  onlyArticulationPoints: boolean,
  step = 0.01,
  order: CandidateOrder = "topological",
): EvaluatedSchedule[] {
  const candidates = onlyArticulationPoints ? articulationPoints(g) : allForwardNodes(g);
  const walk = greedyWalkOrder(g, order);
  const a0 = evaluateSchedule(g, chenSqrt(g, false)).stats.activationBytes;
  const seen = new Set<string>();
  const out: EvaluatedSchedule[] = [];
  const count = Math.round(3 / step);
  for (let k = 0; k < count; k++) {
    const x = -1 + k * step;
    const C = chenGreedyCheckpoints(g, candidates, a0 * (1 + x), walk);
    C.sort((a, b) => a - b);
    const key = C.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    const schedule = fixedCheckpointSchedule(g, C);
    out.push({ schedule, stats: evaluateSchedule(g, schedule).stats });
  }
  return out;
}

/**
 * The non-dominated results by (activation memory, overhead), ascending in memory: each entry is cheaper
 * than every entry with less memory. Ties keep the earlier entry.
 */
export function paretoFront<T extends { readonly stats: ScheduleStats }>(results: readonly T[]): T[] {
  const sorted = results
    .map((r, k) => ({ r, k }))
    .sort(
      (a, b) => a.r.stats.activationBytes - b.r.stats.activationBytes || a.r.stats.cost - b.r.stats.cost || a.k - b.k,
    )
    .map((x) => x.r);
  const front: T[] = [];
  for (const r of sorted) {
    const last = front[front.length - 1];
    if (last === undefined || r.stats.cost < last.stats.cost) front.push(r);
  }
  return front;
}

/** The cheapest result within the budget (ties: less memory), or undefined when none fits. */
export function cheapestWithin<T extends { readonly stats: ScheduleStats }>(
  results: readonly T[],
  budgetBytes: number,
): T | undefined {
  let best: T | undefined;
  for (const r of results) {
    if (r.stats.activationBytes > budgetBytes) continue;
    if (
      best === undefined ||
      r.stats.cost < best.stats.cost ||
      (r.stats.cost === best.stats.cost && r.stats.activationBytes < best.stats.activationBytes)
    ) {
      best = r;
    }
  }
  return best;
}
