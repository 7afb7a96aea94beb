/**
 * Shared fast-check arbitraries for graph tests (and the planners' exhaustive-search tests):
 * - `arbDag`: random DAGs, edges from lower to higher index, optionally several sources / sinks, optionally
 *   listed in shuffled order (so `g.ops` order is not a topological order);
 * - `arbSeriesParallel` / `arbSeriesParallelGraph`: random two-terminal series-parallel graphs built recursively,
 *   with the tree they were built from, optionally with extra skip edges (u → v where v was already reachable
 *   from u: residual-style edges that must not change the decomposition);
 * - `linearOp`: a valid `Op` record of kind "linear" whose numbers follow from its feature counts.
 * Op ids are "op0", "op1", …: the number is the op's index in construction order, which is topological.
 */
import fc from "fast-check";
import type { SPTree } from "../src/graph/sp-tree.js";
import type { Graph, Op } from "../src/graph/types.js";

export interface LinearShape {
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** A linear op (fp16, no bias) with consistent positive numbers; `inputs` are op ids. */
export function linearOp(id: string, inputs: readonly string[], shape: LinearShape): Op {
  const { inFeatures, outFeatures } = shape;
  const params = inFeatures * outFeatures;
  return {
    id,
    kind: "linear",
    inputs,
    attrs: { inFeatures, outFeatures, bias: false },
    outShape: [outFeatures],
    outBytesPerSample: 2 * outFeatures,
    params,
    paramBytes: 2 * params,
    fwdFlopsPerSample: 2 * params,
    bwdFlopsPerSample: 4 * params,
    savedBytesPerSample: 2 * inFeatures,
  };
}

export const arbLinearShape: fc.Arbitrary<LinearShape> = fc.record({
  inFeatures: fc.integer({ min: 1, max: 4096 }),
  outFeatures: fc.integer({ min: 1, max: 4096 }),
});

/** Graph of n ops "op0".."op{n-1}" with the given edges [from, to] (indices), listed in `listing` order. */
export function graphFromEdges(
  n: number,
  edges: readonly (readonly [number, number])[],
  options: { shapes?: readonly LinearShape[]; listing?: readonly number[]; name?: string } = {},
): Graph {
  const inputs: string[][] = Array.from({ length: n }, () => []);
  for (const [u, v] of edges) inputs[v]!.push(`op${u}`);
  const ops = Array.from({ length: n }, (_, i) =>
    linearOp(`op${i}`, inputs[i]!, options.shapes?.[i] ?? { inFeatures: 64, outFeatures: 64 }),
  );
  const listing = options.listing ?? ops.map((_, i) => i);
  return { name: options.name ?? "random", dtype: "fp16", ops: listing.map((i) => ops[i]!) };
}

export interface DagOptions {
  readonly minOps?: number;
  readonly maxOps?: number;
  /** Add one source feeding every op without inputs and one sink reading every op without consumers. */
  readonly twoTerminal?: boolean;
  /** List the ops in a random order instead of index order. */
  readonly shuffle?: boolean;
}

export interface DagCase {
  readonly graph: Graph;
  readonly n: number;
  /** Every edge [from, to] as op indices (from < to), deduplicated. */
  readonly edges: readonly (readonly [number, number])[];
}

/** Random DAGs: each pair i < j is an edge with a per-graph density, so sparse and dense graphs both appear. */
export function arbDagCase(options: DagOptions = {}): fc.Arbitrary<DagCase> {
  const minOps = options.minOps ?? 1;
  const maxOps = options.maxOps ?? 14;
  return fc.integer({ min: minOps, max: maxOps }).chain((m) => {
    const pairs = (m * (m - 1)) / 2;
    return fc
      .record({
        density: fc.integer({ min: 5, max: 60 }),
        rolls: fc.array(fc.integer({ min: 0, max: 99 }), { minLength: pairs, maxLength: pairs }),
        shapes: fc.array(arbLinearShape, { minLength: m + 2, maxLength: m + 2 }),
        order: fc.array(fc.nat(), { minLength: m + 2, maxLength: m + 2 }),
      })
      .map(({ density, rolls, shapes, order }) => {
        const edges: [number, number][] = [];
        let k = 0;
        for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) if (rolls[k++]! < density) edges.push([i, j]);
        let n = m;
        if (options.twoTerminal) ({ n } = addTerminals(m, edges));
        const listing = Array.from({ length: n }, (_, i) => i);
        if (options.shuffle) listing.sort((a, b) => order[a]! - order[b]! || a - b);
        return { graph: graphFromEdges(n, edges, { shapes, listing, name: "random-dag" }), n, edges };
      });
  });
}

export function arbDag(options: DagOptions = {}): fc.Arbitrary<Graph> {
  return arbDagCase(options).map((c) => c.graph);
}

/** Shifts ops up by one, adds op0 as the single source and op{n+1} as the single sink (mutates `edges`). */
function addTerminals(m: number, edges: [number, number][]): { n: number } {
  const hasPred = new Array<boolean>(m).fill(false);
  const hasSucc = new Array<boolean>(m).fill(false);
  for (const [u, v] of edges) {
    hasSucc[u] = true;
    hasPred[v] = true;
  }
  for (const e of edges) {
    e[0] += 1;
    e[1] += 1;
  }
  for (let i = 0; i < m; i++) {
    if (!hasPred[i]) edges.push([0, i + 1]);
    if (!hasSucc[i]) edges.push([i + 1, m + 1]);
  }
  return { n: m + 2 };
}

/** A series-parallel shape before op ids are assigned. */
type Shape = { readonly kind: "leaf" } | { readonly kind: "series" | "parallel"; readonly children: readonly Shape[] };
const LEAF: Shape = { kind: "leaf" };

function arbShape(leaves: number): fc.Arbitrary<Shape> {
  if (leaves <= 1) return fc.constant(LEAF);
  return fc
    .record({ series: fc.boolean(), left: fc.integer({ min: 1, max: leaves - 1 }) })
    .chain(({ series, left }) =>
      fc
        .tuple(arbShape(left), arbShape(leaves - left))
        .map(([a, b]): Shape => ({ kind: series ? "series" : "parallel", children: [a, b] })),
    );
}

export interface SeriesParallelOptions {
  /** Ops in the graph, source and sink included (default 2..12; at least 1). */
  readonly minOps?: number;
  readonly maxOps?: number;
  /** Add a random number of skip edges u → v where v is already reachable from u. */
  readonly skipEdges?: boolean;
}

export interface SeriesParallelCase {
  readonly graph: Graph;
  /** The tree the graph was built from, normalised as `seriesParallelDecompose` returns trees. */
  readonly tree: SPTree;
  readonly skipEdgesAdded: number;
}

/**
 * Random two-terminal series-parallel graphs: series(source, body, sink) where body is a random binary
 * series/parallel composition (a series composition joins every sink of the first part to every source of
 * the second). With 1 or 2 ops the graph is a single op or a chain.
 */
export function arbSeriesParallel(options: SeriesParallelOptions = {}): fc.Arbitrary<SeriesParallelCase> {
  const minOps = Math.max(1, options.minOps ?? 2);
  const maxOps = Math.max(minOps, options.maxOps ?? 12);
  return fc.integer({ min: minOps, max: maxOps }).chain((n) => {
    const body =
      n <= 2 ? fc.constant<Shape>({ kind: "series", children: n === 1 ? [LEAF] : [LEAF, LEAF] }) : arbShape(n - 2);
    const shape = body.map((b): Shape => (n <= 2 ? b : { kind: "series", children: [LEAF, b, LEAF] }));
    return fc
      .record({
        shape,
        shapes: fc.array(arbLinearShape, { minLength: n, maxLength: n }),
        skips: options.skipEdges ? fc.array(fc.nat(), { maxLength: 6 }) : fc.constant([]),
      })
      .map(({ shape, shapes, skips }) => buildSeriesParallel(shape, shapes, skips));
  });
}

export function arbSeriesParallelGraph(options: SeriesParallelOptions = {}): fc.Arbitrary<Graph> {
  return arbSeriesParallel(options).map((c) => c.graph);
}

function buildSeriesParallel(
  shape: Shape,
  shapes: readonly LinearShape[],
  skips: readonly number[],
): SeriesParallelCase {
  const edges: [number, number][] = [];
  let next = 0;
  const build = (s: Shape): { tree: SPTree; sources: number[]; sinks: number[] } => {
    if (s.kind === "leaf") {
      const i = next++;
      return { tree: { kind: "leaf", op: `op${i}` }, sources: [i], sinks: [i] };
    }
    const parts = s.children.map(build);
    if (s.kind === "parallel") {
      return {
        tree: normalise(
          "parallel",
          parts.map((p) => p.tree),
        ),
        sources: parts.flatMap((p) => p.sources),
        sinks: parts.flatMap((p) => p.sinks),
      };
    }
    for (let k = 1; k < parts.length; k++) {
      for (const u of parts[k - 1]!.sinks) for (const v of parts[k]!.sources) edges.push([u, v]);
    }
    return {
      tree: normalise(
        "series",
        parts.map((p) => p.tree),
      ),
      sources: parts[0]!.sources,
      sinks: parts[parts.length - 1]!.sinks,
    };
  };
  const { tree } = build(shape);
  const n = next;
  const skipEdgesAdded = addSkipEdges(n, edges, skips);
  return { graph: graphFromEdges(n, edges, { shapes, name: "random-sp" }), tree, skipEdgesAdded };
}

function normalise(kind: "series" | "parallel", children: readonly SPTree[]): SPTree {
  if (children.length === 1) return children[0]!;
  const flat = children.flatMap((c) => (c.kind === kind ? c.children : [c]));
  if (kind === "parallel") flat.sort((a, b) => firstOpIndex(a) - firstOpIndex(b));
  return { kind, children: flat };
}

/** Smallest op index in a tree of "op<i>" leaves. */
export function firstOpIndex(t: SPTree): number {
  return t.kind === "leaf" ? Number(t.op.slice(2)) : Math.min(...t.children.map(firstOpIndex));
}

/** Adds edges u → v for pairs where v is reachable from u but not a direct successor; returns how many. */
function addSkipEdges(n: number, edges: [number, number][], picks: readonly number[]): number {
  if (picks.length === 0) return 0;
  const reach = transitiveClosure(n, edges);
  const direct = new Set(edges.map(([u, v]) => u * n + v));
  const candidates: [number, number][] = [];
  for (let u = 0; u < n; u++)
    for (let v = 0; v < n; v++) if (reach[u]![v] && !direct.has(u * n + v)) candidates.push([u, v]);
  let added = 0;
  for (const p of picks) {
    if (candidates.length === 0) break;
    const [e] = candidates.splice(p % candidates.length, 1);
    edges.push(e!);
    added++;
  }
  return added;
}

/** reach[u][v]: v is reachable from u by a non-empty path (edges must go from lower to higher index). */
export function transitiveClosure(n: number, edges: readonly (readonly [number, number])[]): boolean[][] {
  const reach = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  const succs: number[][] = Array.from({ length: n }, () => []);
  for (const [u, v] of edges) succs[u]!.push(v);
  for (let u = n - 1; u >= 0; u--) {
    for (const v of succs[u]!) {
      reach[u]![v] = true;
      for (let w = 0; w < n; w++) if (reach[v]![w]) reach[u]![w] = true;
    }
  }
  return reach;
}
