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
import { depthBuckets, type StagePick, TreeDp } from "./tree-dp.js";

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
  /** Only plans whose stage graph has at most this many stages on a path (default: any). */
  readonly maxDepth?: number;
  /** A first target to try (e.g. the bottleneck found at a neighbouring micro-batch size). */
  readonly guessSec?: number;
}

/** The TPS of each stage of a solution (with its recompute choice) under the model; the max is the objective. */
export function bottleneckOf(p: PlanningProblem, ctx: StageContext, stages: readonly StagePick[]): number {
  const inSet = new Uint8Array(p.units.count);
  const v: StageVerdict = { tpsSec: 0, tpsRecomputeSec: 0, maxInFlight: 0, maxInFlightRecompute: 0 };
  let worst = 0;
  for (const st of stages) {
    judgeStage(sumsOfSet(p, st.units, inSet), st.degree, ctx, v);
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
  maxDepth = Number.POSITIVE_INFINITY,
): { solution?: PartitionSolution; evaluations: number } {
  const dp = new TreeDp(p, tree, ctx, tau, devices);
  const used = dp.rootDevices(maxDepth);
  if (used > devices) return { evaluations: dp.evaluations };
  const stages = dp.rootStages(maxDepth);
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
  return new BottleneckSearch(p, tree, ctx, settings).best(settings.maxDepth ?? Number.POSITIVE_INFINITY);
}

interface Probe {
  readonly tau: number;
  /** Fewest devices per depth bound at this τ (root V). */
  readonly V: Int32Array;
  readonly W: number;
  /** Kept for feasible probes (to read their plans); dropped for infeasible ones and old ones (memory). */
  dp?: TreeDp;
}

/** Least estimated gain, (m + depth − 1) / (m + bound − 1), for which a shallower plan is searched. */
export const SHALLOWER_GAIN = 1.05;

/** DP runs kept for reading plans (each holds the memo tables of a whole probe). */
const KEPT_PROBES = 6;

/**
 * Binary searches on τ for one or several depth bounds, sharing probes: one DP run at τ answers "feasible?"
 * for every depth bound at once (the root's V array), so the searches for shallower plans start from brackets
 * the earlier ones already established.
 */
export class BottleneckSearch {
  private readonly probes: Probe[] = [];
  private readonly K: number;
  private readonly tol: number;
  private readonly lb: number;
  private readonly ceiling: number;

  constructor(
    readonly p: PlanningProblem,
    readonly tree: PlanTree,
    readonly ctx: StageContext,
    readonly settings: SearchSettings,
  ) {
    this.K = settings.devices;
    this.tol = settings.tolerance ?? 1e-3;
    this.lb = bottleneckLowerBound(p, ctx, this.K);
    // Beyond this target no stage can miss it: every probe above is the memory-only problem.
    const kFull = p.sampleSizes.indexOf(ctx.microBatch);
    let ceiling = 0;
    for (let u = 0; u < p.units.count; u++) ceiling += p.timeSec[kFull]![u]! + p.fwdSec[kFull]![u]!;
    this.ceiling = (ceiling / ctx.microBatch) * 4 + this.lb;
  }

  /** Depth bound index into V (capped at the DP's W). */
  private cap(maxDepth: number): number {
    return Math.max(1, Math.min(maxDepth, depthBuckets(this.K, this.ctx.microBatches)));
  }

  private run(tau: number): Probe {
    const hit = this.probes.find((q) => q.tau === tau);
    if (hit) return hit;
    const dp = new TreeDp(this.p, this.tree, this.ctx, tau, this.K);
    const V = Int32Array.from(dp.solve(this.tree.root, 0).V);
    const probe: Probe = { tau, V, W: dp.W };
    if (V[dp.W]! <= this.K) {
      probe.dp = dp;
      const kept = this.probes.filter((q) => q.dp !== undefined).sort((a, b) => a.tau - b.tau);
      for (const q of kept.slice(KEPT_PROBES - 1)) q.dp = undefined;
    }
    this.probes.push(probe);
    this.settings.onProbe?.({ tau, feasible: V[dp.W]! <= this.K, evaluations: dp.evaluations });
    return probe;
  }

  private feasible(q: Probe, cap: number): boolean {
    return q.V[Math.min(cap, q.W)]! <= this.K;
  }

  private solutionAt(q: Probe, cap: number): PartitionSolution {
    const dp = q.dp ?? new TreeDp(this.p, this.tree, this.ctx, q.tau, this.K);
    const stages = dp.rootStages(cap);
    return {
      stages,
      bottleneckSec: bottleneckOf(this.p, this.ctx, stages),
      devicesUsed: q.V[Math.min(cap, q.W)]!,
    };
  }

  /**
   * The plan with the smallest bottleneck among those of depth ≤ maxDepth (within the tolerance), or undefined.
   * `limitSec`: give up (undefined) when no plan of that depth meets this bottleneck.
   */
  best(maxDepth: number, limitSec = Number.POSITIVE_INFINITY, tolerance = this.tol): PartitionSolution | undefined {
    const cap = this.cap(maxDepth);
    // Bracket from earlier probes: the largest infeasible τ, the smallest feasible one.
    let lo = this.lb * 0.5;
    let hiProbe: Probe | undefined;
    for (const q of this.probes) {
      if (this.feasible(q, cap)) {
        if (!hiProbe || q.tau < hiProbe.tau) hiProbe = q;
      } else if (q.tau > lo) lo = q.tau;
    }
    if (!hiProbe && Number.isFinite(limitSec)) {
      const q = this.run(limitSec);
      if (!this.feasible(q, cap)) return undefined;
      hiProbe = q;
    }
    if (!hiProbe) {
      const guess = this.settings.guessSec;
      if (guess !== undefined && guess > lo && Number.isFinite(guess)) {
        const q = this.run(guess);
        if (this.feasible(q, cap)) {
          hiProbe = q;
          // Usually the answer is close below a good guess: bracket it with one more probe.
          const below = guess * 0.85;
          if (below > lo) {
            const r = this.run(below);
            if (this.feasible(r, cap)) hiProbe = r;
            else lo = below;
          }
        } else lo = guess;
      }
    }
    if (!hiProbe) {
      let tau = Math.max(lo, this.lb) * 1.25;
      if (this.lb === 0) tau = Number.POSITIVE_INFINITY;
      for (;;) {
        const q = this.run(tau);
        if (this.feasible(q, cap)) {
          hiProbe = q;
          break;
        }
        if (!Number.isFinite(tau)) return undefined;
        lo = tau;
        tau = tau * 4 >= this.ceiling ? Number.POSITIVE_INFINITY : tau * 4;
      }
    }
    let best = this.solutionAt(hiProbe, cap);
    let hi = Math.min(hiProbe.tau, best.bottleneckSec);
    // The answer is usually just below the first feasible target: bracket it there before bisecting.
    for (let step = 0; step < 3 && hi > lo * 1.15 && hi > 0; step++) {
      const tau = hi * 0.9;
      const q = this.run(tau);
      if (!this.feasible(q, cap)) {
        lo = tau;
        break;
      }
      const s = this.solutionAt(q, cap);
      if (s.bottleneckSec <= best.bottleneckSec) best = s;
      hi = Math.min(tau, s.bottleneckSec);
    }
    while (hi > lo * (1 + tolerance) && hi > 0) {
      const mid = Math.sqrt(lo * hi);
      const q = this.run(mid);
      if (this.feasible(q, cap)) {
        const s = this.solutionAt(q, cap);
        if (s.bottleneckSec <= best.bottleneckSec) best = s;
        hi = Math.min(mid, s.bottleneckSec);
      } else lo = mid;
    }
    return best;
  }

  /**
   * Shallower alternatives to the best plan: for each depth bound below its depth, the best plan of that
   * depth if its estimated 1F1B iteration, (m + depth − 1) × bottleneck, could beat the deepest plan's by the
   * estimate (the simulator decides). Searched with a coarser tolerance; at most `maxSearches` bounds.
   */
  shallower(deepest: PartitionSolution, maxSearches = 4): PartitionSolution[] {
    const m = this.ctx.microBatches;
    const depth = solutionDepth(this.p, deepest.stages);
    const out: PartitionSolution[] = [];
    const seen = new Set<string>([key(deepest)]);
    let searches = 0;
    // Depth bounds at or above the DP's cap W (in-flight counts stop at m) cannot tell plans apart.
    const top = Math.min(depth, this.cap(Number.POSITIVE_INFINITY));
    // Bounds tried: one less than the deepest plan's, then halving down to 1.
    const bounds: number[] = [];
    for (let c = top - 1; c >= 1; c = c === top - 1 ? Math.floor(top / 2) : Math.floor(c / 2)) {
      if (!bounds.includes(c)) bounds.push(c);
      if (c === 1) break;
    }
    for (const c of bounds) {
      if (searches >= maxSearches) break;
      // Worth a search only if the shorter fill and drain could pay at least SHALLOWER_GAIN.
      const gain = (m + depth - 1) / (m + c - 1);
      if (gain < SHALLOWER_GAIN) continue;
      const limit = deepest.bottleneckSec * gain;
      searches++;
      const s = this.best(c, limit, 3e-2);
      if (s && s.bottleneckSec <= limit && !seen.has(key(s))) {
        seen.add(key(s));
        out.push(s);
      }
    }
    return out;
  }
}

function key(s: PartitionSolution): string {
  return s.stages.map((x) => `${x.units.join(",")}/${x.degree}/${x.recompute}`).join("|");
}

/** Stages on the longest path of a solution's stage graph (unit edges). */
export function solutionDepth(p: PlanningProblem, stages: readonly StagePick[]): number {
  const stageOf = new Int32Array(p.units.count).fill(-1);
  stages.forEach((s, i) => {
    for (const u of s.units) stageOf[u] = i;
  });
  const succ = stages.map(() => new Set<number>());
  for (let u = 0; u < p.units.count; u++) {
    for (const v of p.units.succs[u]!) if (stageOf[u] !== stageOf[v]) succ[stageOf[u]!]!.add(stageOf[v]!);
  }
  const depth = new Int32Array(stages.length);
  const visit = (i: number): number => {
    if (depth[i]! > 0) return depth[i]!;
    let d = 1;
    for (const j of succ[i]!) d = Math.max(d, 1 + visit(j));
    depth[i] = d;
    return d;
  };
  let best = 0;
  for (let i = 0; i < stages.length; i++) best = Math.max(best, visit(i));
  return best;
}
