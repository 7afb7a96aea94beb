/**
 * Checkmate's synthetic linear graph (`gen_linear_graph(N)`, research note §8.5) with every cost and size
 * 1: forward 0..N-1, loss N, gradients N+1..2N, edges i → i+1 and i → 2N-i. Costs count node evaluations
 * and memory counts live tensors, which makes exact optima known (the §8.5 table) cheap unit tests.
 */
import { assembleTrainingGraph } from "./training-graph-layout.js";
import type { TrainingGraph, TrainingNode } from "./types.js";

export function unitChain(N: number): TrainingGraph {
  const n = 2 * N + 1;
  const nodes: TrainingNode[] = Array.from({ length: n }, (_, i) => ({
    name: i < N ? `f${i}` : i === N ? "loss" : `b${n - 1 - i}`,
    kind: i < N ? "forward" : i === N ? "loss" : "backward",
    cost: 1,
    memBytes: 1,
  }));
  const edges: [number, number][] = [];
  for (let i = 0; i < 2 * N; i++) edges.push([i, i + 1]);
  for (let i = 0; i < N; i++) edges.push([i, 2 * N - i]);
  return assembleTrainingGraph({ name: `unit chain ${N}`, nodes, edges, costUnit: "unit" });
}
