/**
 * From a plan file to what the workers execute: read and validate the plan document, check the runtime can
 * execute it, and build its lowered schedule with the schedules module (the one source of truth for the
 * order of actions: the simulator reads the same lists). Throws InputError (exit 2) with file and JSON path.
 */
import type { PlanDocument } from "../plan/types.js";
import { generateSchedule, isNoFlush } from "../schedules/generators/index.js";
import { lowerSchedule } from "../schedules/passes/lower.js";
import type { Schedule } from "../schedules/types.js";
import { InputError } from "../util/issues.js";
import { planDevices, runnabilityIssues } from "./launcher-job.js";

export interface PreparedPlan {
  readonly doc: PlanDocument;
  readonly schedule: Schedule;
  readonly devices: readonly number[];
}

/**
 * The plan's lowered schedule, for a plan the runtime can execute. A no-flush schedule (2BW) never drains, so
 * one list holds all `iterations`; a flushed one is one iteration's list, run again each iteration.
 */
export function preparePlan(doc: PlanDocument, shownAs: string, iterations = 1): PreparedPlan {
  const issues = runnabilityIssues(doc).map((i) => ({ ...i, file: shownAs }));
  if (issues.length > 0) throw new InputError(issues);
  const compute = generateSchedule(doc.plan, isNoFlush(doc.plan.schedule) ? { iterations } : {});
  const schedule = lowerSchedule(compute, doc.plan, doc.graph);
  return { doc, schedule, devices: planDevices(doc.plan) };
}
