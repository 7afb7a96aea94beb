/**
 * GraphPipe's outer loop: binary search on the target time per sample τ of the slowest stage. Each probe runs
 * the tree DP (tree-dp.ts) as a feasibility test: "can the graph be cut into stages that all meet τ and fit in
 * memory with at most K devices?". A feasible probe also yields a plan whose real bottleneck t ≤ τ, so the upper
 * end drops straight to t. The search is geometric (τ spans orders of magnitude) and stops when
 * hi ≤ lo·(1 + tolerance): the returned plan's bottleneck is within that factor of the optimum of the objective
 * defined in stage-model.ts.
 */
import type { PlanTree } from "./plan-tree.js";
import type { PlanningProblem } from "./problem.js";
import { judgeStage, type StageContext, type StageVerdict, sumsOfSet } from "./stage-model.js";
import { type StagePick, TreeDp } from "./tree-dp.js";

export interface PartitionSolution {
  readonly stages: readonly StagePick[];
  /** Largest stage TPS (seconds per sample) of this solution under the planner's model. */
  readonly bottleneckSec: number;
  readonly devicesUsed: number;
}

export interface SearchSettings {
  readonly devices: number;
  /** Relative width at which the binary search stops (default 1e-3). */
  readonly tolerance?: number;
  /** Called after every DP probe. */
  readonly onProbe?: (probe: { tau: number; feasible: boolean; evaluations: number }) => void;
}

/** The TPS of each stage of a solution (with its recompute choice) under the model; the max is the objective. */
export function bottleneckOf(p: PlanningProblem, ctx: StageContext, stages: readonly StagePick[]): number {
  const inSet = new Uint8Array(p.units.count);
  const v: StageVerdict = { tpsSec: 0, tpsRecomputeSec: 0, maxInFlight: 0, maxInFlightRecompute: 0 };
  let worst = 0;
  for (const st of stages) {
    for (const u of st.units) inSet[u] = 1;
    judgeStage(sumsOfSet(p, st.units, inSet), st.degree, ctx, v);
    for (const u of st.units) inSet[u] = 0;
    worst = Math.max(worst, st.recompute ? v.tpsRecomputeSec : v.tpsSec);
  }
  return worst;
}

export function probe(
  p: PlanningProblem,
  tree: PlanTree,
  ctx: StageContext,
  devices: number,
  tau: number,
): { solution?: PartitionSolution; evaluations: number } {
  const dp = new TreeDp(p, tree, ctx, tau, devices);
  const used = dp.rootDevices();
  if (used > devices) return { evaluations: dp.evaluations };
  const stages = dp.rootStages();
  return {
    solution: { stages, bottleneckSec: bottleneckOf(p, ctx, stages), devicesUsed: used },
    evaluations: dp.evaluations,
  };
}

/** Lower bound on the bottleneck: perfect balance at full-micro-batch efficiency, and the slowest single unit. */
export function bottleneckLowerBound(p: PlanningProblem, ctx: StageContext, devices: number): number {
  const b = ctx.microBatch;
  const kFull = p.sampleSizes.indexOf(b);
  const dMax = ctx.degrees[ctx.degrees.length - 1]!;
  const kMin = ctx.sampleIndexOfDegree[dMax]!;
  let total = 0;
  let slowest = 0;
  for (let u = 0; u < p.units.count; u++) {
    total += p.timeSec[kFull]![u]!;
    slowest = Math.max(slowest, p.timeSec[kMin]![u]!);
  }
  return Math.max(total / (devices * b), slowest / b);
}

export function minimizeBottleneck(
  p: PlanningProblem,
  tree: PlanTree,
  ctx: StageContext,
  settings: SearchSettings,
): PartitionSolution | undefined {
  const K = settings.devices;
  const tol = settings.tolerance ?? 1e-3;
  const run = (tau: number) => {
    const r = probe(p, tree, ctx, K, tau);
    settings.onProbe?.({ tau, feasible: r.solution !== undefined, evaluations: r.evaluations });
    return r.solution;
  };
  const lb = bottleneckLowerBound(p, ctx, K);
  // Beyond this target no stage can miss it: every probe above is the memory-only problem.
  const kFull = p.sampleSizes.indexOf(ctx.microBatch);
  let ceiling = 0;
  for (let u = 0; u < p.units.count; u++) ceiling += p.timeSec[kFull]![u]! + p.fwdSec[kFull]![u]!;
  ceiling = (ceiling / ctx.microBatch) * 4 + lb;
  // Half the bound as the proven-infeasible end: the bound assumes sub-linear speed-up of smaller batches,
  // which a measured profile may break slightly.
  let lo = lb * 0.5;
  let tau = lb * 1.25;
  let best = lb > 0 ? run(tau) : undefined;
  while (!best) {
    if (tau >= ceiling || lb === 0) {
      best = run(Number.POSITIVE_INFINITY);
      if (!best) return undefined;
      break;
    }
    lo = tau;
    tau = Math.min(ceiling, tau * 4);
    best = run(tau);
  }
  let hi = best.bottleneckSec;
  while (hi > lo * (1 + tol) && hi > 0) {
    const mid = Math.sqrt(lo * hi);
    const s = run(mid);
    if (s && s.bottleneckSec <= hi) {
      best = s;
      hi = Math.min(mid, s.bottleneckSec);
    } else lo = mid;
  }
  return best;
}
