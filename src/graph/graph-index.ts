/**
 * Integer adjacency of a graph: op index ↔ id, predecessors and successors as sorted, deduplicated op indices.
 * Every graph algorithm works on this index instead of string ids.
 *
 * Preconditions NOT checked here (run `validateGraph` first; checking again would cost every caller):
 * op ids are unique (a duplicate id maps to its first op) and every input names an op of the graph
 * (an unknown input throws, because silently dropping an edge would corrupt every result built on it).
 */
import type { Graph } from "./types.js";

export interface GraphIndex {
  readonly byId: ReadonlyMap<string, number>;
  /** preds[i]: indices of the ops op i consumes, deduplicated, ascending. */
  readonly preds: readonly (readonly number[])[];
  /** succs[i]: indices of the ops that consume op i, deduplicated, ascending. */
  readonly succs: readonly (readonly number[])[];
}

export function indexGraph(g: Graph): GraphIndex {
  const n = g.ops.length;
  const byId = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = g.ops[i]!.id;
    if (!byId.has(id)) byId.set(id, i);
  }
  const preds: number[][] = [];
  const succs: number[][] = [];
  for (let i = 0; i < n; i++) succs.push([]);
  for (let i = 0; i < n; i++) {
    const inputs = g.ops[i]!.inputs;
    const p: number[] = new Array(inputs.length);
    for (let k = 0; k < inputs.length; k++) {
      const j = byId.get(inputs[k]!);
      if (j === undefined) {
        throw new Error(`dagpipe/graph/graph-index: op "${g.ops[i]!.id}" reads unknown input "${inputs[k]}"`);
      }
      p[k] = j;
    }
    preds.push(sortUnique(p));
  }
  // Filling successors in ascending consumer order keeps every succs list sorted without a sort.
  for (let i = 0; i < n; i++) for (const j of preds[i]!) succs[j]!.push(i);
  return { byId, preds, succs };
}

function sortUnique(xs: number[]): number[] {
  if (xs.length <= 1) return xs;
  xs.sort((a, b) => a - b);
  let w = 1;
  for (let r = 1; r < xs.length; r++) if (xs[r] !== xs[w - 1]) xs[w++] = xs[r]!;
  xs.length = w;
  return xs;
}
