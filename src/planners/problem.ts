/**
 * The planning problem every planner works on: the graph cut into units (`units.ts`), each unit's costs at
 * every per-device sample count a plan can use (powers of two up to the largest micro-batch), and the tensors
 * that cross unit boundaries (what stages send each other). Built once per planner call; all searches read it.
 *
 * Why powers of two: micro-batch sizes are powers of two (GraphPipe §1.6) and data-parallel degrees are powers
 * of two that divide them, so every replica of every stage runs exactly b/d samples and one cost table per
 * power of two serves every (b, d).
 */
import type { CostModel } from "../cost/types.js";
import { type GraphIndex, indexGraph } from "../graph/graph-index.js";
import type { Graph } from "../graph/types.js";
import { buildUnits, type Units } from "./units.js";

export interface Tensor {
  /** Producing op (index in graph.ops) and its unit. */
  readonly op: number;
  readonly unit: number;
  readonly bytesPerSample: number;
  /** Units (other than the producer's) that read it, ascending. */
  readonly consumers: readonly number[];
}

export interface PlanningProblem {
  readonly graph: Graph;
  readonly index: GraphIndex;
  readonly units: Units;
  /** Per-device sample counts with a cost table: 1, 2, 4, … up to the largest micro-batch. */
  readonly sampleSizes: readonly number[];
  /** timeSec[k][u]: forward + backward seconds of unit u on sampleSizes[k] samples; fwdSec likewise forward only. */
  readonly timeSec: readonly Float64Array[];
  readonly fwdSec: readonly Float64Array[];
  readonly params: Float64Array;
  readonly paramBytes: Float64Array;
  readonly savedBytesPerSample: Float64Array;
  /** Largest per-sample workspace of any op of the unit (ops run one at a time). */
  readonly workspaceBytesPerSample: Float64Array;
  readonly tensors: readonly Tensor[];
  /** Tensor ids each unit reads from other units / writes for other units. */
  readonly tensorsIn: readonly (readonly number[])[];
  readonly tensorsOut: readonly (readonly number[])[];
}

/**
 * Ops without parameters whose one-sample time is at most this share of the median parametric op's are glue
 * (see units.ts): a relu, a concat, an input or a cheap loss never deserves a stage boundary of its own.
 */
export const GLUE_TIME_SHARE = 0.5;

/** Micro-batch sizes a plan may use for a mini-batch of `batch` samples: powers of two that divide it. */
export function microBatchCandidates(batch: number): number[] {
  const out: number[] = [];
  for (let b = 1; b <= batch; b *= 2) if (batch % b === 0) out.push(b);
  return out;
}

export function buildProblem(
  graph: Graph,
  cost: CostModel,
  maxMicroBatch: number,
  options: { mergeGlue?: boolean; glueTimeShare?: number } = {},
): PlanningProblem {
  const index = indexGraph(graph);
  const n = graph.ops.length;
  const sampleSizes: number[] = [];
  for (let s = 1; s <= maxMicroBatch; s *= 2) sampleSizes.push(s);
  const opTime = sampleSizes.map(() => new Float64Array(n));
  const opFwd = sampleSizes.map(() => new Float64Array(n));
  sampleSizes.forEach((s, k) => {
    for (let i = 0; i < n; i++) {
      const t = cost.opTime(graph.ops[i]!, s);
      opTime[k]![i] = t.fwdSec + t.bwdSec;
      opFwd[k]![i] = t.fwdSec;
    }
  });
  const isGlue = glueTest(graph, opTime[0]!, options.glueTimeShare ?? GLUE_TIME_SHARE);
  const units = buildUnits(index, options.mergeGlue === false ? () => false : isGlue);
  const u = units.count;
  const timeSec = sampleSizes.map(() => new Float64Array(u));
  const fwdSec = sampleSizes.map(() => new Float64Array(u));
  const params = new Float64Array(u);
  const paramBytes = new Float64Array(u);
  const saved = new Float64Array(u);
  const workspace = new Float64Array(u);
  for (let i = 0; i < n; i++) {
    const op = graph.ops[i]!;
    const k = units.unitOf[i]!;
    for (let s = 0; s < sampleSizes.length; s++) {
      timeSec[s]![k]! += opTime[s]![i]!;
      fwdSec[s]![k]! += opFwd[s]![i]!;
    }
    params[k]! += op.params;
    paramBytes[k]! += op.paramBytes;
    saved[k]! += op.savedBytesPerSample;
    workspace[k] = Math.max(workspace[k]!, op.workspaceBytesPerSample ?? 0);
  }
  const tensors: Tensor[] = [];
  const tensorsIn: number[][] = Array.from({ length: u }, () => []);
  const tensorsOut: number[][] = Array.from({ length: u }, () => []);
  for (let i = 0; i < n; i++) {
    const unit = units.unitOf[i]!;
    const consumers = [...new Set(index.succs[i]!.map((c) => units.unitOf[c]!))].filter((c) => c !== unit);
    if (consumers.length === 0) continue;
    consumers.sort((a, b) => a - b);
    const id = tensors.length;
    tensors.push({ op: i, unit, bytesPerSample: graph.ops[i]!.outBytesPerSample, consumers });
    tensorsOut[unit]!.push(id);
    for (const c of consumers) tensorsIn[c]!.push(id);
  }
  return {
    graph,
    index,
    units,
    sampleSizes,
    timeSec,
    fwdSec,
    params,
    paramBytes,
    savedBytesPerSample: saved,
    workspaceBytesPerSample: workspace,
    tensors,
    tensorsIn,
    tensorsOut,
  };
}

/** Glue: no parameters and a time (one sample) under GLUE_TIME_SHARE of the median op that has parameters. */
function glueTest(graph: Graph, time1: Float64Array, share: number): (op: number) => boolean {
  const parametric: number[] = [];
  graph.ops.forEach((op, i) => {
    if (op.params > 0) parametric.push(time1[i]!);
  });
  parametric.sort((a, b) => a - b);
  const median = parametric.length > 0 ? parametric[Math.floor(parametric.length / 2)]! : 0;
  const limit = share * median;
  return (i) => graph.ops[i]!.params === 0 && time1[i]! <= limit;
}
