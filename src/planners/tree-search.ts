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
import type { CandidateSummary, PlannerName, PlannerRequest, PlanResult } from "./types.js";

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

/** Iteration bounds of a partition at micro-batch b: m × slowest stage compute, and (m + depth − 1) × bottleneck. */
export function iterationBounds(
  p: PlanningProblem,
  ctx: StageContext,
  stages: readonly StagePick[],
  depth: number,
  bottleneckSec: number,
): { lowerBoundSec: number; estimateSec: number } {
  let slowest = 0;
  const full = p.sampleSizes.indexOf(ctx.microBatch);
  for (const s of stages) {
    // A degree that does not divide the micro-batch into a tabulated size: t(b/d) ≥ t(b)/d still bounds it.
    const k = p.sampleSizes.indexOf(ctx.microBatch / s.degree);
    const at = k >= 0 ? k : full;
    const scale = k >= 0 ? 1 : 1 / s.degree;
    let t = 0;
    for (const u of s.units) t += p.timeSec[at]![u]! + (s.recompute ? p.fwdSec[at]![u]! : 0);
    slowest = Math.max(slowest, t * scale);
  }
  const m = ctx.microBatches;
  return { lowerBoundSec: m * slowest, estimateSec: (m + depth - 1) * bottleneckSec * ctx.microBatch };
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

export function microBatchSizes(req: PlannerRequest): number[] {
  const all = req.microBatchSizes ?? microBatchCandidates(req.batch).filter((b) => req.batch / b <= MAX_MICRO_BATCHES);
  return all.filter((b) => b >= 1 && b <= req.batch && req.batch % b === 0).sort((a, b) => a - b);
}

/** The best partition per micro-batch size, as plans (not yet judged). */
export function searchCandidates(
  req: PlannerRequest,
  p: PlanningProblem,
  tree: PlanTree,
  spec: TreeSearchSpec,
  progress: { done: number; total: number },
): Candidate[] {
  const out: Candidate[] = [];
  const K = plannedDevices(req);
  for (const b of microBatchSizes(req)) {
    req.onProgress?.({ planner: spec.planner, phase: `micro-batch ${b}`, done: progress.done, total: progress.total });
    const ctx = contextFor(req, p, spec, b);
    const search = new BottleneckSearch(p, tree, ctx, { devices: K, tolerance: req.tolerance ?? 1e-3 });
    const deepest = search.best(Number.POSITIVE_INFINITY);
    progress.done++;
    if (!deepest) continue;
    for (const solution of [deepest, ...search.shallower(deepest)]) {
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
        ...iterationBounds(p, ctx, solution.stages, depth, solution.bottleneckSec),
      };
      out.push(spec.keepOrder ? relayed(req, candidate) : candidate);
      // The same stage DAG under 1F1B's rank warm-ups: more micro-batches in flight, more slack for transfers.
      if (spec.rankWarmupTwin && plan.stages.length > 1) {
        out.push({ ...candidate, schedule: "1f1b", plan: { ...plan, schedule: "1f1b" } });
      }
    }
  }
  return out;
}

/**
 * Times the candidates with the judge, best estimate first; the fastest that fits wins (ties: the one simulated
 * first). A candidate whose lower bound exceeds the best simulated iteration so far cannot win and is skipped.
 */
export function pickBest(req: PlannerRequest, planner: PlannerName, all: readonly Candidate[]): PlanResult {
  const summaries: CandidateSummary[] = [];
  let best: { c: Candidate; j: ReturnType<PlannerRequest["judge"]> } | undefined;
  let leastPeak = Number.POSITIVE_INFINITY;
  const candidates = all
    .map((c, k) => ({ c, k }))
    .sort((a, b) => (a.c.estimateSec ?? 0) - (b.c.estimateSec ?? 0) || a.k - b.k)
    .map((x) => x.c);
  candidates.forEach((c, k) => {
    req.onProgress?.({ planner, phase: "simulating", done: k, total: candidates.length });
    if (best && c.lowerBoundSec !== undefined && c.lowerBoundSec > best.j.iterationSec) {
      summaries.push({
        microBatch: c.microBatch,
        schedule: c.schedule,
        stages: c.plan.stages.length,
        bottleneckSec: c.solution.bottleneckSec,
        samplesPerSec: 0,
        fits: false,
        skipped: true,
      });
      return;
    }
    const graph = c.graph ?? req.graph;
    const issues = validatePlan(c.plan, graph, req.cluster);
    if (issues.length > 0) {
      summaries.push({
        microBatch: c.microBatch,
        schedule: c.schedule,
        stages: c.plan.stages.length,
        bottleneckSec: c.solution.bottleneckSec,
        samplesPerSec: 0,
        fits: false,
        invalid: issues.length,
      });
      return;
    }
    const j = req.judge(c.plan, graph, c.cost ?? req.cost);
    summaries.push({
      microBatch: c.microBatch,
      schedule: c.schedule,
      stages: c.plan.stages.length,
      bottleneckSec: c.solution.bottleneckSec,
      samplesPerSec: j.samplesPerSec,
      fits: j.fits,
    });
    if (!j.fits) {
      leastPeak = Math.min(leastPeak, Math.max(...j.peakMemBytes));
      return;
    }
    if (!best || j.samplesPerSec > best.j.samplesPerSec * (1 + 1e-9)) best = { c, j };
  });
  if (!best) {
    return {
      ok: false,
      planner,
      reason:
        candidates.length === 0
          ? "no plan fits in device memory"
          : "every candidate plan exceeds device memory in simulation",
      ...(Number.isFinite(leastPeak) ? { leastMemBytes: leastPeak } : {}),
    };
  }
  const { c, j } = best;
  return {
    ok: true,
    planner,
    plan: c.plan,
    graph: c.graph ?? req.graph,
    predicted: { ...j, bottleneckSec: c.solution.bottleneckSec },
    candidates: summaries,
  };
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
