/**
 * Series-parallel decomposition tree over ops (node series-parallel: an op is a leaf).
 * - series: children run one after another, listed source → sink; every op of a child precedes every op of
 *   the next child. ≥ 2 children, none of them a series node.
 * - parallel: children are independent (no dependency between ops of different children); listed by their
 *   smallest op index in `g.ops`. ≥ 2 children, none of them a parallel node.
 */
export type SPTree =
  | { readonly kind: "leaf"; readonly op: string }
  | { readonly kind: "series"; readonly children: readonly SPTree[] }
  | { readonly kind: "parallel"; readonly children: readonly SPTree[] };

/** Op ids of a tree in leaf order (depth first, children in order). */
export function spLeaves(tree: SPTree): string[] {
  const out: string[] = [];
  const stack: SPTree[] = [tree];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.kind === "leaf") out.push(t.op);
    else for (let k = t.children.length - 1; k >= 0; k--) stack.push(t.children[k]!);
  }
  return out;
}
