/**
 * Graph coarsening for training graphs too large for the MILP (ResNet-50: n = 353, an LP that does not
 * finish natively in 600 s). Runs of forward nodes that form a plain chain (i → i+1 is i's only forward
 * user and i+1's only forward input) are merged into groups of at most `maxGroup` nodes, and their
 * gradients into the mirrored groups, keeping the mirrored layout. Group semantics are chosen so that a
 * coarse schedule expands to a fine one the memory simulation accepts:
 * - a forward group's output is ALL its members' outputs (kept or recomputed together), so its size is
 *   their sum;
 * - a gradient group's output is its last member's (the gradient leaving the group); the members'
 *   transient gradients become the group's scratch bytes (workBytes).
 * Costs add up. The expansion (`expandSchedule`) keeps in every fine stage what the coarse stage keeps and
 * what the coarse stage computed earlier, then takes the cheapest fine R; the caller simulates it on the
 * fine graph (the coarse accounting is close to, not provably above, the fine one).
 */

import { solveR } from "./solve-r.js";
import { assembleTrainingGraph, forwardCount, gradientOf } from "./training-graph-layout.js";
import type { RematSchedule, TrainingGraph, TrainingNode } from "./types.js";

export interface Coarsening {
  readonly coarse: TrainingGraph;
  /** members[c] = fine nodes of coarse node c, ascending and contiguous. */
  readonly members: readonly (readonly number[])[];
  /** groupOf[i] = coarse node of fine node i. */
  readonly groupOf: Int32Array;
}

export function coarsenChains(g: TrainingGraph, maxGroup: number): Coarsening {
  const n = g.nodes.length;
  const L = forwardCount(g);
  const forwardGroups: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < L; i++) {
    const prev = current[current.length - 1];
    const chained =
      prev !== undefined &&
      prev === i - 1 &&
      current.length < maxGroup &&
      sameList(
        (g.users[prev] ?? []).filter((u) => u < L),
        [i],
      ) &&
      sameList(
        (g.deps[i] ?? []).filter((u) => u < L),
        [prev],
      );
    if (!chained && current.length > 0) {
      forwardGroups.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) forwardGroups.push(current);
  const Lc = forwardGroups.length;
  const members: number[][] = [
    ...forwardGroups,
    [L],
    ...forwardGroups
      .slice()
      .reverse()
      .map((grp) => grp.map((i) => gradientOf(g, i)).sort((a, b) => a - b)),
  ];
  const groupOf = new Int32Array(n);
  members.forEach((list, c) => {
    for (const i of list) groupOf[i] = c;
  });
  const nodes: TrainingNode[] = members.map((list, c) => {
    const first = g.nodes[list[0] as number] as TrainingNode;
    const name = list.length === 1 ? first.name : `${first.name} … ${g.nodes[list[list.length - 1] as number]?.name}`;
    const cost = list.reduce((s, i) => s + (g.nodes[i]?.cost ?? 0), 0);
    if (c < Lc) {
      const memBytes = list.reduce((s, i) => s + (g.nodes[i]?.memBytes ?? 0), 0);
      const workBytes = Math.max(0, ...list.map((i) => g.nodes[i]?.workBytes ?? 0));
      return { name, kind: "forward", cost, memBytes, ...(workBytes > 0 ? { workBytes } : {}) };
    }
    if (c === Lc) return first;
    const last = list[list.length - 1] as number;
    const memBytes = g.nodes[last]?.memBytes ?? 0;
    return { name, kind: "backward", cost, memBytes, workBytes: Math.max(0, internalPeak(g, list) - memBytes) };
  });
  const edges: [number, number][] = [];
  g.deps.forEach((list, v) => {
    for (const u of list) {
      const cu = groupOf[u] as number;
      const cv = groupOf[v] as number;
      if (cu !== cv) edges.push([cu, cv]);
    }
  });
  const coarse = assembleTrainingGraph({
    name: `${g.name} (chains ≤ ${maxGroup})`,
    nodes,
    edges,
    costUnit: g.costUnit,
    fixedBytes: g.fixedBytes,
    ...(g.batch !== undefined ? { batch: g.batch } : {}),
  });
  return { coarse, members, groupOf };
}

/** Largest sum of the group's own outputs (and scratch) live while it computes its members in order. */
function internalPeak(g: TrainingGraph, list: readonly number[]): number {
  const inGroup = new Set(list);
  let peak = 0;
  for (const z of list) {
    let live = (g.nodes[z]?.memBytes ?? 0) + (g.nodes[z]?.workBytes ?? 0);
    for (const w of list) {
      if (w >= z) break;
      const usedLater = (g.users[w] ?? []).some((u) => u >= z && inGroup.has(u));
      if (usedLater) live += g.nodes[w]?.memBytes ?? 0;
    }
    peak = Math.max(peak, live);
  }
  return peak;
}

/**
 * A coarse schedule → a fine schedule. A coarse node's value is all members of a forward group, the last
 * member of a gradient group. Fine stage tf of coarse stage T keeps what T keeps (into its first fine
 * stage), and into later fine stages of T what T keeps or computed and still needs (a member ≥ tf reads
 * it, or T+1 keeps it), plus T's own earlier members; R is the cheapest for that S.
 */
export function expandSchedule(c: Coarsening, fine: TrainingGraph, coarse: RematSchedule): RematSchedule {
  const n = fine.nodes.length;
  const nc = c.members.length;
  const L = forwardCount(c.coarse);
  const value = c.members.map((list, C) => (C <= L ? list : list.slice(-1)));
  const S = new Uint8Array(n * n);
  for (let T = 0; T < nc; T++) {
    const stages = c.members[T] as readonly number[];
    const first = stages[0] as number;
    for (const tf of stages) {
      for (let C = 0; C < T; C++) {
        const held = coarse.S[T * nc + C] === 1 || (tf > first && coarse.R[T * nc + C] === 1);
        if (!held) continue;
        for (const i of value[C] ?? []) {
          const needed =
            tf === first ||
            (T + 1 < nc && coarse.S[(T + 1) * nc + C] === 1) ||
            (fine.users[i] ?? []).some((u) => u >= tf && c.groupOf[u] === T);
          if (needed) S[tf * n + i] = 1;
        }
      }
      for (const i of stages) if (i < tf) S[tf * n + i] = 1;
    }
  }
  return { R: solveR(fine, S), S };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}
