/**
 * `sequential` planner: our best chain pipeline. The graph is linearised (the SP tree's leaf order: series parts
 * in order, parallel branches one after another) and cut into contiguous stages by the same DP as the graph
 * planner restricted to one series node — exact over contiguous cuts, with per-stage data parallelism and
 * whole-stage recompute — for every micro-batch size under 1F1B (and, with `allowAsync`, the no-flush 2BW,
 * which keeps a second weight copy), plus interleaved 1F1B candidates (interleaved.ts). A chain's in-flight
 * count on rank r of p is p − r, exactly the depth the series DP assumes. Tensors between non-neighbouring
 * stages are relayed through the stages between (relay.ts), as a sequential pipeline runs. The simulator times
 * every candidate; the fastest that fits wins.
 */
import { interleavedCandidates } from "./interleaved.js";
import { buildChainTree, buildPlanTree, leafOrder, seriesBlockLimit } from "./plan-tree.js";
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

export type SequentialSchedule = "1f1b" | "interleaved" | "2bw";

/** The schedules searched: synchronous ones always, 2BW (stale weights) only when asked for. */
export function sequentialSchedules(req: PlannerRequest): SequentialSchedule[] {
  return req.allowAsync ? ["1f1b", "interleaved", "2bw"] : ["1f1b", "interleaved"];
}

export function planSequential(req: PlannerRequest, schedules = sequentialSchedules(req)): PlanResult {
  const sizes = microBatchSizes(req);
  if (sizes.length === 0) {
    return { ok: false, planner: "sequential", reason: `no micro-batch size divides the batch ${req.batch}` };
  }
  const p = buildProblem(req.graph, req.cost, sizes[sizes.length - 1]!);
  const order = leafOrder(buildPlanTree(p, 0));
  const chain = buildChainTree(p, order, seriesBlockLimit(plannedDevices(req)));
  const progress = { done: 0, total: sizes.length * schedules.length };
  const pool = new CandidatePool(req, "sequential");
  let found = 0;
  let first: TreeSearchSpec | undefined;
  for (const schedule of schedules) {
    if (schedule === "interleaved") {
      const more = interleavedCandidates(req, p, order);
      found += more.length;
      pool.offer(more);
      continue;
    }
    const spec: TreeSearchSpec = {
      planner: "sequential",
      schedule,
      extraWeightVersions: schedule === "2bw" ? 1 : 0,
      keepOrder: true,
    };
    first ??= spec;
    found += searchCandidates(req, p, chain, spec, progress, pool);
  }
  if (found === 0) {
    const least = first ? leastMemory(req, p, chain, first) : undefined;
    return {
      ok: false,
      planner: "sequential",
      reason: "no plan fits in device memory",
      ...(least === undefined ? {} : { leastMemBytes: least }),
    };
  }
  return pool.result();
}
