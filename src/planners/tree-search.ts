/**
 * The flow the graph and sequential planners share: for every candidate micro-batch size, binary-search the
 * bottleneck on a plan tree (bottleneck-search.ts), turn the best partition into a Plan, let the judge (the
 * simulator) time every candidate, return the fastest that fits. When no micro-batch size has a plan, search
 * the least device memory with which one exists (the smallest micro-batch needs the least memory).
 */
import { type CostModel, DEFAULT_OPTIMIZER } from "../cost/types.js";
import type { Graph } from "../graph/types.js";
import type { Plan, ScheduleKind } from "../plan/types.js";
import { validatePlan } from "../plan/validate-plan.js";
import { assemblePlan } from "./assemble.js";
import { BottleneckSearch, type PartitionSolution, probe, solutionDepth } from "./bottleneck-search.js";
import type { PlanTree } from "./plan-tree.js";
import { microBatchCandidates, type PlanningProblem } from "./problem.js";
import { relayChain, relayCost } from "./relay.js";
import { type StageContext, stageContext } from "./stage-model.js";
import type { StagePick } from "./tree-dp.js";
import type { CandidateSummary, PlanJudgement, PlannerName, PlannerRequest, PlanResult } from "./types.js";

export interface TreeSearchSpec {
  readonly planner: PlannerName;
  readonly schedule: ScheduleKind;
  /** Weight copies beyond the first that the schedule keeps (2BW: 1). */
  readonly extraWeightVersions: number;
  /** Chain plans keep the search's stage order (their pipeline order). */
  readonly keepOrder?: boolean;
  /** Also offer every stage DAG under 1F1B (warm-up by topological rank) besides the schedule above. */
  readonly rankWarmupTwin?: boolean;
}

export interface Candidate {
  readonly microBatch: number;
  readonly schedule: ScheduleKind;
  readonly solution: PartitionSolution;
  readonly plan: Plan;
  /** The graph the plan refers to and its cost model (default: the request's). */
  readonly graph?: Graph;
  readonly cost?: CostModel;
  /**
   * A lower bound on the simulated iteration time (every micro-batch through the slowest stage's compute):
   * candidates whose bound exceeds the best simulated time are not simulated. Also the simulation order key
   * together with `estimateSec`.
   */
  readonly lowerBoundSec?: number;
  /** The planner's estimate of the iteration time (candidates are simulated best estimate first). */
  readonly estimateSec?: number;
}

/**
 * Iteration bounds of a partition at micro-batch b.
 * Lower bound (valid for every synchronous schedule, communication ignored): stage s cannot start its first
 * forward before micro-batch 0's forwards on the longest path to it, must run m forwards and backwards
 * (and recomputes), and the last backward still has to travel back along the longest path to a source:
 *   max over s of  F(path to s) + m·(F_s + B_s + R_s) + B(path from s back).
 * Estimate (for the order in which candidates are simulated): (m + depth − 1) × the bottleneck stage time.
 * `chain`: the stages run as the chain of their order (sequential pipelines), else as their stage graph.
 */
export function iterationBounds(
  p: PlanningProblem,
  ctx: Pick<StageContext, "microBatch" | "microBatches">,
  stages: readonly StagePick[],
  depth: number,
  bottleneckSec: number,
  chain = false,
): { lowerBoundSec: number; estimateSec: number } {
  const n = stages.length;
  const full = p.sampleSizes.indexOf(ctx.microBatch);
  const fwd = new Float64Array(n);
  const bwd = new Float64Array(n);
  const rc = new Float64Array(n);
  stages.forEach((s, i) => {
    // A degree that does not divide the micro-batch into a tabulated size: t(b/d) ≥ t(b)/d still bounds it.
    const k = p.sampleSizes.indexOf(ctx.microBatch / s.degree);
    const at = k >= 0 ? k : full;
    const scale = k >= 0 ? 1 : 1 / s.degree;
    for (const u of s.units) {
      fwd[i]! += p.fwdSec[at]![u]! * scale;
      bwd[i]! += (p.timeSec[at]![u]! - p.fwdSec[at]![u]!) * scale;
    }
    if (s.recompute) rc[i] = fwd[i]!;
  });
  // Stage graph: the chain of the given order, or the partition's own edges.
  const succ: number[][] = stages.map(() => []);
  if (chain) for (let i = 0; i + 1 < n; i++) succ[i]!.push(i + 1);
  else {
    const stageOf = new Int32Array(p.units.count).fill(-1);
    stages.forEach((s, i) => {
      for (const u of s.units) stageOf[u] = i;
    });
    const seen = stages.map(() => new Set<number>());
    for (let u = 0; u < p.units.count; u++) {
      const a = stageOf[u]!;
      for (const v of p.units.succs[u]!) {
        const b = stageOf[v]!;
        if (a !== b && a >= 0 && b >= 0 && !seen[a]!.has(b)) {
          seen[a]!.add(b);
          succ[a]!.push(b);
        }
      }
    }
  }
  const order = topoOrder(succ);
  const before = new Float64Array(n); // longest forward path ending just before s
  const after = new Float64Array(n); // longest backward path from just after s back to a source
  for (const i of order) for (const j of succ[i]!) before[j] = Math.max(before[j]!, before[i]! + fwd[i]!);
  for (const i of order) for (const j of succ[i]!) after[j] = Math.max(after[j]!, after[i]! + bwd[i]!);
  const m = ctx.microBatches;
  let lowerBoundSec = 0;
  for (let i = 0; i < n; i++) {
    lowerBoundSec = Math.max(lowerBoundSec, before[i]! + m * (fwd[i]! + bwd[i]! + rc[i]!) + after[i]!);
  }
  return { lowerBoundSec, estimateSec: (m + depth - 1) * bottleneckSec * ctx.microBatch };
}

function topoOrder(succ: readonly (readonly number[])[]): number[] {
  const indeg = new Int32Array(succ.length);
  for (const s of succ) for (const j of s) indeg[j]!++;
  const out: number[] = [];
  for (let i = 0; i < succ.length; i++) if (indeg[i] === 0) out.push(i);
  for (let k = 0; k < out.length; k++) for (const j of succ[out[k]!]!) if (--indeg[j]! === 0) out.push(j);
  return out;
}

/** A chain candidate as a sequential pipeline runs it: tensors relayed stage to stage (relay.ts). */
export function relayed(req: PlannerRequest, c: Candidate): Candidate {
  const r = relayChain(req.graph, c.plan);
  if (r.relays === 0) return c;
  return { ...c, plan: r.plan, graph: r.graph, cost: relayCost(req.cost, r.original) };
}

export function plannedDevices(req: PlannerRequest): number {
  return req.devices ?? req.cluster.nodes * req.cluster.devicesPerNode;
}

export function contextFor(
  req: PlannerRequest,
  p: PlanningProblem,
  spec: TreeSearchSpec,
  microBatch: number,
  memBytes?: number,
): StageContext {
  const optimizer = req.optimizer ?? DEFAULT_OPTIMIZER;
  return stageContext(p, req.cluster, {
    microBatch,
    microBatches: req.batch / microBatch,
    devices: plannedDevices(req),
    dataParallel: req.dataParallel ?? true,
    bytesPerParam: optimizer.bytesPerParam,
    extraWeightVersions: spec.extraWeightVersions,
    recompute: req.recompute ?? true,
    ...(memBytes === undefined ? {} : { memBytes }),
  });
}

/**
 * Most micro-batches per iteration a default candidate may have: beyond it the pipeline bubble is already
 * negligible, smaller micro-batches only lose kernel efficiency, and simulating them costs time ∝ the count.
 */
export const MAX_MICRO_BATCHES = 1024;

/** Relative tolerance of the search for the best plan without fused stages (an alternative, not the optimum). */
export const PLAIN_TOLERANCE = 3e-2;

export function microBatchSizes(req: PlannerRequest): number[] {
  const all = req.microBatchSizes ?? microBatchCandidates(req.batch).filter((b) => req.batch / b <= MAX_MICRO_BATCHES);
  return all.filter((b) => b >= 1 && b <= req.batch && req.batch % b === 0).sort((a, b) => a - b);
}

/**
 * The best partition per micro-batch size (and shallower alternatives), judged as they come: micro-batch sizes
 * are tried from the largest (most efficient kernels) down, and a size whose lower bound on the iteration time
 * exceeds the best simulated plan so far is not searched at all. Returns how many sizes found a partition.
 */
export function searchCandidates(
  req: PlannerRequest,
  p: PlanningProblem,
  tree: PlanTree,
  spec: TreeSearchSpec,
  progress: { done: number; total: number },
  pool: CandidatePool,
  plainTree?: PlanTree,
): number {
  let found = 0;
  const K = plannedDevices(req);
  let guess: number | undefined;
  for (const b of [...microBatchSizes(req)].reverse()) {
    req.onProgress?.({ planner: spec.planner, phase: `micro-batch ${b}`, done: progress.done, total: progress.total });
    progress.done++;
    if (microBatchLowerBound(p, b, req.batch, K) > pool.bestIterationSec) continue;
    const ctx = contextFor(req, p, spec, b);
    const search = new BottleneckSearch(p, tree, ctx, {
      devices: K,
      tolerance: req.tolerance ?? 1e-3,
      ...(guess === undefined ? {} : { guessSec: guess }),
    });
    const deepest = search.best(Number.POSITIVE_INFINITY);
    if (!deepest) continue;
    // Halving the micro-batch raises the time per sample a little: the next search starts just above.
    guess = deepest.bottleneckSec * 1.1;
    found++;
    const out: Candidate[] = [];
    const solutions = [deepest, ...search.shallower(deepest)];
    // A fused stage (a branch with the tail after its join) lowers the bottleneck but lengthens the path through
    // that branch; with few micro-batches the fill and drain it adds can cost more than it saves. The best plan
    // without fused stages is offered too (coarse search), and the simulator decides.
    if (plainTree && deepest.stages.some((s) => s.fused)) {
      const plain = new BottleneckSearch(p, plainTree, ctx, { devices: K, guessSec: deepest.bottleneckSec * 1.1 });
      const alt = plain.best(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, PLAIN_TOLERANCE);
      if (alt) solutions.push(alt);
    }
    for (const solution of solutions) {
      const plan = assemblePlan(p, solution.stages, {
        microBatch: b,
        microBatches: req.batch / b,
        schedule: spec.schedule,
        optimizer: req.optimizer ?? DEFAULT_OPTIMIZER,
        devices: K,
        devicesPerNode: req.cluster.devicesPerNode,
        ...(spec.keepOrder ? { keepOrder: true } : {}),
      });
      const depth = spec.keepOrder ? plan.stages.length : solutionDepth(p, solution.stages);
      const candidate: Candidate = {
        microBatch: b,
        schedule: spec.schedule,
        solution,
        plan,
        ...iterationBounds(p, ctx, solution.stages, depth, solution.bottleneckSec, spec.keepOrder === true),
      };
      if (candidate.lowerBoundSec! > pool.bestIterationSec) continue;
      out.push(spec.keepOrder ? relayed(req, candidate) : candidate);
      // The same stage DAG under 1F1B's rank warm-ups: more micro-batches in flight, more slack for transfers.
      if (spec.rankWarmupTwin && plan.stages.length > 1) {
        out.push({ ...candidate, schedule: "1f1b", plan: { ...plan, schedule: "1f1b" } });
      }
    }
    pool.offer(out);
  }
  return found;
}

/**
 * Judged candidates of one planner call. `offer` times candidates with the judge, best estimate first; a
 * candidate whose lower bound exceeds the best simulated iteration so far cannot win and is skipped (so is
 * every invalid plan, which tests expect never to happen). The fastest that fits wins; ties keep the first.
 */
export class CandidatePool {
  readonly summaries: CandidateSummary[] = [];
  private best: { c: Candidate; j: PlanJudgement } | undefined;
  private leastPeak = Number.POSITIVE_INFINITY;
  private offered = 0;

  constructor(
    readonly req: PlannerRequest,
    readonly planner: PlannerName,
  ) {}

  /** Best simulated iteration time so far (Infinity before any fitting candidate). */
  get bestIterationSec(): number {
    return this.best ? this.best.j.iterationSec : Number.POSITIVE_INFINITY;
  }

  private summary(c: Candidate, extra: Partial<CandidateSummary>): CandidateSummary {
    return {
      microBatch: c.microBatch,
      schedule: c.schedule,
      stages: c.plan.stages.length,
      bottleneckSec: c.solution.bottleneckSec,
      samplesPerSec: 0,
      fits: false,
      ...extra,
    };
  }

  offer(all: readonly Candidate[]): void {
    const { req, planner } = this;
    const candidates = all
      .map((c, k) => ({ c, k }))
      .sort((a, b) => (a.c.estimateSec ?? 0) - (b.c.estimateSec ?? 0) || a.k - b.k)
      .map((x) => x.c);
    for (const c of candidates) {
      this.offered++;
      req.onProgress?.({ planner, phase: "simulating", done: this.offered, total: this.offered + 1 });
      if (c.lowerBoundSec !== undefined && c.lowerBoundSec > this.bestIterationSec) {
        this.summaries.push(this.summary(c, { skipped: true }));
        continue;
      }
      const graph = c.graph ?? req.graph;
      const issues = validatePlan(c.plan, graph, req.cluster);
      if (issues.length > 0) {
        this.summaries.push(this.summary(c, { invalid: issues.length }));
        continue;
      }
      const j = req.judge(c.plan, graph, c.cost ?? req.cost);
      this.summaries.push(this.summary(c, { samplesPerSec: j.samplesPerSec, fits: j.fits }));
      if (!j.fits) {
        this.leastPeak = Math.min(this.leastPeak, Math.max(...j.peakMemBytes));
        continue;
      }
      if (!this.best || j.samplesPerSec > this.best.j.samplesPerSec * (1 + 1e-9)) this.best = { c, j };
    }
  }

  result(): PlanResult {
    const { req, planner } = this;
    if (!this.best) {
      return {
        ok: false,
        planner,
        reason:
          this.offered === 0
            ? "no plan fits in device memory"
            : "every candidate plan exceeds device memory in simulation",
        ...(Number.isFinite(this.leastPeak) ? { leastMemBytes: this.leastPeak } : {}),
      };
    }
    const { c, j } = this.best;
    return {
      ok: true,
      planner,
      plan: c.plan,
      graph: c.graph ?? req.graph,
      cost: c.cost ?? req.cost,
      predicted: { ...j, bottleneckSec: c.solution.bottleneckSec },
      candidates: this.summaries,
    };
  }
}

export function pickBest(req: PlannerRequest, planner: PlannerName, all: readonly Candidate[]): PlanResult {
  const pool = new CandidatePool(req, planner);
  pool.offer(all);
  return pool.result();
}

/**
 * A lower bound on the iteration time of any plan at micro-batch b with K devices: each micro-batch needs at
 * least Σ_u T_u(b) device-seconds (a replica on b/d samples takes at least 1/d of the time of b samples), so the
 * busiest of the K devices works at least m·Σ_u T_u(b)/K.
 */
export function microBatchLowerBound(p: PlanningProblem, b: number, batch: number, devices: number): number {
  const k = p.sampleSizes.indexOf(b);
  let work = 0;
  for (const t of p.timeSec[k]!) work += t;
  return ((batch / b) * work) / devices;
}

/**
 * Least device memory (bytes, to 0.1 %) with which the tree search finds any plan: memory-only probes (τ = ∞) at
 * the smallest micro-batch size, doubling then bisecting the budget.
 */
export function leastMemory(
  req: PlannerRequest,
  p: PlanningProblem,
  tree: PlanTree,
  spec: TreeSearchSpec,
): number | undefined {
  const sizes = microBatchSizes(req);
  if (sizes.length === 0) return undefined;
  const b = sizes[0]!;
  const K = plannedDevices(req);
  const fits = (mem: number) =>
    probe(p, tree, contextFor(req, p, spec, b, mem), K, Number.POSITIVE_INFINITY).solution !== undefined;
  let lo = req.cluster.device.memBytes;
  let hi = lo * 2;
  while (!fits(hi)) {
    lo = hi;
    hi *= 2;
    if (hi > 2 ** 62) return undefined;
  }
  while (hi - lo > hi * 1e-3) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  return Math.ceil(hi);
}
