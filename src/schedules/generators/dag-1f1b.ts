/**
 * DAG-1F1B (GraphPipe, graphpipe.md §1.4): stage i warms up with w_i = 1 + max over its successors of their
 * warm-up (1 at sinks), i.e. the number of stages on the longest path from i to a sink, capped by the number
 * of micro-batches; then one backward, one forward. A stage with several successors sends to all of them (the
 * lowering adds one send per successor), a stage with several predecessors waits for all of them (its forward
 * depends on every receive). On a chain this is exactly 1F1B.
 */
import { depthToSink, type StageGraph } from "../../plan/stage-graph.js";
import type { Plan } from "../../plan/types.js";
import type { Schedule } from "../types.js";
import { expandToDevices, warmupThenAlternate } from "./sequence.js";

/** Warm-up forwards of each stage (by stage index) before its first backward. */
export function dagWarmup(plan: Plan, sg: StageGraph): number[] {
  return depthToSink(sg).map((w) => Math.min(w, plan.microBatches));
}

export function dag1F1B(plan: Plan, sg: StageGraph): Schedule {
  const warm = dagWarmup(plan, sg);
  const m = plan.microBatches;
  return {
    kind: "dag-1f1b",
    level: "compute",
    microBatches: m,
    actions: expandToDevices(plan, sg, (i) => warmupThenAlternate(m, warm[i]!)),
  };
}
