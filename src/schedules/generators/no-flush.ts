/**
 * The no-flush schedules: 1F1B that never drains between iterations, so the simulator runs several
 * iterations back to back and measures the steady state (docs/simulator.md). Stage r of p warms up with
 * p − r forwards once, at the start of the first iteration.
 *
 * - PipeDream-2BW (pipedream.md §7.2): gradients of m micro-batches are coalesced into one update per
 *   iteration; micro-batch k reads weight version max(⌊k/m⌋ − 1, 0) in forward and backward, and the step after
 *   iteration i creates version i + 1. With m ≥ p, at most 2 versions are live on any stage.
 * - PipeDream's asynchronous 1F1B with weight stashing (pipedream.md §6.1, §6.3): a step after every
 *   backward; a forward reads the newest version and stashes it for its backward, so stage r keeps up to
 *   p − r versions (one per in-flight micro-batch).
 * The step that creates a version is added by the add-step pass (after every m backwards for 2BW, after every
 * backward for async-stash); the versions here are numbered to match.
 */
import { type StageGraph, topoRank } from "../../plan/stage-graph.js";
import type { Plan } from "../../plan/types.js";
import type { Schedule } from "../types.js";
import { expandToDevices, type Step, warmupThenAlternate } from "./sequence.js";

/** Iterations a no-flush schedule is generated for when the caller does not say (see docs/simulator.md). */
export const NO_FLUSH_ITERATIONS = 4;

export function twoBW(plan: Plan, sg: StageGraph, iterations = NO_FLUSH_ITERATIONS): Schedule {
  const m = plan.microBatches;
  const p = sg.ids.length;
  const rank = topoRank(sg);
  const version = (k: number) => Math.max(Math.floor(k / m) - 1, 0);
  return {
    kind: "2bw",
    level: "compute",
    microBatches: m,
    iterations,
    actions: expandToDevices(plan, sg, (i) =>
      warmupThenAlternate(iterations * m, Math.min(m, p - rank[i]!)).map((s) => ({
        ...s,
        version: version(s.microBatch),
      })),
    ),
  };
}

export function asyncStash(plan: Plan, sg: StageGraph, iterations = NO_FLUSH_ITERATIONS): Schedule {
  const m = plan.microBatches;
  const p = sg.ids.length;
  const rank = topoRank(sg);
  return {
    kind: "async-stash",
    level: "compute",
    microBatches: m,
    iterations,
    actions: expandToDevices(plan, sg, (i) => {
      const seq = warmupThenAlternate(iterations * m, p - rank[i]!);
      const stashed = new Map<number, number>();
      let steps = 0;
      return seq.map((s): Step => {
        if (s.kind === "F") {
          stashed.set(s.microBatch, steps);
          return { ...s, version: steps };
        }
        const v = stashed.get(s.microBatch)!;
        steps++;
        return { ...s, version: v };
      });
    }),
  };
}
