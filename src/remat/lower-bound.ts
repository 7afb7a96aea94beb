/**
 * A provable lower bound on the overhead at a budget, cheap at any size (no LP): when node j is computed
 * for the first time, every earlier output that a later node still reads is either live or must be
 * computed again afterwards. With j's inputs, output and scratch live, at most (budget − that) bytes of
 * the others fit, so at least the cheapest-to-recompute remainder must be paid: a fractional knapsack
 * (keep the highest cost per byte first) bounds it from below. The bound is the maximum over j.
 *
 * It holds for any schedule that the memory simulation accepts, hence for the MILP's optimum too. Weak
 * where recomputation is forced by the order of work rather than by a single moment's memory (e.g. the
 * unit chains near their floor), useful on large graphs where the LP relaxation is out of reach.
 */
import type { TrainingGraph } from "./types.js";

export interface RecomputeBound {
  /** Lower bound on cost ÷ Σ cost (≥ 1); Infinity when even the working set of some node does not fit. */
  readonly overhead: number;
  /** The node whose moment gives the bound. */
  readonly node: number;
}

export function recomputeLowerBound(g: TrainingGraph, budgetBytes: number): RecomputeBound {
  const n = g.nodes.length;
  let total = 0;
  for (const x of g.nodes) total += x.cost;
  // lastUse[i] = the largest user of i (i's output is needed until then).
  const lastUse = g.users.map((u) => (u.length > 0 ? (u[u.length - 1] as number) : -1));
  let best = 0;
  let bestNode = 0;
  const inDeps = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const node = g.nodes[j];
    if (!node) continue;
    let working = node.memBytes + (node.workBytes ?? 0);
    for (const u of g.deps[j] ?? []) {
      inDeps[u] = 1;
      working += g.nodes[u]?.memBytes ?? 0;
    }
    const capacity = budgetBytes - working;
    if (capacity < 0) return { overhead: Number.POSITIVE_INFINITY, node: j };
    const items: { cost: number; bytes: number }[] = [];
    let pendingCost = 0;
    for (let i = 0; i < j; i++) {
      if (inDeps[i] === 1 || (lastUse[i] as number) <= j) continue;
      const x = g.nodes[i] as { cost: number; memBytes: number };
      items.push({ cost: x.cost, bytes: x.memBytes });
      pendingCost += x.cost;
    }
    for (const u of g.deps[j] ?? []) inDeps[u] = 0;
    // Fractional knapsack: the most cost that can stay live.
    items.sort((a, b) => b.cost * a.bytes - a.cost * b.bytes);
    let room = capacity;
    let kept = 0;
    for (const it of items) {
      if (it.bytes <= room) {
        kept += it.cost;
        room -= it.bytes;
      } else {
        kept += (it.cost * room) / it.bytes;
        break;
      }
    }
    const lb = pendingCost - kept;
    if (lb > best) {
      best = lb;
      bestNode = j;
    }
  }
  return { overhead: total > 0 ? 1 + best / total : 1, node: bestNode };
}
