/** Plan → compute-only schedule, by the plan's schedule kind (an explicit table: nothing registers itself). */
import { buildStageGraph } from "../../plan/stage-graph.js";
import type { Plan, ScheduleKind } from "../../plan/types.js";
import type { Schedule } from "../types.js";
import { dag1F1B } from "./dag-1f1b.js";
import { gpipe } from "./gpipe.js";
import { interleaved } from "./interleaved.js";
import { asyncStash, NO_FLUSH_ITERATIONS, twoBW } from "./no-flush.js";
import { oneFOneB } from "./one-f-one-b.js";
import { zbH1 } from "./zb-h1.js";

export interface GenerateOptions {
  /** No-flush schedules (2bw, async-stash): iterations to generate back to back; default NO_FLUSH_ITERATIONS. */
  readonly iterations?: number;
}

/** True for the schedules that never drain the pipeline (simulated over several iterations). */
export function isNoFlush(kind: ScheduleKind): boolean {
  return kind === "2bw" || kind === "async-stash";
}

/**
 * The compute-only schedule of a valid plan (run validatePlan first: generators assume an acyclic stage graph,
 * and interleaved assumes its loop placement).
 */
export function generateSchedule(plan: Plan, options: GenerateOptions = {}): Schedule {
  const sg = buildStageGraph(plan);
  const iterations = options.iterations ?? NO_FLUSH_ITERATIONS;
  switch (plan.schedule) {
    case "gpipe":
      return gpipe(plan, sg);
    case "1f1b":
      return oneFOneB(plan, sg);
    case "interleaved":
      return interleaved(plan, sg);
    case "zb-h1":
      return zbH1(plan, sg);
    case "2bw":
      return twoBW(plan, sg, iterations);
    case "async-stash":
      return asyncStash(plan, sg, iterations);
    case "dag-1f1b":
      return dag1F1B(plan, sg);
  }
}

export { dagWarmup } from "./dag-1f1b.js";
export { interleavedWarmup } from "./interleaved.js";
export { NO_FLUSH_ITERATIONS } from "./no-flush.js";
export { warmupThenAlternate } from "./sequence.js";
export { zbH1Sequence } from "./zb-h1.js";
