/** Invariant checks of SP decompositions, shared by unit and property tests. Each returns a list of failures. */
import type { SPTree } from "../../src/graph/sp-tree.js";
import type { Graph } from "../../src/graph/types.js";

/** Every op exactly once; ≥ 2 children; no same-kind nesting; parallel children ordered by smallest op index. */
export function shapeProblems(tree: SPTree, g: Graph): string[] {
  const problems: string[] = [];
  const indexOf = new Map(g.ops.map((op, i) => [op.id, i]));
  const count = new Map<string, number>();
  const walk = (t: SPTree): number => {
    if (t.kind === "leaf") {
      count.set(t.op, (count.get(t.op) ?? 0) + 1);
      const i = indexOf.get(t.op);
      if (i === undefined) problems.push(`unknown leaf ${t.op}`);
      return i ?? -1;
    }
    if (t.children.length < 2) problems.push(`${t.kind} with ${t.children.length} child`);
    const firsts = t.children.map((c) => {
      if (c.kind === t.kind) problems.push(`${t.kind} directly inside ${t.kind}`);
      return walk(c);
    });
    if (t.kind === "parallel") {
      for (let k = 1; k < firsts.length; k++)
        if (firsts[k]! <= firsts[k - 1]!) problems.push("parallel children out of order");
    }
    return Math.min(...firsts);
  };
  walk(tree);
  for (const op of g.ops)
    if (count.get(op.id) !== 1) problems.push(`op ${op.id} appears ${count.get(op.id) ?? 0} times`);
  return problems;
}

/** For each leaf, the path from the root: [node, child position] pairs. */
function leafPaths(tree: SPTree): Map<string, [SPTree, number][]> {
  const paths = new Map<string, [SPTree, number][]>();
  const walk = (t: SPTree, path: [SPTree, number][]) => {
    if (t.kind === "leaf") paths.set(t.op, path);
    else {
      t.children.forEach((c, k) => {
        walk(c, [...path, [t, k]]);
      });
    }
  };
  walk(tree, []);
  return paths;
}

/** "u precedes v" in the tree: their lowest common ancestor is a series node with u's child first. */
export function treePrecedes(tree: SPTree): (u: string, v: string) => boolean {
  const paths = leafPaths(tree);
  return (u, v) => {
    const pu = paths.get(u)!;
    const pv = paths.get(v)!;
    let d = 0;
    while (d < pu.length && d < pv.length && pu[d]![0] === pv[d]![0] && pu[d]![1] === pv[d]![1]) d++;
    if (d >= pu.length || d >= pv.length) return false;
    const [lca, ku] = pu[d]!;
    return lca.kind === "series" && ku < pv[d]![1];
  };
}

/** Original edges that the tree does not order (a lost dependency). */
export function lostEdges(tree: SPTree, g: Graph): [string, string][] {
  const precedes = treePrecedes(tree);
  const lost: [string, string][] = [];
  for (const op of g.ops) for (const input of op.inputs) if (!precedes(input, op.id)) lost.push([input, op.id]);
  return lost;
}

/** Pairs where the tree's order differs from the closure of the graph's edges plus `added`. */
export function orderMismatches(tree: SPTree, g: Graph, added: readonly (readonly [string, string])[]): string[] {
  const ids = g.ops.map((op) => op.id);
  const at = new Map(ids.map((id, i) => [id, i]));
  const n = ids.length;
  const reach = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  const edges: [number, number][] = [];
  for (const op of g.ops) for (const input of op.inputs) edges.push([at.get(input)!, at.get(op.id)!]);
  for (const [u, v] of added) edges.push([at.get(u)!, at.get(v)!]);
  for (const [u, v] of edges) reach[u]![v] = true;
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++) if (reach[i]![k]) for (let j = 0; j < n; j++) if (reach[k]![j]) reach[i]![j] = true;
  const precedes = treePrecedes(tree);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j && reach[i]![j] !== precedes(ids[i]!, ids[j]!))
        out.push(`${ids[i]} < ${ids[j]}: graph ${reach[i]![j]}`);
    }
  }
  return out;
}

/** Compact text form for assertions: s(a,p(b,c),d). */
export function spText(t: SPTree): string {
  return t.kind === "leaf" ? t.op : `${t.kind === "series" ? "s" : "p"}(${t.children.map(spText).join(",")})`;
}
