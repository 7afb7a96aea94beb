/**
 * What the lowering passes need to know about a plan besides the schedule: the stage graph, which replica
 * of a stage a device is, the bytes per sample that cross each stage edge, and each stage's gradient bytes.
 * Built once per lowering; O(ops + edges).
 */
import type { Graph } from "../../graph/types.js";
import { buildStageGraph, type StageGraph } from "../../plan/stage-graph.js";
import type { Plan, ScheduleKind } from "../../plan/types.js";

export interface LoweringContext {
  readonly plan: Plan;
  readonly sg: StageGraph;
  /** Replica index of `device` in stage i (its position in the stage's device list), -1 if absent. */
  replicaOf(stage: number, device: number): number;
  /**
   * Bytes per sample stage `from` sends to stage `to` in forward (the same travel back as gradients): the
   * output of every op of `from` that some op of `to` reads, each such op counted once.
   */
  edgeBytesPerSample(from: number, to: number): number;
  /** Gradient bytes of one replica of stage i (= its parameter bytes). */
  readonly gradBytes: readonly number[];
}

export function loweringContext(plan: Plan, graph: Graph): LoweringContext {
  const sg = buildStageGraph(plan);
  const opById = new Map(graph.ops.map((op) => [op.id, op]));
  const stageOfOp = new Map<string, number>();
  plan.stages.forEach((s, i) => {
    for (const id of s.ops) stageOfOp.set(id, i);
  });
  const n = plan.stages.length;
  const edgeBytes = new Map<number, number>();
  const counted = new Set<string>();
  for (const op of graph.ops) {
    const to = stageOfOp.get(op.id);
    if (to === undefined) continue;
    for (const input of op.inputs) {
      const from = stageOfOp.get(input);
      if (from === undefined || from === to) continue;
      const key = `${input}\u0000${to}`;
      if (counted.has(key)) continue;
      counted.add(key);
      const k = from * n + to;
      edgeBytes.set(k, (edgeBytes.get(k) ?? 0) + (opById.get(input)?.outBytesPerSample ?? 0));
    }
  }
  const gradBytes = plan.stages.map((s) => s.ops.reduce((acc, id) => acc + (opById.get(id)?.paramBytes ?? 0), 0));
  const replica = plan.stages.map((s) => new Map(s.devices.map((d, j) => [d, j])));
  return {
    plan,
    sg,
    replicaOf: (stage, device) => replica[stage]?.get(device) ?? -1,
    edgeBytesPerSample: (from, to) => edgeBytes.get(from * n + to) ?? 0,
    gradBytes,
  };
}

/** Micro-batches whose gradients one optimizer step applies: 1 for async-stash, m for every other kind. */
export function updateWindow(kind: ScheduleKind, microBatches: number): number {
  return kind === "async-stash" ? 1 : microBatches;
}

/** The tag (microBatch field) of a window's allreduce and step: -1 for flushed kinds, else its last micro-batch. */
export function windowTag(kind: ScheduleKind, window: number, size: number): number {
  return kind === "2bw" || kind === "async-stash" ? (window + 1) * size - 1 : -1;
}
