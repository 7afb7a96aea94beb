/**
 * The least activation peak any schedule within an overhead cap needs, as one MILP (build-model.ts with
 * `minimizePeakCostWeight`): P ≥ every U[t,k] is minimized. Checkmate's max-batch model multiplies every
 * memory term by a continuous batch size (bilinear); when memory is linear in the batch, maximizing the batch
 * within a budget is the same as minimizing this peak at batch 1, so a linear MILP answers it.
 *
 * The schedule's real peak comes from the memory simulation (never above the model's U); the proven bound is
 * on the model's U accounting (Checkmate's), not on the simulated peak.
 */
import type { Highs } from "highs";
import { evaluateSchedule } from "../evaluate-schedule.js";
import { solveR } from "../solve-r.js";
import type { ProgressFn, RematSchedule, ScheduleStats, TrainingGraph } from "../types.js";
import { buildRematModel, scheduleFromSolution } from "./build-model.js";
import { runHighs } from "./run-highs.js";
import { seedCandidates, solutionFromSchedule } from "./warm-start.js";

export interface MinPeakOptions {
  readonly maxOverhead: number;
  readonly highs?: Highs;
  readonly timeLimitSec?: number;
  readonly relGap?: number;
  readonly onProgress?: ProgressFn;
}

export interface MinPeakResult {
  readonly status: "optimal" | "feasible" | "no-solution";
  readonly schedule?: RematSchedule;
  /** Simulated stats of the schedule (its activation peak is the answer). */
  readonly stats?: ScheduleStats;
  /** Proven lower bound on the peak in the MILP's memory accounting, bytes. */
  readonly boundBytes?: number;
  readonly solveSec: number;
}

const COST_WEIGHT = 1e-6;

export async function solveMinPeak(g: TrainingGraph, options: MinPeakOptions): Promise<MinPeakResult> {
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const seeds = seedCandidates(g);
  // Peaks in units of checkpoint-all's (the first seed).
  const unit = seeds[0]?.stats.activationBytes || 1;
  const { model, layout } = buildRematModel(g, unit, {
    maxOverhead: options.maxOverhead,
    minimizePeakCostWeight: COST_WEIGHT,
  });
  let start: { vector: Float64Array; peak: number } | undefined;
  for (const { schedule, stats } of seeds) {
    if (stats.overhead > options.maxOverhead * (1 + 1e-9)) continue;
    const vector = solutionFromSchedule(g, model, layout, schedule);
    const peak = vector?.[layout.pCol];
    if (vector && peak !== undefined && (start === undefined || peak < start.peak)) start = { vector, peak };
  }
  const out = await runHighs(model, {
    ...(options.highs ? { highs: options.highs } : {}),
    ...(options.timeLimitSec !== undefined ? { timeLimitSec: options.timeLimitSec } : {}),
    ...(options.relGap !== undefined ? { relGap: options.relGap } : {}),
    ...(start ? { start: start.vector } : {}),
    onProgress: (p) =>
      options.onProgress?.({
        phase: `least peak ${p.primal !== undefined ? `≤ ${((p.primal * unit) / 1e9).toFixed(3)} GB` : "…"}`,
        elapsedSec: elapsed(),
        ...(options.timeLimitSec ? { fraction: Math.min(1, p.elapsedSec / options.timeLimitSec) } : {}),
      }),
  });
  const boundBytes =
    out.bound !== undefined ? Math.max(0, (out.bound - COST_WEIGHT * options.maxOverhead) * unit) : undefined;
  if (!out.colValue) {
    return { status: "no-solution", ...(boundBytes !== undefined ? { boundBytes } : {}), solveSec: elapsed() };
  }
  const { S } = scheduleFromSolution(layout, out.colValue);
  const schedule = { R: solveR(g, S), S };
  const v = evaluateSchedule(g, schedule);
  if (v.issues.length > 0 || v.stats.overhead > options.maxOverhead * (1 + 1e-9)) {
    return { status: "no-solution", ...(boundBytes !== undefined ? { boundBytes } : {}), solveSec: elapsed() };
  }
  return {
    status: out.status === "optimal" ? "optimal" : "feasible",
    schedule,
    stats: v.stats,
    ...(boundBytes !== undefined ? { boundBytes } : {}),
    solveSec: elapsed(),
  };
}
