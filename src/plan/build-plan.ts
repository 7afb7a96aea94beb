/**
 * Small builders for tests, examples and planners: a plan from groups of op ids (stage edges derived from the
 * graph), and a chain plan that cuts the topological order into p stages of balanced forward FLOPs.
 * Devices are dealt in stage order (stage i gets the next dataParallel[i] device indices); the interleaved
 * schedule deals p device sets over p·v stages in a loop (position j → set j mod p).
 *
 * Preconditions NOT checked: the graph is valid and the groups partition its ops (run validatePlan on the
 * result when the groups come from a user).
 */
import { DEFAULT_OPTIMIZER, type OptimizerSpec } from "../cost/types.js";
import { indexGraph } from "../graph/graph-index.js";
import { topologicalIndices } from "../graph/topo-order.js";
import type { Graph } from "../graph/types.js";
import type { Plan, RecomputeMode, ScheduleKind, Stage } from "./types.js";

export interface PlanOptions {
  readonly microBatch: number;
  readonly microBatches: number;
  readonly schedule: ScheduleKind;
  /** Replicas per stage (one number for all, or one per stage); default 1. */
  readonly dataParallel?: number | readonly number[];
  /** Interleaved: chunks per device (the stage count must be a multiple). */
  readonly virtualStages?: number;
  readonly optimizer?: OptimizerSpec;
  readonly recompute?: RecomputeMode;
  /** Stage ids; default "s0", "s1", …. */
  readonly ids?: readonly string[];
  /** First device index to deal from; default 0. */
  readonly firstDevice?: number;
}

/** Stage edges [from, to] for every pair of stages some op edge crosses, sorted by stage index. */
export function deriveStageEdges(graph: Graph, stages: readonly Pick<Stage, "id" | "ops">[]): [string, string][] {
  const stageOf = new Map<string, number>();
  stages.forEach((s, i) => {
    for (const op of s.ops) stageOf.set(op, i);
  });
  const pairs = new Set<number>();
  const n = stages.length;
  for (const op of graph.ops) {
    const to = stageOf.get(op.id);
    if (to === undefined) continue;
    for (const input of op.inputs) {
      const from = stageOf.get(input);
      if (from !== undefined && from !== to) pairs.add(from * n + to);
    }
  }
  return [...pairs].sort((a, b) => a - b).map((k) => [stages[Math.floor(k / n)]!.id, stages[k % n]!.id]);
}

/** A plan whose stage i holds `groups[i]`; edges follow the graph. */
export function planFromGroups(graph: Graph, groups: readonly (readonly string[])[], options: PlanOptions): Plan {
  const v = options.schedule === "interleaved" ? (options.virtualStages ?? 1) : 1;
  const p = Math.max(1, Math.floor(groups.length / v));
  const dpOf = (i: number) =>
    typeof options.dataParallel === "number" ? options.dataParallel : (options.dataParallel?.[i] ?? 1);
  const deviceSets: number[][] = [];
  let next = options.firstDevice ?? 0;
  const stages: Stage[] = groups.map((ops, i) => {
    const group = v > 1 ? i % p : i;
    if (deviceSets[group] === undefined) {
      const dp = dpOf(group);
      deviceSets[group] = Array.from({ length: dp }, (_, k) => next + k);
      next += dp;
    }
    const stage: Stage = {
      id: options.ids?.[i] ?? `s${i}`,
      ops: [...ops],
      devices: deviceSets[group]!,
      dataParallel: deviceSets[group]!.length,
      tensorParallel: 1,
    };
    return options.recompute && options.recompute !== "none" ? { ...stage, recompute: options.recompute } : stage;
  });
  return {
    stages,
    stageEdges: deriveStageEdges(graph, stages),
    microBatch: options.microBatch,
    microBatches: options.microBatches,
    schedule: options.schedule,
    ...(options.schedule === "interleaved" ? { virtualStages: v } : {}),
    optimizer: options.optimizer ?? DEFAULT_OPTIMIZER,
  };
}

/**
 * Cut the stable topological order into `stageCount` contiguous groups with forward FLOPs as even as a greedy
 * sweep makes them (each group closes once it reaches its share of what is left). Contiguous pieces of a
 * topological order are convex stages; with branches they may still need extra (skip) stage edges, which
 * deriveStageEdges adds.
 */
export function chainPlan(graph: Graph, stageCount: number, options: PlanOptions): Plan {
  const order = topologicalIndices(indexGraph(graph)).map((i) => graph.ops[i]!);
  const total = order.reduce((a, op) => a + op.fwdFlopsPerSample, 0);
  // Graphs without FLOPs (e.g. imported opaque ops) are cut by op count instead.
  const weight = total > 0 ? order.map((op) => op.fwdFlopsPerSample) : order.map(() => 1);
  const groups: string[][] = [];
  let rest = total > 0 ? total : order.length;
  let k = 0;
  for (let g = 0; g < stageCount; g++) {
    const left = stageCount - g;
    const share = rest / left;
    const group: string[] = [];
    let acc = 0;
    // Leave at least one op for each later group.
    while (k < order.length - (left - 1) && (group.length === 0 || acc + weight[k]! / 2 <= share)) {
      acc += weight[k]!;
      group.push(order[k]!.id);
      k++;
    }
    if (g === stageCount - 1) while (k < order.length) group.push(order[k++]!.id);
    rest -= acc;
    groups.push(group);
  }
  return planFromGroups(graph, groups, options);
}
