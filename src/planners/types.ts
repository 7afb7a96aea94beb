/**
 * What every planner takes and returns. A planner is a pure function `(request) → PlanResult`: infeasible is
 * a value (`ok: false` with the least device memory that would fit, when known), progress goes through a
 * callback, and the same request always gives the same plan.
 */
import type { CostModel, OptimizerSpec } from "../cost/types.js";
import type { Graph } from "../graph/types.js";
import type { Cluster } from "../hardware/types.js";
import type { Plan, ScheduleKind } from "../plan/types.js";

export type PlannerName = "graph" | "sequential" | "pipedream" | "uniform";

export const PLANNER_NAMES: readonly PlannerName[] = ["graph", "sequential", "pipedream", "uniform"];

/** How a finished plan is timed: the simulator's verdict (src/sim), reduced to what planners compare. */
export interface PlanJudgement {
  readonly iterationSec: number;
  readonly samplesPerSec: number;
  readonly peakMemBytes: readonly number[];
  /** Every device's simulated peak fits its memory, and the run completed. */
  readonly fits: boolean;
}

/** Times a plan over the graph it refers to (a chain plan's graph carries relays), with that graph's cost model. */
export type PlanJudge = (plan: Plan, graph: Graph, cost: CostModel) => PlanJudgement;

export interface PlannerProgress {
  readonly planner: PlannerName;
  /** What is running, e.g. "micro-batch 4", "simulating". */
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}

export interface PlannerRequest {
  readonly graph: Graph;
  readonly cluster: Cluster;
  readonly cost: CostModel;
  /** Samples per iteration (the mini-batch). */
  readonly batch: number;
  /** Devices to plan for; default every device of the cluster. */
  readonly devices?: number;
  /** Allow data parallelism inside stages (default true; false = `--no-dp`). */
  readonly dataParallel?: boolean;
  readonly optimizer?: OptimizerSpec;
  /** Consider whole-stage recompute where it makes a stage fit (default true). */
  readonly recompute?: boolean;
  /**
   * Also consider schedules that change the training semantics (PipeDream-2BW: weights updated with one-step
   * stale gradients, no flush). Off by default: every other plan trains exactly like data-parallel SGD.
   */
  readonly allowAsync?: boolean;
  /** Candidate micro-batch sizes; default the powers of two that divide the batch. */
  readonly microBatchSizes?: readonly number[];
  /** Relative tolerance of the bottleneck binary search (default 1e-3). */
  readonly tolerance?: number;
  /** Largest number of downset pairs a subtree may have to be solved exactly (graph planner; default 20000). */
  readonly exactPairLimit?: number;
  /**
   * Graph planner: a series tail after a parallel node (or the head before it) may share a stage with one
   * branch's last (first) stage (default true; false turns them off, for ablations).
   */
  readonly fusedJoins?: boolean;
  /** Times candidate plans; the planner returns the fastest that fits by this judge. */
  readonly judge: PlanJudge;
  readonly onProgress?: (p: PlannerProgress) => void;
}

/** What the planner's own model predicted for the chosen plan, beside the judge's verdict. */
export interface PlanPrediction extends PlanJudgement {
  /** Largest stage time per sample under the planner's model (its search objective), seconds. */
  readonly bottleneckSec: number;
}

export interface CandidateSummary {
  readonly microBatch: number;
  /** Issues validatePlan found (a candidate with issues is never chosen; tests expect none). */
  readonly invalid?: number;
  /** Not simulated: its lower bound on the iteration time exceeded the best simulated one. */
  readonly skipped?: boolean;
  readonly schedule: ScheduleKind;
  readonly stages: number;
  readonly bottleneckSec: number;
  readonly samplesPerSec: number;
  readonly fits: boolean;
}

export type PlanResult =
  | {
      readonly ok: true;
      readonly planner: PlannerName;
      readonly plan: Plan;
      /** The graph the plan refers to: the request's, or for chain plans the request's with relay ops added. */
      readonly graph: Graph;
      /** The cost model that times `graph` (the request's, extended to relay ops). */
      readonly cost: CostModel;
      readonly predicted: PlanPrediction;
      /** Every candidate the judge timed (one per micro-batch size and schedule), for reports. */
      readonly candidates: readonly CandidateSummary[];
    }
  | {
      readonly ok: false;
      readonly planner: PlannerName;
      readonly reason: string;
      /** The least device memory with which this planner finds a plan, when it could tell. */
      readonly leastMemBytes?: number;
    };
