/**
 * Interleaved 1F1B (Megatron-LM's virtual pipeline; bamboo-and-schedules.md B.3): p device groups, v chunks
 * each; chain position j runs on group j mod p as its chunk ⌊j/p⌋. Every group walks the same order of
 * "virtual micro-batches" k = 0 … v·m − 1: forward k is chunk ⌊(k mod p·v) / p⌋ of micro-batch
 * ⌊k / (p·v)⌋·p + (k mod p) (micro-batches go through the chunks in groups of p), backward k visits the chunks
 * in reverse. Group g warms up with min(v·m, 2(p − g − 1) + (v − 1)·p) forwards (all v·m when m = p), then
 * alternates one forward and one backward, then drains. Bubble (p − 1)/(v·m + p − 1) of the iteration with
 * uniform chunks; needs m a multiple of p (validatePlan checks it).
 */
import type { StageGraph } from "../../plan/stage-graph.js";
import type { Plan } from "../../plan/types.js";
import type { Action, Schedule } from "../types.js";
import { deviceCount } from "./sequence.js";

export function interleavedWarmup(p: number, v: number, m: number, group: number): number {
  if (m === p) return v * m;
  return Math.min(v * m, 2 * (p - group - 1) + (v - 1) * p);
}

export function interleaved(plan: Plan, sg: StageGraph): Schedule {
  const v = plan.virtualStages ?? 1;
  const m = plan.microBatches;
  const p = Math.max(1, Math.floor(sg.topo.length / v));
  const total = v * m;
  const chunkOf = (k: number) => Math.floor((k % (p * v)) / p);
  const mbOf = (k: number) => Math.floor(k / (p * v)) * p + (k % p);
  const lists: Action[][] = Array.from({ length: deviceCount(plan) }, () => []);
  for (let g = 0; g < p; g++) {
    const stageAt = (chunk: number) => plan.stages[sg.topo[chunk * p + g]!]!.id;
    const steps: { kind: "F" | "B"; stage: string; microBatch: number }[] = [];
    const fwd = (k: number) => steps.push({ kind: "F", stage: stageAt(chunkOf(k)), microBatch: mbOf(k) });
    const bwd = (k: number) => steps.push({ kind: "B", stage: stageAt(v - 1 - chunkOf(k)), microBatch: mbOf(k) });
    const warm = interleavedWarmup(p, v, m, g);
    for (let k = 0; k < warm; k++) fwd(k);
    for (let i = 0; i < total - warm; i++) {
      fwd(warm + i);
      bwd(i);
    }
    for (let i = total - warm; i < total; i++) bwd(i);
    for (const device of plan.stages[sg.topo[g]!]!.devices) {
      lists[device] = steps.map((s) => ({ device, ...s }));
    }
  }
  return { kind: "interleaved", level: "compute", microBatches: m, actions: lists };
}
