/**
 * `graph` planner: GraphPipe's graph pipeline (docs/planners.md). Stages form a DAG — parallel branches run as
 * concurrent stages on disjoint devices — found by binary search on the bottleneck time per sample with the
 * series-parallel DP (exact on small parallel regions; a tail after a join or a head before a fork may share a
 * stage with one branch) for each power-of-two micro-batch size; every size's best plan is simulated under
 * DAG-1F1B and the fastest that fits is returned.
 */
import { buildPlanTree, seriesBlockLimit } from "./plan-tree.js";
import { buildProblem } from "./problem.js";
import {
  CandidatePool,
  leastMemory,
  microBatchSizes,
  plannedDevices,
  searchCandidates,
  type TreeSearchSpec,
} from "./tree-search.js";
import type { PlannerRequest, PlanResult } from "./types.js";

/** Downset pairs up to which a subtree with branches is solved over all its convex partitions. */
export const DEFAULT_EXACT_PAIR_LIMIT = 20_000;

export function planGraph(req: PlannerRequest): PlanResult {
  const sizes = microBatchSizes(req);
  if (sizes.length === 0)
    return { ok: false, planner: "graph", reason: `no micro-batch size divides the batch ${req.batch}` };
  const p = buildProblem(req.graph, req.cost, sizes[sizes.length - 1]!);
  const tree = buildPlanTree(p, req.exactPairLimit ?? DEFAULT_EXACT_PAIR_LIMIT, seriesBlockLimit(plannedDevices(req)), {
    fusion: req.fusedJoins ?? true,
  });
  const spec: TreeSearchSpec = { planner: "graph", schedule: "dag-1f1b", extraWeightVersions: 0, rankWarmupTwin: true };
  const pool = new CandidatePool(req, "graph");
  // The same tree without fused joins, for the alternative candidates (tree-search.ts).
  const plain = tree.fusion ? { ...tree, fusion: false } : undefined;
  const found = searchCandidates(req, p, tree, spec, { done: 0, total: sizes.length }, pool, plain);
  if (found === 0) {
    const least = leastMemory(req, p, tree, spec);
    return {
      ok: false,
      planner: "graph",
      reason: "no plan fits in device memory",
      ...(least === undefined ? {} : { leastMemBytes: least }),
    };
  }
  return pool.result();
}
