/**
 * Checkmate's approximation (research note §3): solve the LP relaxation of the MILP at a fraction of the
 * budget (0.9, "to get values under the budget"), round the fractional S — a deterministic threshold sweep
 * τ ∈ {0.1, …, 0.9} and randomized Bernoulli(S*) roundings from a seeded PRNG — give each rounding its
 * cheapest R, and keep the cheapest one whose simulated memory fits the full budget. Near the memory floor
 * nothing may fit; the result then says so (the MILP is the fallback there).
 */
import type { Highs } from "highs";
import { mulberry32 } from "../util/prng.js";
import { evaluateSchedule } from "./evaluate-schedule.js";
import { belowFloor } from "./memory-floor.js";
import { buildRematModel } from "./milp/build-model.js";
import { runHighs } from "./milp/run-highs.js";
import { solveR } from "./solve-r.js";
import type { ProgressFn, RematSchedule, ScheduleStats, SolveResult, TrainingGraph } from "./types.js";

export interface LpRoundingOptions {
  readonly highs?: Highs;
  readonly timeLimitSec?: number;
  /** The LP is solved at budget × this (Checkmate: 0.9). */
  readonly lpBudgetFraction?: number;
  readonly thresholds?: readonly number[];
  /** Randomized roundings (Checkmate: 100). */
  readonly randomRounds?: number;
  readonly seed?: number;
  readonly onProgress?: ProgressFn;
}

export const DEFAULT_THRESHOLDS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

export interface RoundingOutcome {
  readonly method: string;
  readonly stats: ScheduleStats;
  readonly fits: boolean;
}

export async function solveLpRounding(
  g: TrainingGraph,
  budgetBytes: number,
  options: LpRoundingOptions = {},
): Promise<SolveResult & { readonly roundings?: readonly RoundingOutcome[] }> {
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const rejected = belowFloor(g, budgetBytes, "lp", elapsed());
  if (rejected) return rejected;

  const lpBudget = budgetBytes * (options.lpBudgetFraction ?? 0.9);
  options.onProgress?.({ phase: "solving the LP relaxation", elapsedSec: elapsed() });
  const { model, layout } = buildRematModel(g, lpBudget, { integral: false });
  const out = await runHighs(model, {
    ...(options.highs ? { highs: options.highs } : {}),
    ...(options.timeLimitSec !== undefined ? { timeLimitSec: options.timeLimitSec } : {}),
  });
  if (out.status !== "optimal" || !out.colValue) {
    return {
      solver: "lp",
      status: "no-solution",
      solveSec: elapsed(),
      note:
        out.status === "infeasible"
          ? `the LP relaxation is infeasible at ${options.lpBudgetFraction ?? 0.9} × the budget`
          : `the LP relaxation did not finish (${out.status})`,
    };
  }
  const n = g.nodes.length;
  const sStar = new Float64Array(n * n);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < t; i++) sStar[t * n + i] = out.colValue[layout.sCol[t * n + i] as number] ?? 0;
  }
  options.onProgress?.({ phase: "rounding", elapsedSec: elapsed() });
  const roundings: RoundingOutcome[] = [];
  let best: { schedule: RematSchedule; stats: ScheduleStats } | undefined;
  const consider = (method: string, S: Uint8Array): void => {
    const schedule = { R: solveR(g, S), S };
    const verdict = evaluateSchedule(g, schedule, budgetBytes);
    const fits = verdict.issues.length === 0;
    roundings.push({ method, stats: verdict.stats, fits });
    if (fits && (best === undefined || verdict.stats.cost < best.stats.cost)) best = { schedule, stats: verdict.stats };
  };
  for (const tau of options.thresholds ?? DEFAULT_THRESHOLDS) {
    const S = new Uint8Array(n * n);
    for (let k = 0; k < n * n; k++) if ((sStar[k] as number) >= tau - 1e-9 && (sStar[k] as number) > 1e-9) S[k] = 1;
    consider(`threshold ${tau}`, S);
  }
  const random = mulberry32(options.seed ?? 1);
  for (let r = 0; r < (options.randomRounds ?? 50); r++) {
    const S = new Uint8Array(n * n);
    for (let k = 0; k < n * n; k++) if (random() < (sStar[k] as number)) S[k] = 1;
    consider(`random ${r}`, S);
  }
  const lpBound = out.objective;
  if (!best) {
    return {
      solver: "lp",
      status: "no-solution",
      solveSec: elapsed(),
      roundings,
      note: "no rounding of the LP solution fits the budget (near the memory floor; use the MILP)",
    };
  }
  return {
    solver: "lp",
    status: "feasible",
    schedule: best.schedule,
    stats: best.stats,
    solveSec: elapsed(),
    roundings,
    ...(lpBound !== undefined
      ? { note: `LP value at ${options.lpBudgetFraction ?? 0.9} × budget: ${lpBound.toFixed(4)}` }
      : {}),
  };
}
