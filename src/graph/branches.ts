/**
 * Branch-level summaries of a graph for `dagpipe inspect`.
 *
 * parallelWidth: how many branches can run at once according to the SP tree: a leaf is 1, a series node the
 * widest of its children, a parallel node the sum of its children. A residual skip edge is not a branch (it
 * has no op, and the decomposition keeps it inside a series), so a transformer has width 1 while DLRM's
 * 7 dense + 7 sparse towers give 14.
 *
 * criticalPathShare: FLOPs (forward + backward) on the heaviest path divided by all FLOPs: the fraction of the
 * work that no amount of branch parallelism can overlap (1 for a chain). Graphs without FLOPs (imported
 * profiles) use the first profile point's seconds instead; 0 when there is neither.
 */
import { criticalPath } from "./critical-path.js";
import type { SPTree } from "./sp-tree.js";
import type { Graph, Op } from "./types.js";

/** `g` is the graph the tree decomposes; every leaf must name one of its ops. */
export function parallelWidth(tree: SPTree, g: Graph): number {
  const known = new Set(g.ops.map((op) => op.id));
  const width = new Map<SPTree, number>();
  // Iterative post-order: a 100k-op flat series must not overflow the call stack or spread limits.
  const stack: { t: SPTree; expanded: boolean }[] = [{ t: tree, expanded: false }];
  while (stack.length > 0) {
    const { t, expanded } = stack.pop()!;
    if (t.kind === "leaf") {
      if (!known.has(t.op)) {
        throw new Error(`dagpipe/graph/branches: SP tree names op "${t.op}" not in graph "${g.name}"`);
      }
      width.set(t, 1);
    } else if (!expanded) {
      stack.push({ t, expanded: true });
      for (const c of t.children) stack.push({ t: c, expanded: false });
    } else {
      let w = 0;
      for (const c of t.children) w = t.kind === "series" ? Math.max(w, width.get(c)!) : w + width.get(c)!;
      width.set(t, w);
    }
  }
  return width.get(tree)!;
}

export function criticalPathShare(g: Graph): number {
  const flops = (op: Op) => op.fwdFlopsPerSample + op.bwdFlopsPerSample;
  const seconds = (op: Op) => {
    const p = op.profile?.points[0];
    return p ? p.fwdSec + p.bwdSec : 0;
  };
  for (const weight of [flops, seconds]) {
    const total = g.ops.reduce((s, op) => s + weight(op), 0);
    if (total > 0) return criticalPath(g, weight).length / total;
  }
  return 0;
}
