/**
 * The simulator's public entry points (planners call these and nothing else of src/sim/):
 * - `simulate(lowered, input)`: replay a lowered schedule of `input.plan` on `input.cluster` with `input.cost`;
 * - `simulatePlan(plan, graph, cluster, cost, options?)`: generate the plan's schedule, lower it, simulate it.
 * Preconditions: the plan is valid (validatePlan) and the schedule was generated for it (validateSchedule);
 * a schedule that cannot make progress is reported as a deadlock, never a hang.
 */
import type { CostModel } from "../cost/types.js";
import type { Graph } from "../graph/types.js";
import type { Cluster } from "../hardware/types.js";
import type { Plan } from "../plan/types.js";
import { buildActionGraph } from "../schedules/action-graph.js";
import { generateSchedule, isNoFlush } from "../schedules/generators/index.js";
import { lowerSchedule } from "../schedules/passes/lower.js";
import type { Schedule } from "../schedules/types.js";
import { runEngine } from "./engine.js";
import { prepare } from "./prepare.js";
import { assembleResult } from "./result.js";
import type { SimInput, SimOptions, SimResult } from "./types.js";

export function simulate(lowered: Schedule, input: SimInput): SimResult {
  if (lowered.level !== "lowered") {
    throw new Error("dagpipe/sim/simulate: expected a lowered schedule (run lowerSchedule first)");
  }
  const { plan, graph, cluster, cost } = input;
  const options = input.options ?? {};
  const faults = input.faults ?? [];
  const capacityBytes = options.memBytes ?? cluster.device.memBytes;
  const g = buildActionGraph(lowered, plan);
  const p = prepare(g, plan, graph, cluster, cost);
  const recordEvents = options.recordEvents ?? false;
  const state = runEngine(p, capacityBytes, faults, recordEvents);
  return assembleResult(p, state, { plan, schedule: lowered, capacityBytes, faults, recordEvents });
}

/** The lowered schedule simulatePlan runs for a plan (also what `dagpipe simulate --print-schedule` prints). */
export function loweredScheduleOf(plan: Plan, graph: Graph, options: SimOptions = {}): Schedule {
  const compute = generateSchedule(plan, isNoFlush(plan.schedule) ? { iterations: options.iterations ?? 4 } : {});
  return lowerSchedule(compute, plan, graph);
}

export function simulatePlan(
  plan: Plan,
  graph: Graph,
  cluster: Cluster,
  cost: CostModel,
  options: SimOptions & { readonly faults?: SimInput["faults"] } = {},
): SimResult {
  const { faults, ...simOptions } = options;
  return simulate(loweredScheduleOf(plan, graph, simOptions), {
    plan,
    graph,
    cluster,
    cost,
    options: simOptions,
    ...(faults ? { faults } : {}),
  });
}
