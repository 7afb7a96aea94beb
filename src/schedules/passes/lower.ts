/**
 * `lowerSchedule`: compute-only schedule → lowered schedule, one concern per pass:
 * addRecompute → addSendRecv → addAllReduce → addStep. It first checks that its input is at the compute
 * level and holds only compute actions (lowering twice would duplicate every transfer).
 */
import type { Graph } from "../../graph/types.js";
import type { Plan } from "../../plan/types.js";
import type { Schedule } from "../types.js";
import { addAllReduce } from "./add-all-reduce.js";
import { addRecompute } from "./add-recompute.js";
import { addSendRecv } from "./add-send-recv.js";
import { addStep } from "./add-step.js";
import { loweringContext } from "./lowering-context.js";

const COMPUTE = new Set(["F", "B", "W"]);

export function lowerSchedule(schedule: Schedule, plan: Plan, graph: Graph): Schedule {
  if (schedule.level !== "compute") {
    throw new Error(`dagpipe/schedules/lower: expected a compute-only schedule, got level "${schedule.level}"`);
  }
  for (const list of schedule.actions) {
    for (const a of list) {
      if (!COMPUTE.has(a.kind)) {
        throw new Error(`dagpipe/schedules/lower: a compute-only schedule holds a "${a.kind}" action (d${a.device})`);
      }
    }
  }
  const ctx = loweringContext(plan, graph);
  const lowered = addStep(addAllReduce(addSendRecv(addRecompute(schedule, ctx), ctx), ctx), ctx);
  return { ...lowered, level: "lowered" };
}
