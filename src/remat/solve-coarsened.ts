/**
 * The MILP for graphs too large to solve node by node: merge chains (coarsen.ts), solve the coarse MILP
 * under the time limit, expand its schedule to the real graph and check it there with the memory
 * simulation (if the expansion overshoots, solve again with the budget scaled down by the overshoot). The
 * best of that and the fine-grained baselines is returned with the gap to the knapsack lower bound
 * (lower-bound.ts), which holds for the real graph; the coarse MILP's own bound does not.
 */
import { chenGreedySweep } from "./baselines/chen-greedy.js";
import { checkpointAll, chenSqrt } from "./baselines/simple.js";
import { coarsenChains, expandSchedule } from "./coarsen.js";
import { evaluateSchedule } from "./evaluate-schedule.js";
import { recomputeLowerBound } from "./lower-bound.js";
import { belowFloor } from "./memory-floor.js";
import { type MilpOptions, solveMilp } from "./milp/solve-milp.js";
import type { RematSchedule, ScheduleStats, SolveResult, TrainingGraph } from "./types.js";

export interface CoarsenedOptions extends MilpOptions {
  /** Longest chain merged into one node (default: whole chains). */
  readonly maxGroup?: number;
  /** Re-solves after an overshooting expansion (default 3). */
  readonly attempts?: number;
}

/** Rough column count of the exact model (build-model.ts): R, S, U ≈ 1.5 n², FREE ≈ n·m/2. */
export function exactModelColumns(g: TrainingGraph): number {
  const n = g.nodes.length;
  const m = g.deps.reduce((s, d) => s + d.length, 0);
  return 1.5 * n * n + (n * m) / 2;
}

export async function solveCoarsened(
  g: TrainingGraph,
  budgetBytes: number,
  options: CoarsenedOptions = {},
): Promise<SolveResult> {
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const rejected = belowFloor(g, budgetBytes, "milp", elapsed());
  if (rejected) return rejected;

  const bound = recomputeLowerBound(g, budgetBytes).overhead;
  const c = coarsenChains(g, options.maxGroup ?? Number.POSITIVE_INFINITY);
  let best: { schedule: RematSchedule; stats: ScheduleStats; how: string } | undefined;
  const consider = (schedule: RematSchedule, how: string): ScheduleStats => {
    const v = evaluateSchedule(g, schedule, budgetBytes);
    const withinCap = options.maxOverhead === undefined || v.stats.overhead <= options.maxOverhead * (1 + 1e-9);
    if (v.issues.length === 0 && withinCap && (best === undefined || v.stats.cost < best.stats.cost)) {
      best = { schedule, stats: v.stats, how };
    }
    return v.stats;
  };
  for (const s of [checkpointAll(g), chenSqrt(g, false), chenSqrt(g, true)]) consider(s, "baseline");
  if (best && options.stopAtFirstSolution) {
    return { solver: "milp", status: "feasible", schedule: best.schedule, stats: best.stats, solveSec: elapsed() };
  }
  for (const r of chenGreedySweep(g, false, 0.05)) consider(r.schedule, "Chen greedy");
  for (const r of chenGreedySweep(g, true, 0.05)) consider(r.schedule, "Chen greedy (APs)");

  let coarseBudget = budgetBytes;
  let coarseNote = "";
  for (let k = 0; k < (options.attempts ?? 3); k++) {
    const left = options.timeLimitSec !== undefined ? options.timeLimitSec - elapsed() : undefined;
    if (left !== undefined && left < 1) break;
    const r = await solveMilp(c.coarse, coarseBudget, {
      ...options,
      ...(left !== undefined ? { timeLimitSec: left } : {}),
    });
    if (!r.schedule) {
      coarseNote = r.note ?? r.status;
      break;
    }
    const stats = consider(expandSchedule(c, g, r.schedule), "coarse MILP");
    coarseNote = `coarse MILP ${r.status}`;
    if (stats.activationBytes <= budgetBytes) break;
    coarseBudget *= (budgetBytes / stats.activationBytes) * (1 - 1e-4);
  }
  const lowerBoundOverhead = Math.max(1, bound);
  const where = `chains merged: ${g.nodes.length} → ${c.coarse.nodes.length} nodes; ${coarseNote}`;
  if (!best) {
    return {
      solver: "milp",
      status: "no-solution",
      lowerBoundOverhead,
      solveSec: elapsed(),
      note: `no schedule found within the budget (${where})`,
    };
  }
  const gap = best.stats.overhead / lowerBoundOverhead - 1;
  return {
    solver: "milp",
    status: gap <= 1e-4 ? "optimal" : "feasible",
    schedule: best.schedule,
    stats: best.stats,
    lowerBoundOverhead,
    solveSec: elapsed(),
    note: `${where}; best from ${best.how}; gap to the proven bound ${(100 * gap).toFixed(2)} %`,
  };
}
