/**
 * Series-parallel decomposition of the op DAG (node series-parallel: ops are the leaves), with SP-ization of
 * the pieces that are not series-parallel. Algorithm (docs/sp-decomposition.md has the long form):
 *
 *   decompose(S):  |S| = 1                      → leaf
 *                  S has ≥ 2 weakly connected components → parallel(components)
 *                  some topological cut of S is a series composition → series(parts between all such cuts)
 *                  otherwise (S is prime)        → SP-ize: add the dependencies of one cut (sp-ize.ts) → series(A, B)
 *
 * and recurse into every part with only the graph's own edges. This is the decomposition of the DAG's
 * reachability order (series = every op of one part precedes every op of the next; parallel = no dependency),
 * so skip edges (residual connections) never create branches: x → [ln → attn] → add(x, ·) is one series.
 * For an SP graph the tree is unique up to child order and no dependency is added. Several sources or sinks
 * need no added dependency either: they show up as a parallel node at the start or end of the tree.
 *
 * Guarantees (property-tested): every op is exactly one leaf; for every edge (u, v) the lowest common ancestor
 * of u and v is a series node with u's child before v's; the tree's order equals the transitive closure of the
 * graph's edges plus `addedEdges`. Shape: series/parallel nodes have ≥ 2 children, never a child of their own
 * kind; series children run source → sink; parallel children are ordered by their smallest op index.
 *
 * Cost: O((n + m) log n) per level of nesting; the GPT chain (all residual blocks) is a single level. Graphs
 * that are non-SP everywhere (random DAGs, grids) can need O(n) SP-ization cuts: quadratic worst case
 * (docs/sp-decomposition.md has measurements); DNN graphs have few non-SP places.
 * The recursion uses an explicit stack, so deeply nested graphs cannot overflow the call stack.
 * Preconditions: a valid non-empty DAG (run `validateGraph` first); an empty graph throws.
 */
import { indexGraph } from "./graph-index.js";
import { InducedSubgraphs } from "./induced-subgraph.js";
import { cutProfile, seriesCutPositions } from "./series-cuts.js";
import { chooseSpizeCut, newSpizeScratch } from "./sp-ize.js";
import type { SPTree } from "./sp-tree.js";
import type { Graph, Op } from "./types.js";

export interface SPDecomposition {
  readonly tree: SPTree;
  /** Dependencies [from, to] (op ids) the SP-ization added; empty when the graph is series-parallel. */
  readonly addedEdges: readonly (readonly [string, string])[];
}

export interface SPDecomposeOptions {
  /**
   * Weight of an op when choosing where to SP-ize (the cut that lengthens the critical path least). Default:
   * forward + backward FLOPs per sample; if the graph has no FLOPs, the first profile point's seconds; else 1.
   */
  readonly weight?: (op: Op) => number;
}

type Node = { kind: "series" | "parallel"; children: (Node | SPTree)[] };
type Task = { members: number[]; parent: Node | undefined; slot: number };

export function seriesParallelDecompose(g: Graph, options: SPDecomposeOptions = {}): SPDecomposition {
  const n = g.ops.length;
  if (n === 0) throw new Error("dagpipe/graph/sp-decompose: graph has no ops");
  const index = indexGraph(g);
  const sub = new InducedSubgraphs(index);
  const scratch = newSpizeScratch(n);
  const weightOf = options.weight ?? defaultWeight(g);
  let weights: Float64Array | undefined; // computed on the first prime piece only
  const added: (readonly [number, number])[] = [];

  let root: Node | SPTree | undefined;
  const place = (task: Task, value: Node | SPTree) => {
    if (task.parent) task.parent.children[task.slot] = value;
    else root = value;
  };
  const stack: Task[] = [{ members: Array.from({ length: n }, (_, i) => i), parent: undefined, slot: 0 }];
  for (let task = stack.pop(); task !== undefined; task = stack.pop()) {
    const { members } = task;
    if (members.length === 1) {
      place(task, { kind: "leaf", op: g.ops[members[0]!]!.id });
      continue;
    }
    sub.select(members);
    let parts = sub.components(members);
    let kind: Node["kind"] = "parallel";
    if (parts.length === 1) {
      kind = "series";
      const order = sub.topologicalOrder(members);
      order.forEach((v, k) => {
        scratch.pos[v] = k;
      });
      const cuts = seriesCutPositions(cutProfile(order, sub, scratch.pos, scratch.minSucc, scratch.maxPred));
      if (cuts.length > 0) parts = splitAt(order, cuts);
      else {
        weights ??= Float64Array.from(g.ops, (op) => sanitize(weightOf(op)));
        const spized = chooseSpizeCut(members, sub, weights, scratch);
        for (const e of spized.added) added.push(e);
        parts = splitAt(spized.order, [spized.cut]);
      }
    }
    const node: Node = { kind, children: new Array(parts.length) };
    place(task, node);
    // Pushed in reverse so that parts are processed in order (only matters for readability when debugging).
    for (let k = parts.length - 1; k >= 0; k--) stack.push({ members: parts[k]!, parent: node, slot: k });
  }

  added.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return {
    tree: flattenSeries(root!),
    addedEdges: added.map(([u, v]) => [g.ops[u]!.id, g.ops[v]!.id] as const),
  };
}

/** Parts of `order` between the cut positions, each sorted ascending (op index sets). */
function splitAt(order: readonly number[], cuts: readonly number[]): number[][] {
  const parts: number[][] = [];
  let from = 0;
  for (const cut of [...cuts, order.length]) {
    parts.push(order.slice(from, cut).sort((a, b) => a - b));
    from = cut;
  }
  return parts;
}

/**
 * An SP-ization cut can put a series node directly under a series node; splice such children into their
 * parent (same order, same meaning). Parallel nodes never nest: a component is connected. Iterative.
 */
function flattenSeries(root: Node | SPTree): SPTree {
  const done = new Map<Node | SPTree, SPTree>();
  const stack: { t: Node | SPTree; expanded: boolean }[] = [{ t: root, expanded: false }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const t = frame.t;
    if (t.kind === "leaf") {
      done.set(t, t);
    } else if (!frame.expanded) {
      stack.push({ t, expanded: true });
      for (let k = t.children.length - 1; k >= 0; k--) stack.push({ t: t.children[k]!, expanded: false });
    } else {
      const children: SPTree[] = [];
      for (const c of t.children) {
        const f = done.get(c)!;
        if (t.kind === "series" && f.kind === "series") for (const gc of f.children) children.push(gc);
        else children.push(f);
      }
      done.set(t, { kind: t.kind, children });
    }
  }
  return done.get(root)!;
}

function sanitize(w: number): number {
  return Number.isFinite(w) && w > 0 ? w : 0;
}

function defaultWeight(g: Graph): (op: Op) => number {
  if (g.ops.some((op) => op.fwdFlopsPerSample + op.bwdFlopsPerSample > 0)) {
    return (op) => op.fwdFlopsPerSample + op.bwdFlopsPerSample;
  }
  if (g.ops.some((op) => op.profile !== undefined)) {
    return (op) => {
      const p = op.profile?.points[0];
      return p ? p.fwdSec + p.bwdSec : 0;
    };
  }
  return () => 1;
}
