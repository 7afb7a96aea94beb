/**
 * 1F1B with a flush (PipeDream-Flush, Megatron's non-interleaved schedule): stage r of p (its position in the
 * topological order of the stage graph) runs min(m, p − r) forwards, then alternates one backward and one
 * forward, then drains. Peak in-flight micro-batches on stage r: min(m, p − r). On a stage graph that is not
 * a chain this treats the stages as the chain of their topological order (the sequential pipeline's rule);
 * dag-1f1b uses the stage graph's own depths instead.
 */
import { type StageGraph, topoRank } from "../../plan/stage-graph.js";
import type { Plan } from "../../plan/types.js";
import type { Schedule } from "../types.js";
import { expandToDevices, warmupThenAlternate } from "./sequence.js";

export function oneFOneB(plan: Plan, sg: StageGraph): Schedule {
  const m = plan.microBatches;
  const p = sg.ids.length;
  const rank = topoRank(sg);
  return {
    kind: "1f1b",
    level: "compute",
    microBatches: m,
    actions: expandToDevices(plan, sg, (i) => warmupThenAlternate(m, p - rank[i]!)),
  };
}
