/**
 * One entry point for every solver: `solveRemat(graph, budgetBytes, solver, options)` → SolveResult.
 * Baselines that produce a family of schedules (Chen greedy's segment sweep, Griewank's snapshot counts)
 * return their cheapest member within the budget. "milp" is the exact MILP unless the exact model would
 * be too large for HiGHS in WebAssembly (then the coarsened MILP, solve-coarsened.ts). Every returned
 * schedule has passed the memory simulation at the budget.
 */
import type { Highs } from "highs";
import { articulationPoints } from "./articulation-points.js";
import { cheapestWithin, chenGreedySweep, type EvaluatedSchedule } from "./baselines/chen-greedy.js";
import { griewank } from "./baselines/griewank.js";
import {
  type CandidateOrder,
  checkpointAll,
  checkpointArticulationPoints,
  checkpointLastNode,
  chenSqrt,
} from "./baselines/simple.js";
import { evaluateSchedule } from "./evaluate-schedule.js";
import { solveLpRounding } from "./lp-rounding.js";
import { solveMilp } from "./milp/solve-milp.js";
import { exactModelColumns, solveCoarsened } from "./solve-coarsened.js";
import type { ProgressFn, RematSchedule, SolveResult, SolverName, TrainingGraph } from "./types.js";

export interface SolveOptions {
  readonly highs?: Highs;
  readonly timeLimitSec?: number;
  readonly relGap?: number;
  readonly onProgress?: ProgressFn;
  /** Seed of the LP path's randomized rounding. */
  readonly seed?: number;
  /** Candidate order of the √n and greedy baselines (see baselines/simple.ts). */
  readonly order?: CandidateOrder;
  /** Above this many columns the exact MILP is replaced by the coarsened one (default 150 000). */
  readonly coarsenAboveColumns?: number;
  /** Force the coarsened MILP (true) or the exact one (false) regardless of size. */
  readonly coarsen?: boolean;
  /** Step of Chen greedy's segment-size sweep (default 0.01, Checkmate's). */
  readonly greedyStep?: number;
}

export async function solveRemat(
  g: TrainingGraph,
  budgetBytes: number,
  solver: SolverName,
  options: SolveOptions = {},
): Promise<SolveResult> {
  const t0 = performance.now();
  const milpOptions = {
    ...(options.highs ? { highs: options.highs } : {}),
    ...(options.timeLimitSec !== undefined ? { timeLimitSec: options.timeLimitSec } : {}),
    ...(options.relGap !== undefined ? { relGap: options.relGap } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  switch (solver) {
    case "milp": {
      const coarsen = options.coarsen ?? exactModelColumns(g) > (options.coarsenAboveColumns ?? 150_000);
      return coarsen ? solveCoarsened(g, budgetBytes, milpOptions) : solveMilp(g, budgetBytes, milpOptions);
    }
    case "lp":
      return solveLpRounding(g, budgetBytes, {
        ...milpOptions,
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
      });
    default: {
      const family = baselineFamily(g, solver, options);
      const result = pick(g, solver, family, budgetBytes);
      return { ...result, solveSec: (performance.now() - t0) / 1000 };
    }
  }
}

function baselineFamily(g: TrainingGraph, solver: SolverName, options: SolveOptions): EvaluatedSchedule[] {
  const order = options.order ?? "topological";
  const one = (schedule: RematSchedule): EvaluatedSchedule[] => [
    { schedule, stats: evaluateSchedule(g, schedule).stats },
  ];
  switch (solver) {
    case "checkpoint-all":
      return one(checkpointAll(g));
    case "checkpoint-ap":
      return one(checkpointArticulationPoints(g));
    case "last-node":
      return one(checkpointLastNode(g));
    case "chen-sqrt":
      return one(chenSqrt(g, false, order));
    case "chen-sqrt-ap":
      return one(chenSqrt(g, true, order));
    case "chen-greedy":
      return chenGreedySweep(g, false, options.greedyStep ?? 0.01, order);
    case "chen-greedy-ap":
      return chenGreedySweep(g, true, options.greedyStep ?? 0.01, order);
    case "griewank": {
      const N = articulationPoints(g).length;
      return Array.from({ length: Math.max(1, N) }, (_, s) => one(griewank(g, s + 1))[0] as EvaluatedSchedule);
    }
    default:
      return [];
  }
}

function pick(
  g: TrainingGraph,
  solver: SolverName,
  family: readonly EvaluatedSchedule[],
  budgetBytes: number,
): SolveResult {
  const best = cheapestWithin(family, budgetBytes);
  if (best) {
    const verdict = evaluateSchedule(g, best.schedule, budgetBytes);
    if (verdict.issues.length === 0)
      return { solver, status: "feasible", schedule: best.schedule, stats: verdict.stats };
  }
  const leastBytes = Math.min(...family.map((r) => r.stats.activationBytes));
  return {
    solver,
    status: "no-solution",
    ...(Number.isFinite(leastBytes) ? { leastBytes } : { note: "no schedule" }),
  };
}
