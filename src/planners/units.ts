/**
 * Planning units: groups of ops that always share a stage. Every op starts as its own unit; a *glue* op
 * (no parameters and negligible time: inputs, concat, reshape, a cheap loss …) is merged into a neighbouring
 * unit, so that zero-cost terminals never take a device of their own and never force a stage boundary.
 *
 * Merge rules, applied to a glue unit U in topological order until nothing changes (each one contracts an edge
 * that cannot close a cycle, so the unit graph stays a DAG):
 *  1. U has exactly one successor unit V              → merge U into V (a concat into the head that reads it);
 *  2. U has no successor (a sink)                     → merge into its last predecessor P whose only successor is U
 *                                                        (a loss or a final concat joins one branch's last stage);
 *  3. U has exactly one predecessor unit P            → merge into P;
 *  4. U has no predecessor (e.g. an input read twice) → merge into its first successor S whose only predecessor is U.
 * Why no cycle: in 1 and 4 U is V's (S's) only link, in 2 and 3 P is the only link; another path between the two
 * units would need a second edge out of (into) the one with a single link.
 *
 * Units are numbered in topological order (by their first op in the stable topological order of the graph).
 * Preconditions: a valid DAG (`validateGraph`).
 */
import type { GraphIndex } from "../graph/graph-index.js";
import { MinHeap } from "../graph/min-heap.js";
import { topologicalIndices } from "../graph/topo-order.js";

export interface Units {
  readonly count: number;
  /** Op indices of each unit, in topological order. */
  readonly members: readonly (readonly number[])[];
  /** Op index → unit. */
  readonly unitOf: Int32Array;
  /** Unit-level predecessors / successors, deduplicated, ascending. */
  readonly preds: readonly (readonly number[])[];
  readonly succs: readonly (readonly number[])[];
}

export function buildUnits(index: GraphIndex, isGlue: (op: number) => boolean): Units {
  const n = index.preds.length;
  const order = topologicalIndices(index);
  const topoPos = new Int32Array(n);
  order.forEach((op, k) => {
    topoPos[op] = k;
  });
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[x] !== r) {
      const next = parent[x]!;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const membersOf = new Map<number, number[]>();
  for (let i = 0; i < n; i++) membersOf.set(i, [i]);
  const glue = new Uint8Array(n);
  for (let i = 0; i < n; i++) glue[i] = isGlue(i) ? 1 : 0;

  const neighbours = (root: number, dir: "preds" | "succs"): number[] => {
    const out = new Set<number>();
    for (const op of membersOf.get(root)!) {
      for (const x of index[dir][op]!) {
        const r = find(x);
        if (r !== root) out.add(r);
      }
    }
    return [...out].sort((a, b) => topoPos[a]! - topoPos[b]!);
  };
  const merge = (from: number, into: number) => {
    parent[from] = into;
    const moved = membersOf.get(from)!;
    membersOf.get(into)!.push(...moved);
    membersOf.delete(from);
    glue[into] = glue[into]! & glue[from]!;
  };

  let changed = true;
  while (changed) {
    changed = false;
    for (const op of order) {
      const u = find(op);
      if (u !== op || !glue[u]) continue; // visit each unit once, through its root
      const succs = neighbours(u, "succs");
      const preds = neighbours(u, "preds");
      let target = -1;
      if (succs.length === 1) target = succs[0]!;
      else if (succs.length === 0 && preds.length > 0) {
        for (let k = preds.length - 1; k >= 0 && target < 0; k--) {
          const p = preds[k]!;
          const ps = neighbours(p, "succs");
          if (ps.length === 1 && ps[0] === u) target = p;
        }
      } else if (preds.length === 1) target = preds[0]!;
      else if (preds.length === 0) {
        for (const s of succs) {
          const sp = neighbours(s, "preds");
          if (sp.length === 1 && sp[0] === u) {
            target = s;
            break;
          }
        }
      }
      if (target < 0) continue;
      // Keep the root at the op that comes first, so a unit's identity follows topological order.
      if (topoPos[target]! < topoPos[u]!) merge(u, target);
      else merge(target, u);
      changed = true;
    }
  }

  // Number units in a stable topological order of the unit DAG (first op position breaks ties).
  const roots = [...membersOf.keys()].sort((a, b) => topoPos[a]! - topoPos[b]!);
  const rootIndex = new Map<number, number>();
  roots.forEach((r, k) => {
    rootIndex.set(r, k);
  });
  const rootPreds = roots.map(() => new Set<number>());
  const rootSuccs = roots.map(() => new Set<number>());
  for (let v = 0; v < n; v++) {
    for (const u of index.preds[v]!) {
      const a = rootIndex.get(find(u))!;
      const b = rootIndex.get(find(v))!;
      if (a !== b) {
        rootSuccs[a]!.add(b);
        rootPreds[b]!.add(a);
      }
    }
  }
  const indegree = rootPreds.map((s) => s.size);
  const ready = new MinHeap();
  indegree.forEach((d, k) => {
    if (d === 0) ready.push(k);
  });
  const unitOfRoot = new Int32Array(roots.length);
  let next = 0;
  for (let k = ready.pop(); k !== undefined; k = ready.pop()) {
    unitOfRoot[k] = next++;
    for (const s of rootSuccs[k]!) if (--indegree[s]! === 0) ready.push(s);
  }
  const count = roots.length;
  const unitOf = new Int32Array(n);
  for (let i = 0; i < n; i++) unitOf[i] = unitOfRoot[rootIndex.get(find(i))!]!;
  const members: number[][] = roots.map(() => []);
  roots.forEach((r, k) => {
    members[unitOfRoot[k]!] = [...membersOf.get(r)!].sort((a, b) => topoPos[a]! - topoPos[b]!);
  });
  const predSets = members.map(() => new Set<number>());
  const succSets = members.map(() => new Set<number>());
  rootSuccs.forEach((set, k) => {
    for (const s of set) {
      succSets[unitOfRoot[k]!]!.add(unitOfRoot[s]!);
      predSets[unitOfRoot[s]!]!.add(unitOfRoot[k]!);
    }
  });
  const sorted = (s: Set<number>) => [...s].sort((x, y) => x - y);
  return { count, members, unitOf, preds: predSets.map(sorted), succs: succSets.map(sorted) };
}
