/**
 * The largest batch that trains within a device's memory (Checkmate's max-batch experiment, research note
 * §2.7 and §6.3), as a search over batch sizes with the MILP as a feasibility problem instead of
 * Checkmate's bilinear model. At batch b the activation budget is device memory − fixed memory, and at most
 * one extra forward pass of recomputation is allowed (Checkmate's cpu_fwd_factor = 2).
 *
 * Feasibility is monotone in b, so the search keeps a proven-feasible `lo` (a schedule in hand) and a
 * proven-infeasible `hi`. Cheap proofs come first: the memory floor and the knapsack lower bound rule
 * batches out, the baselines rule them in; the MILP settles the rest (stopping at its first schedule): the
 * coarsened MILP first (a third of the probe's time; all of it on graphs too large for the exact one), then
 * the exact MILP, the only one whose "infeasible" is a proof.
 * A probe that hits its time limit proves nothing: the answer then says how far the proof goes.
 */
import type { Highs } from "highs";
import { chenGreedySweep } from "./baselines/chen-greedy.js";
import { checkpointAll, checkpointLastNode, chenSqrt } from "./baselines/simple.js";
import { evaluateSchedule } from "./evaluate-schedule.js";
import { recomputeLowerBound } from "./lower-bound.js";
import { memoryFloorBytes } from "./memory-floor.js";
import { solveMilp } from "./milp/solve-milp.js";
import { exactModelColumns, solveCoarsened } from "./solve-coarsened.js";
import { scheduleCost } from "./solve-r.js";
import { assembleTrainingGraph, totalCost } from "./training-graph-layout.js";
import type { ProgressFn, RematSchedule, ScheduleStats, TrainingGraph } from "./types.js";

export type GraphAtBatch = (batch: number) => TrainingGraph;

export interface MaxBatchOptions {
  readonly deviceMemBytes: number;
  /** Allowed recomputation as an overhead cap; default: one extra forward pass, (Σ C + Σ forward C) ÷ Σ C. */
  readonly maxOverhead?: number;
  /** "milp" (default) searches with the MILP; "checkpoint-all" and "baselines" only with those schedules. */
  readonly method?: "milp" | "checkpoint-all" | "baselines";
  /** Time limit of each MILP probe (default 120 s). */
  readonly probeTimeLimitSec?: number;
  readonly highs?: Highs;
  readonly onProgress?: ProgressFn;
  /** Largest batch considered (default 1 << 20). */
  readonly maxBatch?: number;
  /** Above this many exact-model columns probes use only the coarsened MILP (default 150 000). */
  readonly coarsenAboveColumns?: number;
}

export type ProbeVerdict = "feasible" | "infeasible" | "unknown";

export interface BatchProbe {
  readonly batch: number;
  readonly verdict: ProbeVerdict;
  /** What settled it: "memory floor", "lower bound", a baseline's name, "milp", "milp time limit". */
  readonly by: string;
  readonly sec: number;
}

export interface MaxBatchResult {
  /** Largest batch with a schedule in hand (0 when even batch 1 does not fit). */
  readonly batch: number;
  readonly stats?: ScheduleStats;
  readonly schedule?: RematSchedule;
  /**
   * Smallest batch proven not to fit (undefined if none was). When it is above batch + 1, the batches
   * between were left unproven by probes that hit their time limit.
   */
  readonly provenInfeasible?: number;
  readonly probes: readonly BatchProbe[];
}

/** A Checkmate graph at another batch size: activation memory and costs scale linearly, fixed memory stays. */
export function scaleBatch(g: TrainingGraph, batch: number): TrainingGraph {
  const from = g.batch ?? 1;
  const k = batch / from;
  const edges: [number, number][] = [];
  g.deps.forEach((list, v) => {
    for (const u of list) edges.push([u, v]);
  });
  return assembleTrainingGraph({
    name: g.name,
    nodes: g.nodes.map((x) => ({
      ...x,
      cost: x.cost * k,
      memBytes: x.memBytes * k,
      ...(x.workBytes !== undefined ? { workBytes: x.workBytes * k } : {}),
    })),
    edges,
    costUnit: g.costUnit,
    fixedBytes: g.fixedBytes,
    batch,
  });
}

/** One extra forward pass: (Σ C + Σ forward C) ÷ Σ C. */
export function oneForwardOverhead(g: TrainingGraph): number {
  const total = totalCost(g);
  const fwd = g.nodes.reduce((s, x) => s + (x.kind === "forward" ? x.cost : 0), 0);
  return total > 0 ? (total + fwd) / total : 1;
}

export async function maxBatchSize(graphAt: GraphAtBatch, options: MaxBatchOptions): Promise<MaxBatchResult> {
  const t0 = performance.now();
  const probes: BatchProbe[] = [];
  const maxBatch = options.maxBatch ?? 1 << 20;
  const method = options.method ?? "milp";
  let best: { batch: number; schedule: RematSchedule; stats: ScheduleStats } | undefined;

  const probe = async (batch: number): Promise<ProbeVerdict> => {
    const start = performance.now();
    const done = (verdict: ProbeVerdict, by: string): ProbeVerdict => {
      probes.push({ batch, verdict, by, sec: (performance.now() - start) / 1000 });
      options.onProgress?.({
        phase: `batch ${batch}: ${verdict} (${by})`,
        elapsedSec: (performance.now() - t0) / 1000,
      });
      return verdict;
    };
    const g = graphAt(batch);
    const budget = options.deviceMemBytes - g.fixedBytes;
    if (budget <= 0 || memoryFloorBytes(g).bytes > budget) return done("infeasible", "memory floor");
    const cap = options.maxOverhead ?? oneForwardOverhead(g);
    if (method !== "checkpoint-all" && recomputeLowerBound(g, budget).overhead > cap * (1 + 1e-9)) {
      return done("infeasible", "lower bound");
    }
    const total = totalCost(g);
    const accept = (schedule: RematSchedule, by: string): ProbeVerdict | undefined => {
      if (total > 0 && scheduleCost(g, schedule.R) / total > cap * (1 + 1e-9)) return undefined;
      const v = evaluateSchedule(g, schedule, budget);
      if (v.issues.length > 0) return undefined;
      if (!best || batch > best.batch) best = { batch, schedule, stats: v.stats };
      return done("feasible", by);
    };
    const all = accept(checkpointAll(g), "checkpoint-all");
    if (all) return all;
    if (method === "checkpoint-all") return done("infeasible", "checkpoint-all does not fit");
    const cheap: [RematSchedule, string][] = [
      [chenSqrt(g, false), "chen-sqrt"],
      [chenSqrt(g, true), "chen-sqrt-ap"],
      [checkpointLastNode(g), "last-node"],
      ...chenGreedySweep(g, false, 0.05).map((r): [RematSchedule, string] => [r.schedule, "chen-greedy"]),
      ...chenGreedySweep(g, true, 0.05).map((r): [RematSchedule, string] => [r.schedule, "chen-greedy-ap"]),
    ];
    for (const [schedule, by] of cheap) {
      const v = accept(schedule, by);
      if (v) return v;
    }
    if (method === "baselines") return done("infeasible", "no baseline fits");
    const limit = options.probeTimeLimitSec ?? 120;
    const milp = {
      ...(options.highs ? { highs: options.highs } : {}),
      maxOverhead: cap,
      stopAtFirstSolution: true,
    };
    // A schedule found on the coarsened graph settles the probe fast; only the exact MILP proves infeasibility.
    const large = exactModelColumns(g) > (options.coarsenAboveColumns ?? 150_000);
    const coarse = await solveCoarsened(g, budget, { ...milp, timeLimitSec: large ? limit : limit / 3, attempts: 1 });
    if (coarse.schedule) {
      const v = accept(coarse.schedule, "coarsened milp");
      if (v) return v;
    }
    if (large) return done("unknown", "coarsened milp found nothing");
    const left = Math.max(1, limit - (performance.now() - start) / 1000);
    const r = await solveMilp(g, budget, { ...milp, timeLimitSec: left });
    if (r.schedule) return accept(r.schedule, "milp") ?? done("unknown", "milp schedule rejected");
    if (r.status === "infeasible") return done("infeasible", "milp");
    return done("unknown", "milp time limit");
  };

  // Double up to the first batch that does not fit, then bisect.
  let lo = 0;
  let hi: number | undefined;
  for (let b = 1; b <= maxBatch; b *= 2) {
    if ((await probe(b)) === "feasible") lo = b;
    else {
      hi = b;
      break;
    }
  }
  if (hi === undefined) hi = maxBatch + 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await probe(mid)) === "feasible") lo = mid;
    else hi = mid;
  }
  const infeasible = probes.filter((p) => p.verdict === "infeasible").map((p) => p.batch);
  const provenInfeasible = infeasible.length > 0 ? Math.min(...infeasible) : undefined;
  return {
    batch: lo,
    ...(best && best.batch === lo ? { stats: best.stats, schedule: best.schedule } : {}),
    ...(provenInfeasible !== undefined && provenInfeasible <= maxBatch ? { provenInfeasible } : {}),
    probes,
  };
}
