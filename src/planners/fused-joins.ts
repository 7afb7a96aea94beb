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
 * The series run fused with a branch never holds a parallel child (the tail stops at the next fork, the head
 * starts after the last join): runs across parallel nodes made the search 10× slower on Inception-v3 (n²
 * virtual nodes per series) and are not where the idle device comes from.
 *
 * One branch per class of identical branches is tried (the first): identical branches are one problem, as the
 * series DP solves them once. Depths e: only where what follows gets cheaper (every V grows with its
 * downstream depth). Exactness over this space is tested against brute-force enumeration
 * (test/planners/graph-exact.property.test.ts).
 */
import type { PlanTree, TreeNode } from "./plan-tree.js";
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

/** Indices of a series node's parallel children, ascending (memoised in the tree). */
function forksOf(tree: PlanTree, node: TreeNode): Int32Array {
  let hit = tree.forks.get(node.id);
  if (!hit) {
    const out: number[] = [];
    node.children.forEach((c, k) => {
      if (c.kind === "parallel") out.push(k);
    });
    hit = Int32Array.from(out);
    tree.forks.set(node.id, hit);
  }
  return hit;
}

/** The state of one fuseRow call, passed to the helpers below instead of closures (hot path). */
interface Row {
  readonly dp: TreeDp;
  readonly suf: Int32Array;
  readonly row: number;
  readonly D: number;
  readonly c: FusedChoices;
}

/**
 * Devices a part needs at least: each stage of degree d holds at most d·τ·b seconds of full-micro-batch work
 * (per-sample time never rises with the batch), so ⌈work / (τ·b)⌉, and at least one.
 */
function leastDevices(dp: TreeDp, x: TreeNode): number {
  const perDevice = dp.tau * dp.ctx.microBatch;
  if (!Number.isFinite(perDevice) || perDevice <= 0) return 1;
  return Math.max(1, Math.ceil(x.sums.timeSec[dp.fullIndex]! / perDevice - 1e-9));
}

/** Whether `x[w]` (0 without x) plus `devices` can still improve some entry of the row. */
function mayImprove(r: Row, x: Int32Array | undefined, devices: number): boolean {
  const K = r.dp.devices;
  for (let w = 1; w <= r.dp.W; w++) {
    if ((x ? x[w]! : 0) + devices < Math.min(r.suf[r.row + w]!, K + 1)) return true;
  }
  return false;
}

/**
 * One fused case: X (the fused series node) solved with downstream depth e, the other branches Y with
 * e + 1 (tail: they feed the fused stage) or e and one bound shallower (head: the fused stage feeds them),
 * what follows from row `after` at bound e. Tries every e where what follows gets cheaper.
 */
function offerFused(r: Row, x: TreeNode, y: TreeNode, head: boolean, after: number, f: number): void {
  const { dp, suf, row, D, c } = r;
  const { W, devices: K } = dp;
  const S = W + 1;
  const yLeast = leastDevices(dp, y);
  const lb = leastDevices(dp, x) + yLeast;
  for (let e = D; e <= W; e++) {
    const base = suf[after * S + e]!;
    // Every V grows with its downstream depth: only the depths where what follows gets cheaper can help.
    if (base > K || (e > D && base >= suf[after * S + e - 1]!)) continue;
    if (!mayImprove(r, undefined, lb + base)) continue;
    const xv = head ? dp.solve(x, e).first! : dp.solve(x, e).V;
    if (!mayImprove(r, xv, yLeast + base)) continue;
    const yv = dp.solve(y, head ? e : Math.min(W, e + 1)).V;
    for (let w = 1; w <= W; w++) {
      const val = xv[w]! + yv[!head || w === W ? w : w - 1]! + base;
      if (val < suf[row + w]!) {
        suf[row + w] = val;
        c.cJ[row + w] = after;
        c.cNext[row + w] = e;
        c.cW[row + w] = w;
        c.cF[row + w] = f;
      }
    }
  }
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
  const { problem: p, tree } = dp;
  const forks = forksOf(tree, node);
  if (forks.length === 0) return;
  const children = node.children;
  const n = children.length;
  const r: Row = { dp, suf, row: i * (dp.W + 1), D, c };
  const child = children[i]!;
  if (child.kind === "parallel") {
    // The tail: runs after the join up to (not across) the next parallel child.
    for (let j = i + 2; j <= n && children[j - 1]!.kind !== "parallel" && runMayFit(dp, pre, i + 1, j); j++) {
      for (const k of branchRepresentatives(tree, child)) {
        offerFused(r, branchWithTail(p, tree, node, i, k, j), parallelWithout(p, tree, child, k), false, j, 1 + k);
      }
    }
  }
  // The head: the run from i up to the first fork after it, with no parallel child inside (see the header).
  if (child.kind === "parallel") return;
  const a = forks.find((f) => f > i);
  if (a === undefined || !runMayFit(dp, pre, i, a)) return;
  const fork = children[a]!;
  for (const k of branchRepresentatives(tree, fork)) {
    offerFused(r, headWithBranch(p, tree, node, i, a, k), parallelWithout(p, tree, fork, k), true, a + 1, -1 - k);
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
    const x = branchWithTail(p, tree, node, i, k, j);
    const from = out.length;
    dp.solve(x, e).collect(w, out);
    markFused(out, from, x.children[x.children.length - 1]!);
    dp.solve(parallelWithout(p, tree, node.children[i]!, k), Math.min(W, e + 1)).collect(w, out);
  } else {
    const k = -1 - f;
    const a = j - 1;
    const x = headWithBranch(p, tree, node, i, a, k);
    const from = out.length;
    dp.solve(x, e).collectFirst!(w, out);
    markFused(out, from, x.children[0]!);
    dp.solve(parallelWithout(p, tree, node.children[a]!, k), e).collect(w === W ? W : w - 1, out);
  }
}

/**
 * Marks fused the stage collected from index `from` on that holds the join (head) leaf `leaf`, when it holds
 * more than the leaf (x may end in a nested fused case, so it is found by its units, not by position).
 */
function markFused(out: StagePick[], from: number, leaf: TreeNode): void {
  const unit = leaf.units[0];
  for (let at = from; at < out.length; at++) {
    const stage = out[at]!;
    if (!stage.units.includes(unit!)) continue;
    if (stage.units.length > leaf.units.length) out[at] = { ...stage, fused: true };
    return;
  }
}
