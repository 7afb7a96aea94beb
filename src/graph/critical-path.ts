/**
 * The heaviest source-to-sink path: the longest chain of dependent ops under a per-op weight (FLOPs, seconds…).
 * Ties go to the op with the smallest index, at the end and at every step back, so the path is deterministic.
 *
 * Preconditions: a valid acyclic graph (see topo-order.ts); weights finite and non-negative.
 */
import { indexGraph } from "./graph-index.js";
import { topologicalIndices } from "./topo-order.js";
import type { Graph, Op } from "./types.js";

export interface CriticalPath {
  /** Op ids from the first op of the path to the last. */
  readonly opIds: readonly string[];
  /** Sum of the weights of the ops on the path. */
  readonly length: number;
}

export function criticalPath(g: Graph, weight: (op: Op) => number): CriticalPath {
  const n = g.ops.length;
  if (n === 0) return { opIds: [], length: 0 };
  const index = indexGraph(g);
  const dist = new Float64Array(n);
  const via = new Int32Array(n).fill(-1);
  for (const v of topologicalIndices(index)) {
    let best = 0;
    for (const p of index.preds[v]!) {
      if (via[v] === -1 || dist[p]! > best) {
        best = dist[p]!;
        via[v] = p;
      }
    }
    dist[v] = best + weight(g.ops[v]!);
  }
  let end = 0;
  for (let i = 1; i < n; i++) if (dist[i]! > dist[end]!) end = i;
  const opIds: string[] = [];
  for (let v = end; v !== -1; v = via[v]!) opIds.push(g.ops[v]!.id);
  opIds.reverse();
  return { opIds, length: dist[end]! };
}
