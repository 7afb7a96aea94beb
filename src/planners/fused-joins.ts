/**
 * Fused joins and forks: the cases of the series DP (tree-dp.ts) where a stage crosses a parallel node's
 * boundary. The series-parallel DP alone cannot put a branch's last stage and the series tail after the join
 * in one stage, so on a model whose branches join into a small tail (MMT: four transformer branches, then
 * concat → fusion linear → loss) the tail takes a device of its own and the branches can only share the rest
 * evenly: 4 branches + tail on 8 devices leave 3 idle, as every branch would need 2 devices and only 7 are
 * left. GraphPipe's own plans fuse here (CANDLE-Uno's shipped plan has "a stage that holds the fifth branch +
 * the concat"). Two cases at row i of a series node, each solved through virtual series nodes
 * (virtual-nodes.ts) beside the parallel node less one branch, so they are memoised like any node and keep
 * the DP's objective:
 *
 * - tail, child i parallel, tail = children (i, j): X = branch k + join leaf, solved with the entry depth e of
 *   what follows. Its last stage, the fused one, holds the join leaf and has depth exactly e + 1 (it is last
 *   in X); the other branches feed it, so they are solved with e + 1. Value at w: X[w] + others[w] + suf[j][e].
 * - head, children [i, a) before a parallel child a: X = head leaf + branch k, solved with the entry depth e
 *   after the parallel node. Its first stage, the fused one, also feeds the other branches, so its depth is
 *   1 + the deepest of them: value at w: X.first[w] + others[w − 1] + suf[a + 1][e], where X.first[w] judges
 *   the first stage at exactly depth w (a prefix minimum could hand in a stage judged shallower).
 *
 * One branch per class of identical branches is tried (the first): identical branches are one problem, as the
 * series DP solves them once. Depths e: only where what follows gets cheaper (every V grows with its
 * downstream depth). Exactness over this space is tested against brute-force enumeration
 * (test/planners/graph-exact.property.test.ts).
 */
import type { TreeNode } from "./plan-tree.js";
import type { SeriesPrefix } from "./series-prefix.js";
import type { StagePick, TreeDp } from "./tree-dp.js";
import { branchRepresentatives, branchWithTail, headWithBranch, parallelWithout } from "./virtual-nodes.js";

/** Choice records of a series DP that a fused case writes (see tree-dp's solveSeries). */
export interface FusedChoices {
  readonly cJ: Int32Array;
  readonly cNext: Int32Array;
  readonly cW: Int32Array;
  readonly cF: Int32Array;
}

/**
 * Whether children [from, to) of a series could share one stage at all: their compute at the largest degree
 * meets τ and their weights fit (both only grow with the run; communication and all-reduce only add).
 */
function runMayFit(dp: TreeDp, pre: SeriesPrefix, from: number, to: number): boolean {
  const { ctx, tau } = dp;
  const t = pre.time[ctx.sampleIndexOfDegree[ctx.degrees[ctx.degrees.length - 1]!]!]!;
  return (
    (t[to]! - t[from]!) / ctx.microBatch <= tau &&
    (pre.params[to]! - pre.params[from]!) * ctx.bytesPerParam <= ctx.memBytes
  );
}

/**
 * Improves row i of a series node's table `suf` (rows of W + 1 entries, D the node's downstream depth) by the
 * fused cases, recording them in `c`: cJ = the row after the fused part, cNext = e, cW = the bound w the parts
 * were solved at, cF = 1 + k (tail fused into branch k of child i) or −1 − k (head [i, cJ − 1) fused into
 * branch k of child cJ − 1).
 */
export function fuseRow(
  dp: TreeDp,
  node: TreeNode,
  pre: SeriesPrefix,
  i: number,
  D: number,
  suf: Int32Array,
  c: FusedChoices,
): void {
  const { W, devices: K, problem: p, tree } = dp;
  const S = W + 1;
  const children = node.children;
  const n = children.length;
  const row = i * S;
  const offer = (x: Int32Array, y: Int32Array, shift: 0 | 1, base: number, j: number, e: number, f: number) => {
    for (let w = 1; w <= W; w++) {
      const val = x[w]! + y[shift === 0 || w === W ? w : w - 1]! + base;
      if (val < suf[row + w]!) {
        suf[row + w] = val;
        c.cJ[row + w] = j;
        c.cNext[row + w] = e;
        c.cW[row + w] = w;
        c.cF[row + w] = f;
      }
    }
  };
  const depths = (after: number, visit: (e: number, base: number) => void) => {
    const r = after * S;
    for (let e = D; e <= W; e++) {
      const base = suf[r + e]!;
      if (base > K || (e > D && base >= suf[r + e - 1]!)) continue;
      visit(e, base);
    }
  };
  const child = children[i]!;
  if (child.kind === "parallel") {
    for (let j = i + 2; j <= n && runMayFit(dp, pre, i + 1, j); j++) {
      for (const k of branchRepresentatives(child)) {
        const x = branchWithTail(p, tree, node, i, k, j);
        const y = parallelWithout(p, tree, child, k);
        depths(j, (e, base) => offer(dp.solve(x, e).V, dp.solve(y, Math.min(W, e + 1)).V, 0, base, j, e, 1 + k));
      }
    }
  }
  for (let a = i + 1; a < n && runMayFit(dp, pre, i, a); a++) {
    const fork = children[a]!;
    if (fork.kind !== "parallel") continue;
    for (const k of branchRepresentatives(fork)) {
      const x = headWithBranch(p, tree, node, i, a, k);
      const y = parallelWithout(p, tree, fork, k);
      depths(a + 1, (e, base) => offer(dp.solve(x, e).first!, dp.solve(y, e).V, 1, base, a + 1, e, -1 - k));
    }
  }
}

/** Appends the stages of a fused choice of row i (see fuseRow): `j` the row after it, `f` its cF code. */
export function collectFused(
  dp: TreeDp,
  node: TreeNode,
  i: number,
  j: number,
  f: number,
  e: number,
  w: number,
  out: StagePick[],
): void {
  const { W, problem: p, tree } = dp;
  if (f > 0) {
    const k = f - 1;
    dp.solve(branchWithTail(p, tree, node, i, k, j), e).collect(w, out);
    dp.solve(parallelWithout(p, tree, node.children[i]!, k), Math.min(W, e + 1)).collect(w, out);
  } else {
    const k = -1 - f;
    const a = j - 1;
    dp.solve(headWithBranch(p, tree, node, i, a, k), e).collectFirst!(w, out);
    dp.solve(parallelWithout(p, tree, node.children[a]!, k), e).collect(w === W ? W : w - 1, out);
  }
}
