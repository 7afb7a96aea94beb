/**
 * Prefix sums over a series node's children, so the series DP reads any run's stage sums in O(1): time and
 * forward time per sample size, parameters, parameter bytes, saved bytes, and the largest workspace of a run
 * (sparse table). Built once per node and shared by every probe of a planner call.
 */
import type { TreeNode } from "./plan-tree.js";

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

const prefixes = new WeakMap<TreeNode, SeriesPrefix>();

export function prefixOf(node: TreeNode, children: readonly TreeNode[], sizes: number): SeriesPrefix {
  const hit = prefixes.get(node);
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
  const levels: Float64Array[] = [Float64Array.from(children, (c) => c.sums.workspaceBytesPerSample)];
  for (let k = 1; 1 << k <= n; k++) {
    const prev = levels[k - 1]!;
    const half = 1 << (k - 1);
    const cur = new Float64Array(n - (1 << k) + 1);
    for (let i = 0; i < cur.length; i++) cur[i] = Math.max(prev[i]!, prev[i + half]!);
    levels.push(cur);
  }
  const pre: SeriesPrefix = {
    time,
    fwd,
    params: acc((c) => c.sums.params),
    paramBytes: acc((c) => c.sums.paramBytes),
    saved: acc((c) => c.sums.savedBytesPerSample),
    workspace(i, j) {
      const k = 31 - Math.clz32(j - i);
      const level = levels[k]!;
      return Math.max(level[i]!, level[j - (1 << k)]!);
    },
  };
  prefixes.set(node, pre);
  return pre;
}
