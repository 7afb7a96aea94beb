/**
 * SimResult → the JSON document `dagpipe simulate --json` prints: the result without the event list and
 * memory samples (those go to the trace), with the plan's headline numbers beside it.
 */
import type { Plan } from "../plan/types.js";
import type { SimResult } from "../sim/types.js";

export interface SimJson {
  readonly plan: {
    readonly schedule: Plan["schedule"];
    readonly stages: number;
    readonly devices: number;
    readonly microBatch: number;
    readonly microBatches: number;
    readonly virtualStages?: number;
  };
  readonly result: Omit<SimResult, "events" | "memory">;
}

export function simJson(plan: Plan, result: SimResult): SimJson {
  const { events: _events, memory: _memory, ...rest } = result;
  return {
    plan: {
      schedule: plan.schedule,
      stages: plan.stages.length,
      devices: new Set(plan.stages.flatMap((s) => s.devices)).size,
      microBatch: plan.microBatch,
      microBatches: plan.microBatches,
      ...(plan.virtualStages !== undefined ? { virtualStages: plan.virtualStages } : {}),
    },
    result: rest,
  };
}

/** Pretty JSON text with a final newline. Every number in a SimResult is finite, so this is valid JSON. */
export function formatSimJson(plan: Plan, result: SimResult): string {
  return `${JSON.stringify(simJson(plan, result), null, 2)}\n`;
}
