/**
 * The stage DAG of a plan as integer adjacency: stage index ↔ id, predecessors and successors (sorted,
 * deduplicated), a stable topological order, and the warm-up depths the schedules use.
 *
 * Preconditions NOT checked here (validatePlan reports them as issues): stage ids are unique and every stage
 * edge names known stages. A cycle leaves `topo` shorter than the stage count (`acyclic` = false) rather
 * than throwing, so validation can use this too.
 */
import type { Plan } from "./types.js";

export interface StageGraph {
  readonly ids: readonly string[];
  readonly byId: ReadonlyMap<string, number>;
  readonly preds: readonly (readonly number[])[];
  readonly succs: readonly (readonly number[])[];
  /** Stage indices in topological order; among ready stages the lowest index first (stable). */
  readonly topo: readonly number[];
  readonly acyclic: boolean;
}

export function buildStageGraph(plan: Pick<Plan, "stages" | "stageEdges">): StageGraph {
  const ids = plan.stages.map((s) => s.id);
  const byId = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!byId.has(id)) byId.set(id, i);
  });
  const predSets = ids.map(() => new Set<number>());
  const succSets = ids.map(() => new Set<number>());
  for (const [from, to] of plan.stageEdges) {
    const a = byId.get(from);
    const b = byId.get(to);
    if (a === undefined || b === undefined || a === b) continue;
    succSets[a]!.add(b);
    predSets[b]!.add(a);
  }
  const sorted = (s: Set<number>) => [...s].sort((x, y) => x - y);
  const preds = predSets.map(sorted);
  const succs = succSets.map(sorted);
  const topo = stableTopo(preds, succs);
  return { ids, byId, preds, succs, topo, acyclic: topo.length === ids.length };
}

/** Kahn's algorithm with the lowest ready index first (the stage DAG is small: a sorted insert is enough). */
function stableTopo(preds: readonly (readonly number[])[], succs: readonly (readonly number[])[]): number[] {
  const indegree = preds.map((p) => p.length);
  const ready: number[] = [];
  indegree.forEach((d, i) => {
    if (d === 0) ready.push(i);
  });
  const order: number[] = [];
  while (ready.length > 0) {
    const u = ready.shift()!;
    order.push(u);
    for (const v of succs[u]!) {
      if (--indegree[v]! === 0) {
        let k = ready.length;
        while (k > 0 && ready[k - 1]! > v) k--;
        ready.splice(k, 0, v);
      }
    }
  }
  return order;
}

/**
 * Stages on the longest path from each stage to a sink, counting both ends (1 at sinks): w_i = 1 + max over
 * successors j of w_j. This is DAG-1F1B's warm-up (GraphPipe §1.4) before capping by the micro-batch count.
 */
export function depthToSink(sg: StageGraph): number[] {
  const depth = sg.ids.map(() => 1);
  for (let k = sg.topo.length - 1; k >= 0; k--) {
    const i = sg.topo[k]!;
    for (const j of sg.succs[i]!) depth[i] = Math.max(depth[i]!, 1 + depth[j]!);
  }
  return depth;
}

/** Position of each stage in the topological order (0 = first); the "rank" r of chain schedules. */
export function topoRank(sg: StageGraph): number[] {
  const rank = sg.ids.map(() => 0);
  sg.topo.forEach((i, r) => {
    rank[i] = r;
  });
  return rank;
}

/** True when the stages form one path s0 → s1 → … (each stage at most one predecessor and one successor). */
export function isChain(sg: StageGraph): boolean {
  if (!sg.acyclic) return false;
  for (let i = 0; i < sg.ids.length; i++) {
    if (sg.preds[i]!.length > 1 || sg.succs[i]!.length > 1) return false;
  }
  const sources = sg.preds.filter((p) => p.length === 0).length;
  return sources === 1 || sg.ids.length === 0;
}
