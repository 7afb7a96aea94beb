/**
 * Topological order of the ops (Kahn's algorithm). Stable: among the ops that are ready, the one with the
 * smallest index in `g.ops` comes first, so a graph listed in a valid order comes back unchanged and ties
 * never depend on hashing. O((n + m) log n).
 *
 * Preconditions: ids unique and inputs known (see graph-index.ts). A cycle throws (programming error:
 * callers run `validateGraph` first, which reports the cycle as an issue).
 */
import { type GraphIndex, indexGraph } from "./graph-index.js";
import { MinHeap } from "./min-heap.js";
import type { Graph, Op } from "./types.js";

/** Op indices in stable topological order. */
export function topologicalIndices(index: GraphIndex): number[] {
  const n = index.preds.length;
  const indegree = new Int32Array(n);
  const ready = new MinHeap();
  for (let i = 0; i < n; i++) {
    indegree[i] = index.preds[i]!.length;
    if (indegree[i] === 0) ready.push(i);
  }
  const order: number[] = [];
  for (let u = ready.pop(); u !== undefined; u = ready.pop()) {
    order.push(u);
    for (const v of index.succs[u]!) if (--indegree[v]! === 0) ready.push(v);
  }
  if (order.length !== n) throw new Error("dagpipe/graph/topo-order: graph is not acyclic (run validateGraph)");
  return order;
}

export function forEachInTopologicalOrder(g: Graph, cb: (op: Op, index: number) => void): void {
  for (const i of topologicalIndices(indexGraph(g))) cb(g.ops[i]!, i);
}

export function topologicalOrder(g: Graph): readonly Op[] {
  return topologicalIndices(indexGraph(g)).map((i) => g.ops[i]!);
}

/**
 * Generations (layers): generation 0 holds the ops without inputs, generation k the ops whose latest input is
 * in generation k − 1. Ops inside a generation are independent and listed by index.
 */
export function topologicalGenerationIndices(index: GraphIndex): number[][] {
  const n = index.preds.length;
  const indegree = new Int32Array(n);
  let current: number[] = [];
  for (let i = 0; i < n; i++) {
    indegree[i] = index.preds[i]!.length;
    if (indegree[i] === 0) current.push(i);
  }
  const generations: number[][] = [];
  let seen = 0;
  while (current.length > 0) {
    generations.push(current);
    seen += current.length;
    const next: number[] = [];
    for (const u of current) for (const v of index.succs[u]!) if (--indegree[v]! === 0) next.push(v);
    next.sort((a, b) => a - b);
    current = next;
  }
  if (seen !== n) throw new Error("dagpipe/graph/topo-order: graph is not acyclic (run validateGraph)");
  return generations;
}

export function topologicalGenerations(g: Graph): readonly (readonly Op[])[] {
  return topologicalGenerationIndices(indexGraph(g)).map((gen) => gen.map((i) => g.ops[i]!));
}
