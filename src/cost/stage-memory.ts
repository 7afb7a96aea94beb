/**
 * Memory of ONE device of a stage at its peak, as a breakdown with a total (docs/cost-model.md):
 *
 *   weights       Σ paramBytes                              (the graph dtype)
 *   gradients     Σ paramBytes
 *   optimizer     params × bytesPerParam − weights − gradients   (Adam mixed: 16 B/param in all)
 *   weightVersions (versions − 1) × weights                 (2BW keeps 2; PipeDream's stashing one per in-flight µ-batch)
 *   activations   kept × s × (inFlight − 1) + peak × s       s = samples of one micro-batch on this device
 *                   none:  kept = peak = saved bytes/sample
 *                   full:  kept = stage input bytes/sample, peak = input + saved (one micro-batch re-run for its backward)
 *                   remat: kept = the remat schedule's saved bytes/sample, peak = its peak (default: kept)
 *   workspace     max over ops of workspace bytes/sample × s
 *   commBuffers   2 × (stage input + stage output bytes/sample) × s: one receive and one send buffer per direction
 *
 * Data parallelism enters through s (= micro-batch / data-parallel degree) and the weights are replicated;
 * tensor parallelism is not modelled here.
 */
import type { Graph, Op } from "../graph/types.js";
import { DEFAULT_OPTIMIZER, type OptimizerSpec } from "./types.js";

/** Same literals as the plan's RecomputeMode (src/plan/types.ts); restated so cost/ does not import plan/. */
export type StageRecompute = "none" | "full" | "remat";

/** Sums over a stage's ops that memory depends on (rangeSizes gives them in O(1) for contiguous ranges). */
export interface StageTotals {
  readonly params: number;
  readonly paramBytes: number;
  readonly savedBytesPerSample: number;
  readonly maxWorkspaceBytesPerSample: number;
  /** Bytes per sample of tensors entering the stage from outside it (0 when unknown). */
  readonly inputBytesPerSample?: number;
  /** Bytes per sample of tensors the stage sends to other stages (0 when unknown). */
  readonly outputBytesPerSample?: number;
}

export interface StageMemoryOptions {
  /** Samples of one micro-batch that one device of the stage processes (micro-batch ÷ data-parallel degree). */
  readonly samplesPerDevice: number;
  /** Micro-batches whose activations the stage holds at its peak (from the schedule: 1F1B stage r of p: p − r). */
  readonly inFlight: number;
  readonly optimizer?: OptimizerSpec;
  /** Weight versions held (default 1). */
  readonly weightVersions?: number;
  readonly recompute?: StageRecompute;
  /** recompute "remat": bytes per sample kept per waiting micro-batch (Stage.rematCost.savedBytesPerSample). */
  readonly rematSavedBytesPerSample?: number;
  /** recompute "remat": activation peak per sample while one micro-batch runs its backward; default the kept bytes. */
  readonly rematPeakBytesPerSample?: number;
  /** Replaces the communication-buffer estimate (e.g. the simulator's own count). */
  readonly commBufferBytes?: number;
}

export interface StageMemory {
  readonly weightsBytes: number;
  readonly gradientsBytes: number;
  readonly optimizerBytes: number;
  /** Extra weight copies beyond the first. */
  readonly weightVersionsBytes: number;
  readonly activationsBytes: number;
  readonly workspaceBytes: number;
  readonly commBuffersBytes: number;
  readonly totalBytes: number;
}

export function stageTotals(ops: readonly Op[], graph?: Graph): StageTotals {
  let params = 0;
  let paramBytes = 0;
  let saved = 0;
  let workspace = 0;
  for (const op of ops) {
    params += op.params;
    paramBytes += op.paramBytes;
    saved += op.savedBytesPerSample;
    workspace = Math.max(workspace, op.workspaceBytesPerSample ?? 0);
  }
  const boundary = graph === undefined ? undefined : stageBoundary(graph, ops);
  return {
    params,
    paramBytes,
    savedBytesPerSample: saved,
    maxWorkspaceBytesPerSample: workspace,
    ...(boundary === undefined ? {} : boundary),
  };
}

/**
 * Bytes per sample crossing the stage boundary: inputs = outputs of ops outside the stage that some stage op
 * reads (each tensor once); outputs = outputs of stage ops that some op outside reads (each tensor once).
 */
export function stageBoundary(
  graph: Graph,
  ops: readonly Op[],
): { inputBytesPerSample: number; outputBytesPerSample: number } {
  const inside = new Set(ops.map((op) => op.id));
  const byId = new Map(graph.ops.map((op) => [op.id, op]));
  const inputs = new Set<string>();
  for (const op of ops) for (const id of op.inputs) if (!inside.has(id)) inputs.add(id);
  const outputs = new Set<string>();
  for (const op of graph.ops) {
    if (inside.has(op.id)) continue;
    for (const id of op.inputs) if (inside.has(id)) outputs.add(id);
  }
  let inputBytesPerSample = 0;
  for (const id of inputs) inputBytesPerSample += byId.get(id)?.outBytesPerSample ?? 0;
  let outputBytesPerSample = 0;
  for (const id of outputs) outputBytesPerSample += byId.get(id)?.outBytesPerSample ?? 0;
  return { inputBytesPerSample, outputBytesPerSample };
}

export function stageMemoryFromTotals(t: StageTotals, opts: StageMemoryOptions): StageMemory {
  const s = Math.max(0, opts.samplesPerDevice);
  const inFlight = Math.max(0, opts.inFlight);
  const optimizer = opts.optimizer ?? DEFAULT_OPTIMIZER;
  const versions = Math.max(1, opts.weightVersions ?? 1);
  const weightsBytes = t.paramBytes;
  const gradientsBytes = t.paramBytes;
  const optimizerBytes = Math.max(0, t.params * optimizer.bytesPerParam - weightsBytes - gradientsBytes);
  const weightVersionsBytes = (versions - 1) * weightsBytes;
  const input = t.inputBytesPerSample ?? 0;
  const output = t.outputBytesPerSample ?? 0;
  let kept = t.savedBytesPerSample;
  let peak = t.savedBytesPerSample;
  if (opts.recompute === "full") {
    kept = input;
    peak = input + t.savedBytesPerSample;
  } else if (opts.recompute === "remat") {
    kept = opts.rematSavedBytesPerSample ?? t.savedBytesPerSample;
    peak = Math.max(kept, opts.rematPeakBytesPerSample ?? kept);
  }
  const activationsBytes = inFlight === 0 ? 0 : kept * s * (inFlight - 1) + peak * s;
  const workspaceBytes = t.maxWorkspaceBytesPerSample * s;
  const commBuffersBytes = opts.commBufferBytes ?? 2 * (input + output) * s;
  return {
    weightsBytes,
    gradientsBytes,
    optimizerBytes,
    weightVersionsBytes,
    activationsBytes,
    workspaceBytes,
    commBuffersBytes,
    totalBytes:
      weightsBytes +
      gradientsBytes +
      optimizerBytes +
      weightVersionsBytes +
      activationsBytes +
      workspaceBytes +
      commBuffersBytes,
  };
}

/** Memory of one device of a stage made of `ops`; pass the graph to count the stage's boundary tensors. */
export function stageMemory(ops: readonly Op[], opts: StageMemoryOptions & { readonly graph?: Graph }): StageMemory {
  return stageMemoryFromTotals(stageTotals(ops, opts.graph), opts);
}
