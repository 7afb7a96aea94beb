/**
 * The planners' analytic stage model: time per sample (TPS) and memory per device of one candidate stage.
 * Every search (graph DP, chain DP, exhaustive reference) scores stages with these functions and nothing else,
 * so "the planner's objective" is one precise thing (docs/planners.md §Objective):
 *
 *   objective(plan) = max over stages of TPS, subject to every stage fitting in device memory, where for a stage
 *   with data-parallel degree d at micro-batch b (s = b/d samples per replica), m = N/b micro-batches, in-flight
 *   count k = min(m, w) (w = stages on the longest stage-graph path from it to a sink, DAG-1F1B's warm-up):
 *
 *   TPS    = [ T(s) + R·F(s) + p2p(in·s) + p2p(out·s) + (allReduce(d, gradBytes) + step) / m ] / b
 *   memory = max(params·bytesPerParam, 2·paramBytes) + extraVersions·paramBytes + workspace·s + 2·(in + out)·s
 *            + (no recompute)  k · saved · s
 *            + (recompute)     saved · s + k · in · s
 *
 *   T, F: forward+backward / forward seconds of the stage's ops at s samples (cost model); R = 1 when the stage
 *   recomputes its forward (whole-stage recompute, PipeDream-2BW style), else 0; in / out: bytes per sample of
 *   the tensors the stage receives / sends (each tensor once); p2p(x) = latency + x / bandwidth (0 for x = 0) on
 *   the planning link (below); allReduce: the cluster's all-reduce over d devices of one aligned device group;
 *   step: the optimizer step, memory-bound, 2·params·bytesPerParam / memory bandwidth (as the simulator charges).
 *   The memory is exactly src/cost/stage-memory.ts's breakdown (weights + gradients + optimizer state, weight
 *   versions, activations, workspace, communication buffers) — a test keeps the two equal.
 *
 * A stage recomputes only when it does not fit otherwise: at a fixed micro-batch recompute is never faster, and
 * its value is letting a larger micro-batch fit, which the search over b explores.
 *
 * Planning link: before devices are placed, a stage boundary is inside a node or across nodes depending on the
 * placement. The model charges the expected cost of a chain laid out on consecutive devices: a share
 * (nodes − 1)/(devices − 1) of the boundaries cross nodes. The simulator, which sees the real placement, judges
 * the final candidates.
 */
import { allReduceSec } from "../hardware/comm.js";
import type { Cluster } from "../hardware/types.js";
import type { PlanningProblem } from "./problem.js";

/** Aggregate numbers of a set of units (a candidate stage). */
export interface StageSums {
  /** Per sample-size index of the problem. */
  readonly timeSec: Float64Array;
  readonly fwdSec: Float64Array;
  params: number;
  paramBytes: number;
  savedBytesPerSample: number;
  workspaceBytesPerSample: number;
  inBytesPerSample: number;
  outBytesPerSample: number;
}

export function emptySums(sizes: number): StageSums {
  return {
    timeSec: new Float64Array(sizes),
    fwdSec: new Float64Array(sizes),
    params: 0,
    paramBytes: 0,
    savedBytesPerSample: 0,
    workspaceBytesPerSample: 0,
    inBytesPerSample: 0,
    outBytesPerSample: 0,
  };
}

export function clearSums(s: StageSums): void {
  s.timeSec.fill(0);
  s.fwdSec.fill(0);
  s.params = 0;
  s.paramBytes = 0;
  s.savedBytesPerSample = 0;
  s.workspaceBytesPerSample = 0;
  s.inBytesPerSample = 0;
  s.outBytesPerSample = 0;
}

/** Adds one unit's own numbers (not its communication) to `s`. */
export function addUnit(s: StageSums, p: PlanningProblem, u: number): void {
  for (let k = 0; k < s.timeSec.length; k++) {
    s.timeSec[k]! += p.timeSec[k]![u]!;
    s.fwdSec[k]! += p.fwdSec[k]![u]!;
  }
  s.params += p.params[u]!;
  s.paramBytes += p.paramBytes[u]!;
  s.savedBytesPerSample += p.savedBytesPerSample[u]!;
  s.workspaceBytesPerSample = Math.max(s.workspaceBytesPerSample, p.workspaceBytesPerSample[u]!);
}

/** Adds another aggregate's own numbers (not communication). */
export function addSums(s: StageSums, o: StageSums): void {
  for (let k = 0; k < s.timeSec.length; k++) {
    s.timeSec[k]! += o.timeSec[k]!;
    s.fwdSec[k]! += o.fwdSec[k]!;
  }
  s.params += o.params;
  s.paramBytes += o.paramBytes;
  s.savedBytesPerSample += o.savedBytesPerSample;
  s.workspaceBytesPerSample = Math.max(s.workspaceBytesPerSample, o.workspaceBytesPerSample);
}

/**
 * Sums of an arbitrary unit set, communication included. `inSet`: scratch of p.units.count zeros (callers in a
 * loop pass one to reuse); the units are marked in it while summing and cleared again before returning.
 */
export function sumsOfSet(
  p: PlanningProblem,
  units: readonly number[],
  inSet: Uint8Array = new Uint8Array(p.units.count),
): StageSums {
  for (const u of units) inSet[u] = 1;
  const s = emptySums(p.sampleSizes.length);
  for (const u of units) addUnit(s, p, u);
  const counted = new Set<number>();
  for (const u of units) {
    for (const t of p.tensorsIn[u]!) {
      const tensor = p.tensors[t]!;
      if (!inSet[tensor.unit] && !counted.has(t)) {
        counted.add(t);
        s.inBytesPerSample += tensor.bytesPerSample;
      }
    }
    for (const t of p.tensorsOut[u]!) {
      const tensor = p.tensors[t]!;
      if (tensor.consumers.some((c) => !inSet[c])) s.outBytesPerSample += tensor.bytesPerSample;
    }
  }
  for (const u of units) inSet[u] = 0;
  return s;
}

/** What one micro-batch size (and schedule) fixes for every stage: the constants of the formulas above. */
export interface StageContext {
  readonly microBatch: number;
  readonly microBatches: number;
  readonly memBytes: number;
  readonly bytesPerParam: number;
  /** Extra weight copies a schedule keeps (2BW: 1), in paramBytes. */
  readonly extraWeightVersions: number;
  readonly recompute: boolean;
  /** Sample-size index of s = b/d for each allowed degree d (−1 where d is not allowed). */
  readonly sampleIndexOfDegree: Int32Array;
  /** Allowed data-parallel degrees, ascending. */
  readonly degrees: readonly number[];
  readonly p2pLatencySec: number;
  readonly p2pBytesPerSec: number;
  /** All-reduce seconds over d devices = alpha[d] + beta[d]·bytes (the α–β model is affine in bytes). */
  readonly allReduceAlpha: Float64Array;
  readonly allReduceBeta: Float64Array;
  /** Optimizer step seconds per parameter (once per iteration). */
  readonly stepSecPerParam: number;
}

export interface ContextOptions {
  readonly microBatch: number;
  readonly microBatches: number;
  readonly devices: number;
  readonly dataParallel: boolean;
  readonly bytesPerParam: number;
  readonly extraWeightVersions?: number;
  readonly recompute?: boolean;
  /** Memory budget per device; default the cluster device's memory. */
  readonly memBytes?: number;
  /** Largest degree considered (default: devices). */
  readonly maxDegree?: number;
}

export function stageContext(p: PlanningProblem, cluster: Cluster, o: ContextOptions): StageContext {
  const K = o.devices;
  const maxDegree = o.dataParallel ? Math.min(K, o.maxDegree ?? K, o.microBatch) : 1;
  const degrees: number[] = [];
  for (let d = 1; d <= maxDegree; d *= 2) if (o.microBatch % d === 0) degrees.push(d);
  const sampleIndexOfDegree = new Int32Array(K + 1).fill(-1);
  for (const d of degrees) sampleIndexOfDegree[d] = p.sampleSizes.indexOf(o.microBatch / d);
  const alpha = new Float64Array(K + 1);
  const beta = new Float64Array(K + 1);
  for (const d of degrees) {
    const group = Array.from({ length: d }, (_, i) => i);
    const zero = allReduceSec(cluster, group, 1);
    const big = allReduceSec(cluster, group, 1 + 2 ** 30);
    beta[d] = (big - zero) / 2 ** 30;
    alpha[d] = zero - beta[d]!;
  }
  const nodes = Math.ceil(K / cluster.devicesPerNode);
  const crossShare = K > 1 ? (nodes - 1) / (K - 1) : 0;
  const secPerByte = (1 - crossShare) / cluster.intra.bytesPerSec + crossShare / cluster.inter.bytesPerSec;
  return {
    microBatch: o.microBatch,
    microBatches: o.microBatches,
    memBytes: o.memBytes ?? cluster.device.memBytes,
    bytesPerParam: o.bytesPerParam,
    extraWeightVersions: o.extraWeightVersions ?? 0,
    recompute: o.recompute ?? true,
    sampleIndexOfDegree,
    degrees,
    p2pLatencySec: (1 - crossShare) * cluster.intra.latencySec + crossShare * cluster.inter.latencySec,
    p2pBytesPerSec: 1 / secPerByte,
    allReduceAlpha: alpha,
    allReduceBeta: beta,
    stepSecPerParam: (2 * o.bytesPerParam) / cluster.device.memBytesPerSec,
  };
}

function p2pSec(ctx: StageContext, bytes: number): number {
  return bytes > 0 ? ctx.p2pLatencySec + bytes / ctx.p2pBytesPerSec : 0;
}

/** Time per sample without / with recompute; memory limits as the largest in-flight count that fits. */
export interface StageVerdict {
  tpsSec: number;
  tpsRecomputeSec: number;
  /** Largest in-flight count k that fits without recompute (Infinity when activations take no memory; < 1: never). */
  maxInFlight: number;
  maxInFlightRecompute: number;
}

/** Scores a stage at degree d (must be an allowed degree). Writes into `out` to avoid allocation in hot loops. */
export function judgeStage(s: StageSums, d: number, ctx: StageContext, out: StageVerdict): StageVerdict {
  const k = ctx.sampleIndexOfDegree[d]!;
  const samples = ctx.microBatch / d;
  const b = ctx.microBatch;
  const comm = p2pSec(ctx, s.inBytesPerSample * samples) + p2pSec(ctx, s.outBytesPerSample * samples);
  const ar = d > 1 && s.paramBytes > 0 ? ctx.allReduceAlpha[d]! + ctx.allReduceBeta[d]! * s.paramBytes : 0;
  const base = s.timeSec[k]! + comm + (ar + s.params * ctx.stepSecPerParam) / ctx.microBatches;
  out.tpsSec = base / b;
  out.tpsRecomputeSec = (base + s.fwdSec[k]!) / b;
  const room = ctx.memBytes - fixedBytes(s, ctx, samples);
  const act = s.savedBytesPerSample * samples;
  out.maxInFlight = room < 0 ? -1 : act > 0 ? Math.floor(room / act + 1e-9) : Number.POSITIVE_INFINITY;
  if (ctx.recompute && act > 0) {
    const stash = s.inBytesPerSample * samples;
    const roomRc = room - act;
    out.maxInFlightRecompute =
      roomRc < 0 ? -1 : stash > 0 ? Math.floor(roomRc / stash + 1e-9) : Number.POSITIVE_INFINITY;
  } else out.maxInFlightRecompute = -1;
  return out;
}

/** The part of a stage's memory that does not grow with the in-flight count. */
function fixedBytes(s: StageSums, ctx: StageContext, samples: number): number {
  return (
    Math.max(s.params * ctx.bytesPerParam, 2 * s.paramBytes) +
    ctx.extraWeightVersions * s.paramBytes +
    s.workspaceBytesPerSample * samples +
    2 * (s.inBytesPerSample + s.outBytesPerSample) * samples
  );
}

/** Memory per device of a stage at in-flight count k (the formula above), for reports and tests. */
export function stageMemBytes(
  s: StageSums,
  d: number,
  ctx: StageContext,
  inFlight: number,
  recompute: boolean,
): number {
  const samples = ctx.microBatch / d;
  const act = s.savedBytesPerSample * samples;
  const fixed = fixedBytes(s, ctx, samples);
  if (!recompute) return fixed + inFlight * act;
  return fixed + act + inFlight * s.inBytesPerSample * samples;
}

/**
 * The best option of a stage at in-flight count k under target τ: 0 = infeasible, 1 = fits without recompute,
 * 2 = fits with recompute. Both checks (time under τ and memory) must hold for an option.
 */
export function stageOption(v: StageVerdict, inFlight: number, tau: number): 0 | 1 | 2 {
  if (v.tpsSec <= tau && inFlight <= v.maxInFlight) return 1;
  if (v.tpsRecomputeSec <= tau && inFlight <= v.maxInFlightRecompute) return 2;
  return 0;
}
