/**
 * The tree the graph planner's DP walks: the series-parallel decomposition of the unit graph (task A's
 * `seriesParallelDecompose`, run on a graph whose ops are the planning units), with what the DP needs at each
 * node: the units below it, their sums as one stage, and for series nodes the tensors that cross each cut
 * (so the communication of a contiguous run of children is read in time proportional to the tensors crossing).
 *
 * Some nodes are marked `exact`: subtrees that hold a parallel composition but few enough downset pairs
 * (`countPairs`) are solved by the exact region DP (region-dp.ts) over all their convex partitions instead of
 * by series/parallel splits only. A node is exact only if no ancestor is, so the largest small subtrees win.
 */
import { seriesParallelDecompose } from "../graph/sp-decompose.js";
import type { SPTree } from "../graph/sp-tree.js";
import type { Graph, Op } from "../graph/types.js";
import type { PlanningProblem } from "./problem.js";
import type { RegionShape } from "./region-dp.js";
import type { SeriesPrefix } from "./series-prefix.js";
import { type StageSums, sumsOfSet } from "./stage-model.js";

export interface SeriesCuts {
  /** crossing[c], c = 0..n: ids (into `tensorProdPos`) of tensors produced before child c and read at or after it. */
  readonly crossing: readonly Int32Array[];
  /** Per crossing tensor: producer position (−1 = outside this node), bytes per sample, consumer positions (n = outside), ascending. */
  readonly prodPos: Int32Array;
  readonly bytesPerSample: Float64Array;
  readonly consPos: readonly Int32Array[];
}

export interface TreeNode {
  readonly id: number;
  readonly kind: "leaf" | "series" | "parallel";
  readonly children: readonly TreeNode[];
  /** Units of the subtree, ascending. */
  readonly units: readonly number[];
  /** The subtree as one stage: own numbers plus its communication. */
  readonly sums: StageSums;
  readonly hasParallel: boolean;
  /** Downset pairs (U ⊆ U') of the subtree, capped at PAIR_CAP. */
  readonly pairs: number;
  exact: boolean;
  /**
   * Parallel nodes: no branch chains here even where devices are scarce (the other branches of a fused join:
   * chains there cost as much search again as the parallel node itself and found no better plan on the zoo).
   */
  noChains?: boolean;
  /** Series nodes only. */
  cuts?: SeriesCuts;
  /**
   * Structural signature of a series node below a parallel one (a branch), interned as a number per plan tree:
   * two nodes with the same signature have the same DP result with units matched by their rank in `units`
   * (identical branches are solved once).
   */
  signature?: number;
}

export interface PlanTree {
  readonly root: TreeNode;
  readonly nodes: readonly TreeNode[];
  /** Dependencies (unit indices) the SP-ization added; the DP treats them as real, which only restricts it. */
  readonly addedEdges: readonly (readonly [number, number])[];
  /** Unit successors / predecessors including added edges, for the region DP. */
  readonly succs: readonly (readonly number[])[];
  readonly preds: readonly (readonly number[])[];
  /**
   * Nodes the DP builds on demand (virtual-nodes.ts: branch runs pipelined as chains, a branch with the tail
   * after its join or the head before its fork, a parallel node less one branch), by key; ids are negative.
   */
  readonly virtualNodes: Map<string, TreeNode>;
  /** Ids of the virtual nodes by key, taken before a node is built (ids are the memo maps' keys). */
  readonly virtualIds: Map<string, number>;
  /** Interned signature strings (TreeNode.signature). */
  readonly signatures: Map<string, number>;
  /** Memos of the fused-join search, by node id: a series node's parallel children, a parallel node's branch classes. */
  readonly forks: Map<number, Int32Array>;
  readonly representatives: Map<number, readonly number[]>;
  /** Memos of the series and region DPs, by node id: a series node's prefix sums, a region's shape. */
  readonly prefixes: Map<number, SeriesPrefix>;
  readonly regionShapes: Map<number, RegionShape>;
  /** Whether parallel nodes may pipeline runs of branches as chains (off: GraphPipe's pure SP space). */
  readonly branchChains: boolean;
  /**
   * Whether a series tail after a parallel node (or the head before it) may share a stage with one branch's
   * last (first) stage (off: GraphPipe's pure SP space).
   */
  readonly fusion: boolean;
}

export const PAIR_CAP = 1e12;

/** A graph whose ops are the problem's units, for the SP decomposition (weights = one-sample time). */
export function unitGraph(p: PlanningProblem): Graph {
  const ops: Op[] = [];
  for (let u = 0; u < p.units.count; u++) {
    ops.push({
      id: `u${u}`,
      kind: "opaque",
      inputs: p.units.preds[u]!.map((x) => `u${x}`),
      attrs: {},
      outShape: [],
      outBytesPerSample: 0,
      params: 0,
      paramBytes: 0,
      fwdFlopsPerSample: 0,
      bwdFlopsPerSample: 0,
      savedBytesPerSample: 0,
    });
  }
  return { name: `${p.graph.name}-units`, dtype: p.graph.dtype, ops };
}

/**
 * Longest series the DPs take child by child. Longer runs of leaves (a 2,000-layer chain) are cut into this
 * many blocks of about equal time, and stages begin and end at block boundaries: the DP's work grows with the
 * square of the run length, and a plan for K devices needs boundaries much finer than 1/K of the model, not
 * finer than an op.
 */
export function seriesBlockLimit(devices: number): number {
  return Math.max(256, 2 * devices);
}

/** Merges runs of leaf children of a series into blocks when there are more than `limit` children. */
function coarsen(p: PlanningProblem, children: TreeNode[], limit: number, nodes: TreeNode[]): TreeNode[] {
  if (children.length <= limit) return children;
  const k = p.sampleSizes.length - 1;
  const total = children.reduce((a, c) => a + c.sums.timeSec[k]!, 0);
  const target = total / limit;
  const out: TreeNode[] = [];
  let run: TreeNode[] = [];
  let acc = 0;
  const inSet = new Uint8Array(p.units.count);
  const flush = () => {
    if (run.length === 0) return;
    if (run.length === 1) out.push(run[0]!);
    else {
      const units = run.flatMap((c) => c.units).sort((a, b) => a - b);
      const sums = sumsOfSet(p, units, inSet);
      const block: TreeNode = {
        id: nodes.length,
        kind: "leaf",
        children: [],
        units,
        sums,
        hasParallel: false,
        pairs: 3,
        exact: false,
      };
      nodes.push(block);
      out.push(block);
    }
    run = [];
    acc = 0;
  };
  for (const c of children) {
    if (c.kind !== "leaf") {
      flush();
      out.push(c);
      continue;
    }
    run.push(c);
    acc += c.sums.timeSec[k]!;
    if (acc >= target) flush();
  }
  flush();
  return out;
}

export function buildPlanTree(
  p: PlanningProblem,
  exactPairLimit: number,
  maxSeriesChildren = Number.POSITIVE_INFINITY,
  options: { branchChains?: boolean; fusion?: boolean } = {},
): PlanTree {
  const g = unitGraph(p);
  const weights = p.timeSec[0]!;
  const dec = seriesParallelDecompose(g, { weight: (op) => weights[Number(op.id.slice(1))]! });
  const addedEdges = dec.addedEdges.map(([a, b]) => [Number(a.slice(1)), Number(b.slice(1))] as const);
  const succSets = p.units.succs.map((s) => new Set(s));
  const predSets = p.units.preds.map((s) => new Set(s));
  for (const [a, b] of addedEdges) {
    succSets[a]!.add(b);
    predSets[b]!.add(a);
  }
  const sorted = (s: Set<number>) => [...s].sort((x, y) => x - y);
  const nodes: TreeNode[] = [];
  const inSet = new Uint8Array(p.units.count);
  const build = (t: SPTree): TreeNode => {
    let children = t.kind === "leaf" ? [] : t.children.map(build);
    if (t.kind === "series") children = coarsen(p, children, maxSeriesChildren, nodes);
    const units = t.kind === "leaf" ? [Number(t.op.slice(1))] : children.flatMap((c) => c.units).sort((a, b) => a - b);
    const sums = sumsOfSet(p, units, inSet);
    const hasParallel = t.kind === "parallel" || children.some((c) => c.hasParallel);
    const node: TreeNode = {
      id: nodes.length,
      kind: t.kind,
      children,
      units,
      sums,
      hasParallel,
      pairs: countPairs(t.kind, children),
      exact: false,
    };
    nodes.push(node);
    if (t.kind === "series") node.cuts = seriesCuts(p, node);
    return node;
  };
  const root = build(dec.tree);
  markExact(root, exactPairLimit);
  const signatures = new Map<string, number>();
  signBranches(root, false, signatures);
  return {
    root,
    nodes,
    addedEdges,
    succs: succSets.map(sorted),
    preds: predSets.map(sorted),
    virtualNodes: new Map(),
    virtualIds: new Map(),
    signatures,
    forks: new Map(),
    representatives: new Map(),
    prefixes: new Map(),
    regionShapes: new Map(),
    branchChains: options.branchChains ?? true,
    fusion: options.fusion ?? true,
  };
}

/**
 * Pairs of upsets U ⊆ U' of a node (the region DP's transitions). Upsets of a leaf: ∅, {x} (pairs 3);
 * parallel: products; series A;B (A first): up = up(A) + up(B) − 1, pairs = pairs(B) + pairs(A) − up(A)
 * + up(B)·(up(A) − 1), folded over the children from the last one.
 */
function countPairs(kind: TreeNode["kind"], children: readonly TreeNode[]): number {
  if (kind === "leaf") return 3;
  const ups = children.map(countUpsets);
  if (kind === "parallel")
    return Math.min(
      PAIR_CAP,
      children.reduce((a, c) => a * c.pairs, 1),
    );
  let up = ups[ups.length - 1]!;
  let pairs = children[children.length - 1]!.pairs;
  for (let k = children.length - 2; k >= 0; k--) {
    const upA = ups[k]!;
    pairs = Math.min(PAIR_CAP, pairs + children[k]!.pairs - upA + up * (upA - 1));
    up = Math.min(PAIR_CAP, up + upA - 1);
  }
  return pairs;
}

function countUpsets(n: TreeNode): number {
  if (n.kind === "leaf") return 2;
  if (n.kind === "parallel")
    return Math.min(
      PAIR_CAP,
      n.children.reduce((a, c) => a * countUpsets(c), 1),
    );
  return Math.min(
    PAIR_CAP,
    n.children.reduce((a, c) => a + countUpsets(c) - 1, 1),
  );
}

/**
 * Signatures of the series nodes under a parallel node: every number the series DP reads (units' costs at
 * every sample size, parameters, saved and workspace bytes; tensors crossing each cut with their positions and
 * bytes; the node's own boundary bytes), with children and units named by rank, so equal strings mean equal DP
 * results up to renaming units rank for rank.
 */
function signBranches(node: TreeNode, underParallel: boolean, ids: Map<string, number>): void {
  for (const c of node.children) signBranches(c, underParallel || node.kind === "parallel", ids);
  if (!underParallel || node.kind !== "series" || node.exact) return;
  sign(node, ids);
}

/** Sets `node.signature` when every child is a leaf (see signBranches), interned in `ids`. */
export function sign(node: TreeNode, ids: Map<string, number>): void {
  if (node.children.some((c) => c.kind !== "leaf")) return;
  const parts: string[] = [];
  for (const c of node.children) {
    const x = c.sums;
    const times = Array.from(x.timeSec, (t, k) => `${t}/${x.fwdSec[k]}`).join(",");
    parts.push(`${times};${x.params};${x.paramBytes};${x.savedBytesPerSample};${x.workspaceBytesPerSample}`);
  }
  const cuts = node.cuts!;
  const crossing = cuts.crossing.map((l) => [...l].join(".")).join("|");
  const tensors = Array.from(
    cuts.prodPos,
    (pp, t) => `${pp}:${cuts.bytesPerSample[t]}:${[...cuts.consPos[t]!].join(".")}`,
  );
  const text = `${parts.join("#")}@${crossing}@${tensors.join(",")}@${node.sums.inBytesPerSample}/${node.sums.outBytesPerSample}`;
  let id = ids.get(text);
  if (id === undefined) {
    id = ids.size;
    ids.set(text, id);
  }
  node.signature = id;
}

function markExact(node: TreeNode, limit: number): void {
  if (node.kind === "leaf") return;
  if (node.hasParallel && node.pairs <= limit) {
    node.exact = true;
    return;
  }
  for (const c of node.children) markExact(c, limit);
}

export function seriesCuts(p: PlanningProblem, node: TreeNode): SeriesCuts {
  const n = node.children.length;
  const pos = new Map<number, number>();
  node.children.forEach((c, k) => {
    for (const u of c.units) pos.set(u, k);
  });
  const prod: number[] = [];
  const bytes: number[] = [];
  const cons: Int32Array[] = [];
  const crossingLists: number[][] = Array.from({ length: n + 1 }, () => []);
  const seen = new Set<number>();
  const consider = (t: number) => {
    if (seen.has(t)) return;
    seen.add(t);
    const tensor = p.tensors[t]!;
    const pp = pos.get(tensor.unit) ?? -1;
    const cp = [...new Set(tensor.consumers.map((c) => pos.get(c) ?? n))].sort((a, b) => a - b);
    // Only tensors that leave the producer's child matter for cuts inside this node.
    const crossing = cp.filter((c) => c > pp);
    if (crossing.length === 0) return;
    const id = prod.length;
    prod.push(pp);
    bytes.push(tensor.bytesPerSample);
    cons.push(Int32Array.from(crossing));
    const last = crossing[crossing.length - 1]!;
    for (let c = pp + 1; c <= last; c++) crossingLists[c]!.push(id);
  };
  for (const u of node.units) {
    for (const t of p.tensorsIn[u]!) consider(t);
    for (const t of p.tensorsOut[u]!) consider(t);
  }
  return {
    crossing: crossingLists.map((l) => Int32Array.from(l)),
    prodPos: Int32Array.from(prod),
    bytesPerSample: Float64Array.from(bytes),
    consPos: cons,
  };
}

/** Bytes per sample entering / leaving the run of children [i, j) of a series node. */
export function rangeComm(cuts: SeriesCuts, i: number, j: number): { inBytes: number; outBytes: number } {
  let inBytes = 0;
  for (const t of cuts.crossing[i]!) {
    // produced before i; read somewhere at or after i: is the first such read inside [i, j)?
    const cp = cuts.consPos[t]!;
    for (let k = 0; k < cp.length; k++) {
      const c = cp[k]!;
      if (c >= i) {
        if (c < j) inBytes += cuts.bytesPerSample[t]!;
        break;
      }
    }
  }
  let outBytes = 0;
  for (const t of cuts.crossing[j]!) if (cuts.prodPos[t]! >= i) outBytes += cuts.bytesPerSample[t]!;
  return { inBytes, outBytes };
}

/**
 * A plan tree whose root is one series node over the units in `order` (a topological order): the sequential
 * planners' search space — every stage a contiguous run of the order. No node is exact.
 */
export function buildChainTree(
  p: PlanningProblem,
  order: readonly number[],
  maxSeriesChildren = Number.POSITIVE_INFINITY,
): PlanTree {
  const nodes: TreeNode[] = [];
  const inSet = new Uint8Array(p.units.count);
  const units1 = order.map((u) => {
    const sums = sumsOfSet(p, [u], inSet);
    const leaf: TreeNode = {
      id: nodes.length,
      kind: "leaf",
      children: [],
      units: [u],
      sums,
      hasParallel: false,
      pairs: 3,
      exact: false,
    };
    nodes.push(leaf);
    return leaf;
  });
  const leaves = coarsen(p, units1, maxSeriesChildren, nodes);
  const all = [...order].sort((a, b) => a - b);
  const root: TreeNode =
    leaves.length === 1
      ? leaves[0]!
      : {
          id: nodes.length,
          kind: "series",
          children: leaves,
          units: all,
          sums: sumsOfSet(p, all, inSet),
          hasParallel: false,
          pairs: PAIR_CAP,
          exact: false,
        };
  if (root !== leaves[0]) {
    nodes.push(root);
    root.cuts = seriesCuts(p, root);
  }
  return {
    root,
    nodes,
    addedEdges: [],
    succs: p.units.succs,
    preds: p.units.preds,
    virtualNodes: new Map(),
    virtualIds: new Map(),
    signatures: new Map(),
    forks: new Map(),
    representatives: new Map(),
    prefixes: new Map(),
    regionShapes: new Map(),
    branchChains: false,
    fusion: false,
  };
}

/** Units in the order of the SP tree's leaves (series children in order, parallel branches one after another). */
export function leafOrder(tree: PlanTree): number[] {
  const out: number[] = [];
  const walk = (n: TreeNode) => {
    if (n.kind === "leaf") out.push(...n.units);
    else for (const c of n.children) walk(c);
  };
  walk(tree.root);
  return out;
}
