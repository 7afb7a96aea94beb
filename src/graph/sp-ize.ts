/**
 * SP-ization of one "prime" piece: a connected sub-DAG with ≥ 2 ops that is not a series composition (it
 * contains the forbidden "N": a→c, a→d, b→d without b→c). We make it one by adding dependencies at a single
 * cut and let the decomposition recurse into both sides, which may be series-parallel again.
 *
 * The cut. Ops are ordered by their earliest start time under the op weights (ties by stable topological
 * position, so the order is topological even with zero weights). For every prefix A / suffix B of that order:
 *   cost(i) = CP(A) + CP(B)         the critical path through the cut once all of A precedes all of B,
 *   added(i) = |max A|·|min B| − edges between them   (series-cuts.ts)
 * We take the least cost, then the fewest added dependencies, then the most balanced cut, then the earliest.
 * The dependencies added are exactly the missing pairs (maximal op of A → minimal op of B): with them every op
 * of A precedes every op of B, and none of them was implied before (see series-cuts.ts), so each one is a real
 * new constraint and the list is the exact difference between the graph's order and the tree's order.
 *
 * What it preserves and what it costs: ops are never duplicated or removed, so total work is unchanged
 * (work-preserving, like FlexFlow's work-preserving SP-ization in graphpipe.md §1.3). The price is lost
 * concurrency: ops of A that could have overlapped ops of B are serialised, so the critical path may grow
 * (never beyond the sum of the two sides' critical paths, which is what the cut minimises). It is a greedy,
 * local choice, not an optimal SP-ization (that problem is NP-hard in general).
 */
import type { InducedSubgraphs } from "./induced-subgraph.js";
import { cutProfile } from "./series-cuts.js";

export interface SpizeCut {
  /** The ops of the piece in the order that was cut (topological). */
  readonly order: readonly number[];
  /** The prefix order[0..cut) runs before the suffix order[cut..). */
  readonly cut: number;
  /** Added dependencies [from, to] as op indices, sorted. */
  readonly added: readonly (readonly [number, number])[];
}

export interface SpizeScratch {
  readonly pos: Int32Array;
  readonly minSucc: Int32Array;
  readonly maxPred: Int32Array;
  readonly start: Float64Array;
  readonly mark: Uint8Array;
}

export function newSpizeScratch(n: number): SpizeScratch {
  return {
    pos: new Int32Array(n),
    minSucc: new Int32Array(n),
    maxPred: new Int32Array(n),
    start: new Float64Array(n),
    mark: new Uint8Array(n),
  };
}

/** `members`: the piece's ops, currently selected in `sub`; `weight[v]` ≥ 0 per op index. */
export function chooseSpizeCut(
  members: readonly number[],
  sub: InducedSubgraphs,
  weight: Float64Array,
  scratch: SpizeScratch,
): SpizeCut {
  const { preds, succs } = sub.index;
  const { pos, start } = scratch;
  const kahn = sub.topologicalOrder(members);
  kahn.forEach((v, k) => {
    pos[v] = k;
  });
  for (const v of kahn) {
    let s = 0;
    for (const p of preds[v]!) if (sub.has(p)) s = Math.max(s, start[p]! + weight[p]!);
    start[v] = s;
  }
  const order = [...kahn].sort((a, b) => start[a]! - start[b]! || pos[a]! - pos[b]!);
  const n = order.length;
  order.forEach((v, k) => {
    pos[v] = k;
  });

  // CP(A) for every prefix and CP(B) for every suffix (A downward closed, B upward closed).
  const cpPrefix = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) cpPrefix[k + 1] = Math.max(cpPrefix[k]!, start[order[k]!]! + weight[order[k]!]!);
  const tail = new Float64Array(n); // longest path starting at order[k], by position
  const cpSuffix = new Float64Array(n + 1);
  for (let k = n - 1; k >= 0; k--) {
    const v = order[k]!;
    let best = 0;
    for (const s of succs[v]!) if (sub.has(s)) best = Math.max(best, tail[pos[s]!]!);
    tail[k] = best + weight[v]!;
    cpSuffix[k] = Math.max(cpSuffix[k + 1]!, tail[k]!);
  }

  const profile = cutProfile(order, sub, pos, scratch.minSucc, scratch.maxPred);
  let bestCut = 1;
  let bestKey: [number, number, number] | undefined;
  for (let i = 1; i < n; i++) {
    const key: [number, number, number] = [
      cpPrefix[i]! + cpSuffix[i]!,
      profile.maximal[i]! * profile.minimal[i]! - profile.edges[i]!,
      Math.abs(2 * i - n),
    ];
    if (bestKey === undefined || lexLess(key, bestKey)) {
      bestKey = key;
      bestCut = i;
    }
  }
  return { order, cut: bestCut, added: missingEdges(order, bestCut, sub, scratch) };
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! < b[k]!;
  return false;
}

/** Pairs (maximal op of the prefix, minimal op of the suffix) without an edge, sorted by (from, to). */
function missingEdges(
  order: readonly number[],
  cut: number,
  sub: InducedSubgraphs,
  scratch: SpizeScratch,
): [number, number][] {
  const { minSucc, maxPred, mark } = scratch;
  const maxA = order
    .slice(0, cut)
    .filter((u) => minSucc[u]! >= cut)
    .sort((a, b) => a - b);
  const minB = order
    .slice(cut)
    .filter((v) => maxPred[v]! < cut)
    .sort((a, b) => a - b);
  const added: [number, number][] = [];
  for (const u of maxA) {
    const out = sub.index.succs[u]!;
    for (const s of out) mark[s] = 1;
    for (const v of minB) if (!mark[v]) added.push([u, v]);
    for (const s of out) mark[s] = 0;
  }
  return added;
}
