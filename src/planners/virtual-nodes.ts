/**
 * Tree nodes the graph planner's DP builds on demand, beyond the series-parallel decomposition itself. Each
 * is a series or parallel node over existing subtrees, so the series and parallel DPs solve it unchanged, and
 * every plan read from it is a valid stage DAG of the original graph:
 *
 * - `branchChain`: a run of parallel branches pipelined as one chain (their children one branch after
 *   another). Any contiguous run of that order is convex (the branches are independent), and treating each
 *   stage as feeding the next only overstates depths.
 * - `branchWithTail`: branch k of a parallel node followed by the series tail after the join, as one leaf
 *   (the "join leaf"). The last stage of any solution holds the join leaf, possibly with a suffix of branch k:
 *   a convex stage {suffix of branch k + tail}, fed by the other branches. Its depth is exactly the node's
 *   downstream depth + 1, which is what the other branches (`parallelWithout`) are solved with.
 * - `headWithBranch`: the series head before a fork, as one leaf, followed by branch k: the first stage of any
 *   solution holds the head, possibly with a prefix of branch k, and feeds the other branches too.
 * - `parallelWithout`: a parallel node less one branch (the branches that feed, or are fed by, a fused stage).
 *
 * Nodes are cached in the plan tree by key (built once per planner call, shared by every probe) and get
 * negative ids.
 */
import { PAIR_CAP, type PlanTree, seriesCuts, sign, type TreeNode } from "./plan-tree.js";
import type { PlanningProblem } from "./problem.js";
import { sumsOfSet } from "./stage-model.js";

function sorted(units: readonly number[]): number[] {
  return [...units].sort((a, b) => a - b);
}

function cached(tree: PlanTree, key: string, build: (id: number) => TreeNode): TreeNode {
  const hit = tree.virtualNodes.get(key);
  if (hit) return hit;
  // The id is taken before `build` runs: a virtual node built inside it gets the next one, never the same.
  const id = -1 - tree.virtualIds.size;
  tree.virtualIds.set(key, id);
  const node = build(id);
  tree.virtualNodes.set(key, node);
  return node;
}

function seriesOf(p: PlanningProblem, id: number, children: readonly TreeNode[]): TreeNode {
  const units = sorted(children.flatMap((c) => c.units));
  const node: TreeNode = {
    id,
    kind: "series",
    children,
    units,
    sums: sumsOfSet(p, units),
    hasParallel: children.some((c) => c.hasParallel),
    pairs: PAIR_CAP,
    exact: false,
  };
  node.cuts = seriesCuts(p, node);
  return node;
}

/** The children of a branch as a series sees them (a leaf or a parallel branch is one child). */
function seriesChildren(branch: TreeNode): readonly TreeNode[] {
  return branch.kind === "series" ? branch.children : [branch];
}

/** Children [from, to) of a series node as one leaf (the child itself when it is one leaf). */
export function runLeaf(p: PlanningProblem, tree: PlanTree, series: TreeNode, from: number, to: number): TreeNode {
  const only = series.children[from]!;
  if (to - from === 1 && only.kind === "leaf") return only;
  return cached(tree, `run:${series.id}:${from}:${to}`, (id) => {
    const units = sorted(series.children.slice(from, to).flatMap((c) => c.units));
    return {
      id,
      kind: "leaf",
      children: [],
      units,
      sums: sumsOfSet(p, units),
      hasParallel: false,
      pairs: 3,
      exact: false,
    };
  });
}

/** Branches l..r of a parallel node pipelined as one chain (see the file comment). */
export function branchChain(p: PlanningProblem, tree: PlanTree, parallel: TreeNode, l: number, r: number): TreeNode {
  return cached(tree, `chain:${parallel.id}:${l}:${r}`, (id) => {
    const node = seriesOf(p, id, parallel.children.slice(l, r + 1).flatMap(seriesChildren));
    sign(node, tree.signatures);
    return node;
  });
}

/** Branch k of the parallel child `at` of `series`, then the series' children (at, to) as one join leaf. */
export function branchWithTail(
  p: PlanningProblem,
  tree: PlanTree,
  series: TreeNode,
  at: number,
  k: number,
  to: number,
): TreeNode {
  const parallel = series.children[at]!;
  return cached(tree, `tail:${series.id}:${at}:${k}:${to}`, (id) =>
    seriesOf(p, id, [...seriesChildren(parallel.children[k]!), runLeaf(p, tree, series, at + 1, to)]),
  );
}

/** The series' children [from, at) as one head leaf, then branch k of the parallel child `at`. */
export function headWithBranch(
  p: PlanningProblem,
  tree: PlanTree,
  series: TreeNode,
  from: number,
  at: number,
  k: number,
): TreeNode {
  const parallel = series.children[at]!;
  return cached(tree, `head:${series.id}:${from}:${at}:${k}`, (id) =>
    seriesOf(p, id, [runLeaf(p, tree, series, from, at), ...seriesChildren(parallel.children[k]!)]),
  );
}

/** A parallel node less branch k (the remaining branch itself when only one remains). */
export function parallelWithout(p: PlanningProblem, tree: PlanTree, parallel: TreeNode, k: number): TreeNode {
  const rest = parallel.children.filter((_, i) => i !== k);
  if (rest.length === 1) return rest[0]!;
  return cached(tree, `without:${parallel.id}:${k}`, (id) => {
    const units = sorted(rest.flatMap((c) => c.units));
    return {
      id,
      kind: "parallel",
      children: rest,
      units,
      sums: sumsOfSet(p, units),
      hasParallel: true,
      pairs: PAIR_CAP,
      exact: false,
      noChains: true,
    };
  });
}

/**
 * One branch per class of identical branches, the first of each (GraphPipe's scaling: identical branches are
 * one problem, so the fused stage goes to the first of them). Identical: equal series signatures, or leaves
 * with equal numbers; any other branch is its own class.
 */
export function branchClasses(parallel: TreeNode): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  parallel.children.forEach((b, k) => {
    const key = classKey(b);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(k);
  });
  return out;
}

/** branchClasses, memoised in the tree (the fused-join search asks for it at every row). */
export function branchRepresentatives(tree: PlanTree, parallel: TreeNode): readonly number[] {
  let hit = tree.representatives.get(parallel.id);
  if (!hit) {
    hit = branchClasses(parallel);
    tree.representatives.set(parallel.id, hit);
  }
  return hit;
}

function classKey(b: TreeNode): string {
  if (b.signature !== undefined) return `s:${b.signature}`;
  if (b.kind !== "leaf") return `#${b.id}`;
  const x = b.sums;
  const times = Array.from(x.timeSec, (t, k) => `${t}/${x.fwdSec[k]}`).join(",");
  return `l:${times};${x.params};${x.paramBytes};${x.savedBytesPerSample};${x.workspaceBytesPerSample};${x.inBytesPerSample};${x.outBytesPerSample}`;
}
