/**
 * The graph planner's DP search spaces enumerated from the plan tree by brute force, for the exactness tests:
 * every partition the series/parallel DP can express (GraphPipe's space), and that space widened by fused
 * joins (a series tail after a parallel node sharing a stage with a suffix of one branch, or the head before
 * it with a prefix of one branch). Enumerated recursively over plain node shapes, independently of the DP's
 * tables, depth bookkeeping and pruning; only the rule of which branch may take a fused stage (the first of
 * each class of identical branches) is the planner's own, since identical branches are interchangeable.
 */
import { scorePartition } from "../../src/planners/exhaustive.js";
import type { TreeNode } from "../../src/planners/plan-tree.js";
import type { PlanningProblem } from "../../src/planners/problem.js";
import { judgeStage, type StageContext, type StageVerdict, sumsOfSet } from "../../src/planners/stage-model.js";
import type { StagePick } from "../../src/planners/tree-dp.js";
import { branchClasses } from "../../src/planners/virtual-nodes.js";

/** A partition: groups of units, one per stage. */
export type Partition = number[][];

interface Shape {
  readonly kind: TreeNode["kind"];
  readonly children: readonly Shape[];
  readonly units: readonly number[];
}

/** Every partition the series/parallel DP can express (no fused joins). */
export function spAlignedPartitions(node: TreeNode, maxStages: number): Partition[] {
  return enumerate(node, maxStages, false);
}

/** Every partition the series/parallel DP with fused joins can express. */
export function fusedPartitions(node: TreeNode, maxStages: number): Partition[] {
  return enumerate(node, maxStages, true);
}

function leafOf(nodes: readonly Shape[]): Shape {
  if (nodes.length === 1 && nodes[0]!.kind === "leaf") return nodes[0]!;
  return { kind: "leaf", children: [], units: nodes.flatMap((c) => c.units) };
}

function seriesOf(children: readonly Shape[]): Shape {
  return { kind: "series", children, units: children.flatMap((c) => c.units) };
}

function branchChildren(b: Shape): readonly Shape[] {
  return b.kind === "series" ? b.children : [b];
}

function without(parallel: Shape, k: number): Shape {
  const rest = parallel.children.filter((_, i) => i !== k);
  if (rest.length === 1) return rest[0]!;
  return { kind: "parallel", children: rest, units: rest.flatMap((c) => c.units) };
}

function enumerate(node: Shape, maxStages: number, fusion: boolean): Partition[] {
  if (node.kind === "leaf") return [[[...node.units]]];
  const ch = node.children;
  const out: Partition[] = [];
  const sub = (s: Shape) => enumerate(s, maxStages, fusion);
  const combos = (x: Shape, y: Shape, next: number, acc: Partition, rec: (i: number, acc: Partition) => void) => {
    const ys = sub(y);
    for (const px of sub(x)) for (const py of ys) rec(next, [...acc, ...px, ...py]);
  };
  if (node.kind === "series") {
    const rec = (i: number, acc: Partition) => {
      if (acc.length > maxStages) return;
      if (i === ch.length) {
        out.push(acc);
        return;
      }
      for (let j = i + 1; j <= ch.length; j++) rec(j, [...acc, ch.slice(i, j).flatMap((c) => c.units)]);
      if (ch[i]!.kind !== "leaf") for (const part of sub(ch[i]!)) rec(i + 1, [...acc, ...part]);
      if (!fusion) return;
      const child = ch[i]!;
      // Fused runs never hold a parallel child (fused-joins.ts).
      if (child.kind === "parallel") {
        for (let j = i + 2; j <= ch.length && ch[j - 1]!.kind !== "parallel"; j++) {
          for (const k of branchClasses(child as TreeNode)) {
            const x = seriesOf([...branchChildren(child.children[k]!), leafOf(ch.slice(i + 1, j))]);
            combos(x, without(child, k), j, acc, rec);
          }
        }
      }
      const a = child.kind === "parallel" ? -1 : ch.findIndex((c, at) => at > i && c.kind === "parallel");
      if (a > i) {
        const fork = ch[a]!;
        for (const k of branchClasses(fork as TreeNode)) {
          const x = seriesOf([leafOf(ch.slice(i, a)), ...branchChildren(fork.children[k]!)]);
          combos(x, without(fork, k), a + 1, acc, rec);
        }
      }
    };
    rec(0, []);
  } else {
    const rec = (l: number, acc: Partition) => {
      if (acc.length > maxStages) return;
      if (l === ch.length) {
        out.push(acc);
        return;
      }
      for (let r = l; r < ch.length; r++) rec(r + 1, [...acc, ch.slice(l, r + 1).flatMap((c) => c.units)]);
      if (ch[l]!.kind !== "leaf") for (const part of sub(ch[l]!)) rec(l + 1, [...acc, ...part]);
    };
    rec(0, []);
  }
  return out.filter((p) => p.length <= maxStages);
}

/** The best objective over the given partitions (scored as the exhaustive search scores them), or undefined. */
export function bestOf(p: PlanningProblem, ctx: StageContext, devices: number, parts: readonly Partition[]) {
  let best: number | undefined;
  const block = new Int32Array(p.units.count);
  for (const part of parts) {
    part.forEach((g, k) => {
      for (const u of g) block[u] = k;
    });
    const s = scorePartition(p, ctx, devices, block, part.length);
    if (s && (best === undefined || s.bottleneckSec < best)) best = s.bottleneckSec;
  }
  return best;
}

/**
 * Whether a planner's solution is what it claims: every stage, at its own degree and recompute choice, fits in
 * memory at its true in-flight count (min(m, stages on its longest path to a sink)), its time per sample is at
 * most `bottleneckSec`, and the degrees fit in the devices. Catches depth bookkeeping that is too optimistic.
 */
export function solutionHolds(
  p: PlanningProblem,
  ctx: StageContext,
  devices: number,
  stages: readonly StagePick[],
  bottleneckSec: number,
): boolean {
  const depth = stageDepths(p, stages);
  const v: StageVerdict = { tpsSec: 0, tpsRecomputeSec: 0, maxInFlight: 0, maxInFlightRecompute: 0 };
  const inSet = new Uint8Array(p.units.count);
  let used = 0;
  for (const [x, s] of stages.entries()) {
    for (const u of s.units) inSet[u] = 1;
    judgeStage(sumsOfSet(p, s.units, inSet), s.degree, ctx, v);
    for (const u of s.units) inSet[u] = 0;
    const inFlight = Math.min(ctx.microBatches, depth[x]!);
    const tps = s.recompute ? v.tpsRecomputeSec : v.tpsSec;
    const limit = s.recompute ? v.maxInFlightRecompute : v.maxInFlight;
    if (tps > bottleneckSec * (1 + 1e-9) || inFlight > limit) return false;
    used += s.degree;
  }
  return used <= devices;
}

function stageDepths(p: PlanningProblem, stages: readonly StagePick[]): Int32Array {
  const stageOf = new Int32Array(p.units.count).fill(-1);
  stages.forEach((s, i) => {
    for (const u of s.units) stageOf[u] = i;
  });
  const depth = new Int32Array(stages.length);
  const visit = (x: number): number => {
    if (depth[x]! > 0) return depth[x]!;
    let d = 1;
    for (const u of stages[x]!.units)
      for (const s of p.units.succs[u]!) if (stageOf[s] !== x) d = Math.max(d, 1 + visit(stageOf[s]!));
    depth[x] = d;
    return d;
  };
  for (let x = 0; x < stages.length; x++) visit(x);
  return depth;
}
