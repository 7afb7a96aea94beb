/**
 * Series cuts of a DAG along one topological order, all positions at once in O(n + m).
 *
 * Cutting the order at position i gives a prefix A (downward closed) and a suffix B. Every op of A precedes
 * every op of B (a series composition A ; B) exactly when every maximal op of A has a direct edge to every
 * minimal op of B: any path from a maximal op of A leaves A at once, so if it reached a minimal op of B
 * through another op of B, that op would not be minimal. Transitive (skip) edges therefore never hide a cut:
 * a residual block x → ln → attn → add(x, ·) cuts after x, after ln and after attn.
 *
 * For each i this counts |max(A)|, |min(B)| and the edges between them with difference arrays over the
 * intervals of i in which an op is maximal / minimal / an edge joins the two sets. The cut is a series
 * composition iff edges = |max(A)| · |min(B)|; otherwise the difference is the number of dependencies an
 * SP-ization must add to make it one (see sp-ize.ts).
 */
import type { InducedSubgraphs } from "./induced-subgraph.js";

export interface CutProfile {
  /** Indexed by cut position i (1 ≤ i ≤ n − 1; prefix = the first i ops of the order). */
  readonly maximal: Float64Array;
  readonly minimal: Float64Array;
  readonly edges: Float64Array;
}

/**
 * `pos[v]` must hold v's position in `order` for every op of the selected subgraph; `minSucc` and `maxPred`
 * are scratch arrays indexed by op (filled here: position of the first successor / last predecessor).
 */
export function cutProfile(
  order: readonly number[],
  sub: InducedSubgraphs,
  pos: Int32Array,
  minSucc: Int32Array,
  maxPred: Int32Array,
): CutProfile {
  const n = order.length;
  const { preds, succs } = sub.index;
  for (const u of order) {
    let lo = n;
    for (const s of succs[u]!) if (sub.has(s) && pos[s]! < lo) lo = pos[s]!;
    minSucc[u] = lo;
    let hi = -1;
    for (const p of preds[u]!) if (sub.has(p) && pos[p]! > hi) hi = pos[p]!;
    maxPred[u] = hi;
  }
  const dMax = new Float64Array(n + 1);
  const dMin = new Float64Array(n + 1);
  const dEdge = new Float64Array(n + 1);
  const addInterval = (d: Float64Array, from: number, to: number) => {
    const a = Math.max(from, 1);
    const b = Math.min(to, n - 1);
    if (a > b) return;
    d[a]! += 1;
    d[b + 1]! -= 1;
  };
  for (const v of order) {
    const p = pos[v]!;
    addInterval(dMax, p + 1, minSucc[v]!);
    addInterval(dMin, maxPred[v]! + 1, p);
    for (const q of preds[v]!) if (sub.has(q)) addInterval(dEdge, maxPred[v]! + 1, minSucc[q]!);
  }
  const maximal = new Float64Array(n);
  const minimal = new Float64Array(n);
  const edges = new Float64Array(n);
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 1; i < n; i++) {
    a += dMax[i]!;
    b += dMin[i]!;
    c += dEdge[i]!;
    maximal[i] = a;
    minimal[i] = b;
    edges[i] = c;
  }
  return { maximal, minimal, edges };
}

/** Positions i where the order splits into a series composition. */
export function seriesCutPositions(profile: CutProfile): number[] {
  const cuts: number[] = [];
  for (let i = 1; i < profile.edges.length; i++) {
    if (profile.edges[i] === profile.maximal[i]! * profile.minimal[i]!) cuts.push(i);
  }
  return cuts;
}
