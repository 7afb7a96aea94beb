/**
 * The Checkmate MILP solver: rejects budgets below the memory floor at once, seeds HiGHS with the cheapest
 * baseline that fits the model's memory accounting, solves under a time limit and gap, then (as Checkmate
 * does) keeps S, recomputes the cheapest R for it and checks the schedule with the memory simulation. A
 * time-limited solve still returns its incumbent, with the proven bound.
 */
import type { Highs } from "highs";
import type { EvaluatedSchedule } from "../baselines/chen-greedy.js";
import { evaluateSchedule } from "../evaluate-schedule.js";
import { recomputeLowerBound } from "../lower-bound.js";
import { belowFloor, memoryFloorBytes } from "../memory-floor.js";
import { solveR } from "../solve-r.js";
import type { ProgressFn, RematSchedule, SolveResult, TrainingGraph } from "../types.js";
import { buildRematModel, scheduleFromSolution } from "./build-model.js";
import { runHighs } from "./run-highs.js";
import { seedCandidates, solutionFromSchedule } from "./warm-start.js";

export interface MilpOptions {
  readonly highs?: Highs;
  readonly timeLimitSec?: number;
  /** Relative gap at which the solve counts as optimal (default 1e-4, HiGHS' default). */
  readonly relGap?: number;
  readonly onProgress?: ProgressFn;
  /** Seed HiGHS with the best baseline schedule (default true). */
  readonly warmStart?: boolean;
  /** Only schedules with at most this overhead count (the max-batch search's compute cap). */
  readonly maxOverhead?: number;
  /** Stop as soon as a schedule with at most this overhead is found. */
  readonly stopAtOverhead?: number;
  /** Stop at the first schedule found (feasibility probes). */
  readonly stopAtFirstSolution?: boolean;
  /** Add the rows that force FREE up (see build-model.ts); default false. */
  readonly forceFree?: boolean;
  /**
   * Add the knapsack lower bound (lower-bound.ts) as a cut. Default false: measured slower (VGG19 at
   * 14.645 GB: 77 s against 20 s of CPU), as objective cuts often are in LP-based branch and bound.
   */
  readonly boundCut?: boolean;
}

export async function solveMilp(
  g: TrainingGraph,
  budgetBytes: number,
  options: MilpOptions = {},
): Promise<SolveResult> {
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const rejected = belowFloor(g, budgetBytes, "milp", elapsed());
  if (rejected) return rejected;

  const seeds = (options.warmStart ?? true) ? seedCandidates(g) : [];
  const first = await attempt(g, budgetBytes, options, seeds, 0, elapsed);
  // HiGHS accepts solutions within its tolerances; at an exactly tight budget the rounded schedule can
  // overshoot by ~1e-6. Then solve once more with that much taken off the budget.
  const result = first.overshoot ? await attempt(g, budgetBytes, options, seeds, 1e-6, elapsed) : first;
  return result.result;
}

async function attempt(
  g: TrainingGraph,
  budgetBytes: number,
  options: MilpOptions,
  seeds: readonly EvaluatedSchedule[],
  budgetMargin: number,
  elapsed: () => number,
): Promise<{ result: SolveResult; overshoot: boolean }> {
  const floorBytes = memoryFloorBytes(g).bytes;
  const bound = recomputeLowerBound(g, budgetBytes).overhead;
  options.onProgress?.({ phase: "building the MILP", elapsedSec: elapsed() });
  const { model, layout } = buildRematModel(g, budgetBytes, {
    budgetMargin,
    ...(options.boundCut && Number.isFinite(bound) && bound > 1 ? { minOverhead: bound * (1 - 1e-9) } : {}),
    ...(options.forceFree ? { forceFree: true } : {}),
    ...(options.maxOverhead !== undefined ? { maxOverhead: options.maxOverhead } : {}),
  });
  let seed: { schedule: RematSchedule; vector: Float64Array; overhead: number } | undefined;
  for (const { schedule, stats } of seeds) {
    if (options.maxOverhead !== undefined && stats.overhead > options.maxOverhead) continue;
    if (seed !== undefined && stats.overhead >= seed.overhead) continue;
    const vector = solutionFromSchedule(g, model, layout, schedule);
    if (vector) seed = { schedule, vector, overhead: stats.overhead };
  }
  const out = await runHighs(model, {
    ...(options.highs ? { highs: options.highs } : {}),
    ...(options.timeLimitSec !== undefined ? { timeLimitSec: options.timeLimitSec } : {}),
    ...(options.relGap !== undefined ? { relGap: options.relGap } : {}),
    ...(options.stopAtOverhead !== undefined ? { stopAtObjective: options.stopAtOverhead } : {}),
    ...(options.stopAtFirstSolution ? { stopAtFirstSolution: true } : {}),
    ...(seed ? { start: seed.vector } : {}),
    onProgress: (p) =>
      options.onProgress?.({
        phase: "solving the MILP",
        elapsedSec: elapsed(),
        ...(p.primal !== undefined ? { incumbentOverhead: p.primal } : {}),
        ...(p.dual !== undefined ? { boundOverhead: p.dual } : {}),
        ...(options.timeLimitSec ? { fraction: Math.min(1, p.elapsedSec / options.timeLimitSec) } : {}),
      }),
  });
  const lowerBoundOverhead = Math.max(1, bound, out.bound ?? 1);
  if (out.status === "infeasible") {
    const result: SolveResult = {
      solver: "milp",
      status: "infeasible",
      solveSec: elapsed(),
      leastBytes: floorBytes,
      note: "HiGHS proved that no schedule fits this budget",
    };
    return { result, overshoot: false };
  }
  if (out.status === "error") {
    const result: SolveResult = {
      solver: "milp",
      status: "no-solution",
      solveSec: elapsed(),
      note: `HiGHS failed: ${out.message}`,
    };
    return { result, overshoot: false };
  }
  let overshoot = false;
  const candidates: RematSchedule[] = [];
  if (out.colValue) {
    const { S } = scheduleFromSolution(layout, out.colValue);
    candidates.push({ R: solveR(g, S), S });
  }
  if (seed) candidates.push(seed.schedule);
  for (const schedule of candidates) {
    const verdict = evaluateSchedule(g, schedule, budgetBytes);
    if (verdict.issues.length > 0) {
      overshoot = true;
      continue;
    }
    if (options.maxOverhead !== undefined && verdict.stats.overhead > options.maxOverhead + 1e-9) continue;
    const fromSolver = schedule !== seed?.schedule;
    const proven = out.status === "optimal" && fromSolver;
    const result: SolveResult = {
      solver: "milp",
      status: proven ? "optimal" : "feasible",
      schedule,
      stats: verdict.stats,
      lowerBoundOverhead: Math.min(lowerBoundOverhead, verdict.stats.overhead),
      solveSec: elapsed(),
      ...(proven ? {} : { note: out.status === "limit" ? "stopped at a limit: best schedule so far" : "warm start" }),
    };
    return { result, overshoot: overshoot && budgetMargin === 0 };
  }
  const result: SolveResult = {
    solver: "milp",
    status: "no-solution",
    lowerBoundOverhead,
    solveSec: elapsed(),
    note: out.status === "limit" ? "time limit before any schedule was found" : "no valid schedule came back",
  };
  return { result, overshoot: overshoot && budgetMargin === 0 };
}
