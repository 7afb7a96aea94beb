/**
 * A search's stages (unit sets with degrees) → a Plan: op ids, stage order, devices, stage edges.
 *
 * Stage order: a stable topological order of the stage graph (ties by the stage's first unit), so a branch's
 * stages come one after another. Devices are dealt in that order, consecutively — neighbours in the pipeline
 * sit on neighbouring devices, mostly inside one node. When devices are left over (the search may use fewer
 * than the cluster has), a stage whose replicas would straddle a node boundary starts at the next node instead,
 * so its all-reduce stays inside a node.
 */
import type { OptimizerSpec } from "../cost/types.js";
import { topologicalIndices } from "../graph/topo-order.js";
import { deriveStageEdges } from "../plan/build-plan.js";
import type { Plan, ScheduleKind, Stage } from "../plan/types.js";
import type { PlanningProblem } from "./problem.js";
import type { StagePick } from "./tree-dp.js";

export interface AssembleOptions {
  readonly microBatch: number;
  readonly microBatches: number;
  readonly schedule: ScheduleKind;
  readonly optimizer: OptimizerSpec;
  /** Devices available (≥ Σ degrees) and devices per node, for placement. */
  readonly devices: number;
  readonly devicesPerNode: number;
  readonly virtualStages?: number;
  /** Keep the stages in the given order (chain plans: the order is the pipeline's rank order). */
  readonly keepOrder?: boolean;
  /** Devices of each stage (index as in `stages`), when the planner placed them itself. */
  readonly placement?: readonly (readonly number[])[];
}

/** Stage indices of `stages` in a stable topological order of their stage graph. */
export function stageOrder(p: PlanningProblem, stages: readonly StagePick[]): number[] {
  const k = stages.length;
  const stageOfUnit = new Int32Array(p.units.count).fill(-1);
  stages.forEach((s, i) => {
    for (const u of s.units) stageOfUnit[u] = i;
  });
  const succ = Array.from({ length: k }, () => new Set<number>());
  const indeg = new Int32Array(k);
  for (let u = 0; u < p.units.count; u++) {
    for (const v of p.units.succs[u]!) {
      const a = stageOfUnit[u]!;
      const b = stageOfUnit[v]!;
      if (a !== b && !succ[a]!.has(b)) {
        succ[a]!.add(b);
        indeg[b]!++;
      }
    }
  }
  const first = stages.map((s) => Math.min(...s.units));
  const ready: number[] = [];
  for (let i = 0; i < k; i++) if (indeg[i] === 0) ready.push(i);
  const order: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => first[b]! - first[a]!);
    const i = ready.pop()!;
    order.push(i);
    for (const j of succ[i]!) if (--indeg[j]! === 0) ready.push(j);
  }
  if (order.length !== k) throw new Error("dagpipe/planners/assemble: stage graph has a cycle");
  return order;
}

/** Device indices per stage (in `order`), consecutive, node-aligned where spare devices allow. */
export function placeStages(
  degrees: readonly number[],
  order: readonly number[],
  devices: number,
  devicesPerNode: number,
): number[][] {
  const used = degrees.reduce((a, d) => a + d, 0);
  let spare = devices - used;
  const out: number[][] = degrees.map(() => []);
  let next = 0;
  for (const i of order) {
    const d = degrees[i]!;
    const offset = next % devicesPerNode;
    const gap = offset === 0 ? 0 : devicesPerNode - offset;
    const straddles = d > 1 && (d <= devicesPerNode ? offset + d > devicesPerNode : offset !== 0);
    if (straddles && gap <= spare) {
      next += gap;
      spare -= gap;
    }
    out[i] = Array.from({ length: d }, (_, r) => next + r);
    next += d;
  }
  return out;
}

export function assemblePlan(p: PlanningProblem, stages: readonly StagePick[], o: AssembleOptions): Plan {
  const topoPos = new Int32Array(p.graph.ops.length);
  topologicalIndices(p.index).forEach((op, k) => {
    topoPos[op] = k;
  });
  const order = o.keepOrder ? stages.map((_, i) => i) : stageOrder(p, stages);
  const devices =
    o.placement ??
    placeStages(
      stages.map((s) => s.degree),
      order,
      o.devices,
      o.devicesPerNode,
    );
  const built: Stage[] = order.map((i, k) => {
    const s = stages[i]!;
    const ops = s.units.flatMap((u) => p.units.members[u]!);
    ops.sort((a, b) => topoPos[a]! - topoPos[b]!);
    const stage: Stage = {
      id: `s${k}`,
      ops: ops.map((op) => p.graph.ops[op]!.id),
      devices: [...devices[i]!],
      dataParallel: s.degree,
      tensorParallel: 1,
    };
    return s.recompute ? { ...stage, recompute: "full" } : stage;
  });
  return {
    stages: built,
    stageEdges: deriveStageEdges(p.graph, built),
    microBatch: o.microBatch,
    microBatches: o.microBatches,
    schedule: o.schedule,
    ...(o.virtualStages !== undefined ? { virtualStages: o.virtualStages } : {}),
    optimizer: o.optimizer,
  };
}
