/**
 * A schedule's verdict: execution order → independent memory simulation, plus the check that the order's
 * cost equals Σ R·C. Every solver and baseline returns only schedules that pass this at their budget.
 */
import type { Issue } from "../util/issues.js";
import { executionOrder } from "./execution-order.js";
import { simulateMemory } from "./simulate-memory.js";
import { scheduleCost } from "./solve-r.js";
import type { RematSchedule, ScheduleStats, TrainingGraph } from "./types.js";

export interface ScheduleVerdict {
  readonly stats: ScheduleStats;
  readonly issues: readonly Issue[];
}

export function evaluateSchedule(g: TrainingGraph, schedule: RematSchedule, budgetBytes?: number): ScheduleVerdict {
  const sim = simulateMemory(g, executionOrder(g, schedule), budgetBytes);
  const expected = scheduleCost(g, schedule.R);
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  if (Math.abs(sim.stats.cost - expected) > tolerance) {
    return {
      stats: sim.stats,
      issues: [
        ...sim.issues,
        {
          code: "invalid-value",
          message: "the execution order's cost differs from Σ R·C",
          path: ["R"],
          expected: String(expected),
          got: String(sim.stats.cost),
        },
      ],
    };
  }
  return sim;
}
