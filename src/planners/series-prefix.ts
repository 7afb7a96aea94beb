/**
 * Prefix sums over a series node's children, so the series DP reads any run's stage sums in O(1): time and
 * forward time per sample size, parameters, parameter bytes, saved bytes, and the largest workspace of a run
 * (sparse table). Built once per node and shared by every probe of a planner call.
 */
import { rangeMax } from "../util/range-max.js";
import type { PlanTree, TreeNode } from "./plan-tree.js";

/** Prefix sums over a series node's children (built once per node, shared by every probe). */
export interface SeriesPrefix {
  readonly time: readonly Float64Array[];
  readonly fwd: readonly Float64Array[];
  readonly params: Float64Array;
  readonly paramBytes: Float64Array;
  readonly saved: Float64Array;
  /** Largest workspace among children [i, j) (sparse table). */
  workspace(i: number, j: number): number;
}

/** The prefix sums of a series node, memoised in its plan tree. */
export function prefixOf(tree: PlanTree, node: TreeNode, children: readonly TreeNode[], sizes: number): SeriesPrefix {
  const hit = tree.prefixes.get(node.id);
  if (hit) return hit;
  const n = children.length;
  const acc = (f: (c: TreeNode) => number) => {
    const a = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) a[i + 1] = a[i]! + f(children[i]!);
    return a;
  };
  const time: Float64Array[] = [];
  const fwd: Float64Array[] = [];
  for (let k = 0; k < sizes; k++) {
    time.push(acc((c) => c.sums.timeSec[k]!));
    fwd.push(acc((c) => c.sums.fwdSec[k]!));
  }
  const pre: SeriesPrefix = {
    time,
    fwd,
    params: acc((c) => c.sums.params),
    paramBytes: acc((c) => c.sums.paramBytes),
    saved: acc((c) => c.sums.savedBytesPerSample),
    workspace: rangeMax(Float64Array.from(children, (c) => c.sums.workspaceBytesPerSample)),
  };
  tree.prefixes.set(node.id, pre);
  return pre;
}
