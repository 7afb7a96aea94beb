/** Planner dispatch by name (the CLI and benchmarks call planners through this one table). */
import { planGraph } from "./graph-planner.js";
import { planPipeDream } from "./pipedream.js";
import { planSequential } from "./sequential.js";
import type { PlannerName, PlannerRequest, PlanResult } from "./types.js";
import { planUniform } from "./uniform.js";

export const PLANNERS: Readonly<Record<PlannerName, (req: PlannerRequest) => PlanResult>> = {
  graph: planGraph,
  sequential: planSequential,
  pipedream: planPipeDream,
  uniform: planUniform,
};

export function runPlanner(name: PlannerName, req: PlannerRequest): PlanResult {
  return PLANNERS[name](req);
}
