/**
 * Random valid plans for property tests: a random DAG (test/arbitraries.ts), its stable topological order cut
 * into contiguous groups (so every stage is convex; sparse DAGs give branching stage graphs), random
 * data-parallel degrees, micro-batch sizes and counts, schedule kinds and recompute, on a two-node cluster with
 * finite links. `kinds` restricts the schedules drawn.
 */
import fc from "fast-check";
import { indexGraph } from "../../src/graph/graph-index.js";
import { topologicalIndices } from "../../src/graph/topo-order.js";
import type { Graph } from "../../src/graph/types.js";
import type { Cluster } from "../../src/hardware/types.js";
import { planFromGroups } from "../../src/plan/build-plan.js";
import { buildStageGraph, depthToSink } from "../../src/plan/stage-graph.js";
import type { Plan, ScheduleKind } from "../../src/plan/types.js";
import { arbDagCase } from "../arbitraries.js";
import { testCluster } from "./fixtures.js";

export interface PlanCase {
  readonly graph: Graph;
  readonly plan: Plan;
  readonly cluster: Cluster;
  readonly fwdSec: number;
  readonly bwdSec: number;
}

export const FLUSHED_KINDS: readonly ScheduleKind[] = ["gpipe", "1f1b", "zb-h1", "dag-1f1b"];
export const ALL_DAG_KINDS: readonly ScheduleKind[] = [...FLUSHED_KINDS, "2bw", "async-stash"];

export function arbPlanCase(kinds: readonly ScheduleKind[] = ALL_DAG_KINDS): fc.Arbitrary<PlanCase> {
  return fc
    .record({
      dag: arbDagCase({ minOps: 1, maxOps: 12 }),
      stages: fc.integer({ min: 1, max: 6 }),
      cutRolls: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
      dp: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
      extraSamples: fc.integer({ min: 0, max: 3 }),
      microBatches: fc.integer({ min: 1, max: 6 }),
      kind: fc.constantFrom(...kinds),
      recompute: fc.constantFrom("none", "none", "full") as fc.Arbitrary<"none" | "full">,
      fwdQuarter: fc.integer({ min: 1, max: 4 }),
      bwdQuarter: fc.integer({ min: 1, max: 8 }),
      bytesPerSec: fc.constantFrom(1e3, 1e5, Number.POSITIVE_INFINITY),
      latencySec: fc.constantFrom(0, 0.125),
    })
    .map((r) => {
      const graph = r.dag.graph;
      const order = topologicalIndices(indexGraph(graph)).map((i) => graph.ops[i]!.id);
      const k = Math.min(r.stages, order.length);
      // k − 1 distinct cut positions in 1 … n−1.
      const cuts = new Set<number>();
      for (const roll of r.cutRolls) {
        if (cuts.size >= k - 1) break;
        cuts.add(1 + (roll % Math.max(1, order.length - 1)));
      }
      for (let c = 1; cuts.size < k - 1; c++) cuts.add(c);
      const bounds = [0, ...[...cuts].sort((a, b) => a - b), order.length];
      const groups = bounds.slice(1).map((end, i) => order.slice(bounds[i], end));
      const dp = groups.map((_, i) => r.dp[i]!);
      let plan = planFromGroups(graph, groups, {
        microBatch: Math.max(...dp) + r.extraSamples,
        microBatches: r.microBatches,
        schedule: r.kind,
        dataParallel: dp,
        recompute: r.recompute,
      });
      if (r.kind === "2bw") {
        const depth = Math.max(...depthToSink(buildStageGraph(plan)));
        plan = { ...plan, microBatches: Math.max(plan.microBatches, depth) };
      }
      const link = { bytesPerSec: r.bytesPerSec, latencySec: r.latencySec };
      const cluster = testCluster({ nodes: 2, devicesPerNode: 9, intra: link, inter: link });
      return { graph, plan, cluster, fwdSec: r.fwdQuarter / 4, bwdSec: r.bwdQuarter / 4 };
    });
}
