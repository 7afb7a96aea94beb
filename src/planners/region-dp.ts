/**
 * Exact DP over every convex partition of a small subtree X (an `exact` node of the plan tree): what makes the
 * graph planner exact where series/parallel splits alone are not (two parallel 2-op branches on 2 devices are
 * best cut in layers {a1,b1},{a2,b2} or branch-wise with the terminals {s,a1,a2},{b1,b2,t}; neither is a union of
 * SP pieces).
 *
 * Every partition of X into stages with an acyclic stage graph is a chain of upsets ∅ = U₀ ⊂ U₁ ⊂ … ⊂ Uₖ = X
 * (upset: closed under successors inside X), stage Uᵢ \ Uᵢ₋₁, so the DP grows the partition from the sinks
 * (later stages first, as GraphPipe does). A stage's depth is 1 + the largest depth among the stages it feeds,
 * which only the "frontier" of U knows (units of U with a predecessor outside U): a state is U plus the depth
 * of every frontier unit, the deepest stage so far and the devices used. States are kept on a Pareto frontier
 * (all of those smaller is better), which keeps the search exact.
 *
 * Cost: O(pairs · |degrees| · labels) per (τ, D), pairs = #(U ⊆ U'); the plan tree only marks subtrees with at
 * most `exactPairLimit` pairs (GraphPipe's scaling elsewhere). Precomputed once per node: upsets, frontiers and
 * every pair's stage sums.
 */
import type { PlanTree, TreeNode } from "./plan-tree.js";
import type { PlanningProblem } from "./problem.js";
import { judgeStage, type StageContext, type StageSums, type StageVerdict, sumsOfSet } from "./stage-model.js";
import { INF, type NodeSolution, type StagePick } from "./tree-dp.js";

interface Pair {
  readonly index: number;
  readonly from: number;
  /** Units of the stage (global indices) and their local indices. */
  readonly units: readonly number[];
  readonly local: readonly number[];
  readonly sums: StageSums;
  /** Local indices of units in `from` that the stage feeds; whether it feeds anything outside X. */
  readonly feeds: readonly number[];
  readonly feedsOutside: boolean;
}

export interface RegionShape {
  readonly x: number;
  /** Upsets in order of size; frontier (local units) of each. */
  readonly frontier: readonly (readonly number[])[];
  /** pairsInto[U'] = transitions ending at U'. */
  readonly pairsInto: readonly (readonly Pair[])[];
  readonly pairs: readonly Pair[];
  readonly full: number;
  /** Units outside each upset (local indices), for the device lower bound. */
  readonly outsideUnits: readonly (readonly number[])[];
  readonly verdicts: WeakMap<StageContext, readonly Float64Array[]>;
  readonly rest: WeakMap<StageContext, Float64Array>;
}

interface Label {
  readonly depth: Int32Array;
  readonly maxDepth: number;
  readonly devices: number;
  readonly prev: Label | undefined;
  readonly pair: Pair | undefined;
  readonly degree: number;
  readonly recompute: boolean;
}

export class RegionDp {
  evaluations = 0;
  private readonly shape: RegionShape;

  /** Per pair, per degree index: [tps, tps with recompute, in-flight limit, limit with recompute], once per context. */
  private verdicts(): readonly Float64Array[] {
    const cached = this.shape.verdicts.get(this.ctx);
    if (cached) return cached;
    const v: StageVerdict = { tpsSec: 0, tpsRecomputeSec: 0, maxInFlight: 0, maxInFlightRecompute: 0 };
    const out = this.shape.pairs.map((pair) => {
      const a = new Float64Array(this.ctx.degrees.length * 4);
      this.ctx.degrees.forEach((d, k) => {
        judgeStage(pair.sums, d, this.ctx, v);
        this.evaluations++;
        a[k * 4] = v.tpsSec;
        a[k * 4 + 1] = v.tpsRecomputeSec;
        a[k * 4 + 2] = v.maxInFlight;
        a[k * 4 + 3] = v.maxInFlightRecompute;
      });
      return a;
    });
    this.shape.verdicts.set(this.ctx, out);
    return out;
  }

  constructor(
    readonly problem: PlanningProblem,
    readonly tree: PlanTree,
    readonly node: TreeNode,
    readonly ctx: StageContext,
    readonly tau: number,
    readonly devices: number,
    readonly W: number,
  ) {
    let shape = tree.regionShapes.get(node.id);
    if (!shape) {
      shape = buildShape(problem, tree, node);
      tree.regionShapes.set(node.id, shape);
    }
    this.shape = shape;
  }

  solve(D: number): NodeSolution {
    const { shape, ctx, tau, W, devices: K } = this;
    const m = ctx.microBatches;
    const b = ctx.microBatch;
    const verdicts = this.verdicts();
    const nd = ctx.degrees.length;
    // Devices the units outside each upset need at least: each stage of degree d holds at most d·τ·b seconds of
    // full-micro-batch work (per-sample time never rises with the batch), so ⌈rest / (τ·b)⌉.
    const rest = restWork(shape, this.problem, ctx);
    const minDevices = (upset: number) =>
      Number.isFinite(tau) && tau > 0 ? Math.ceil(rest[upset]! / (tau * b) - 1e-9) : 0;
    const labels: Label[][] = shape.frontier.map(() => []);
    labels[0]!.push({
      depth: new Int32Array(shape.x),
      maxDepth: 0,
      devices: 0,
      prev: undefined,
      pair: undefined,
      degree: 0,
      recompute: false,
    });
    for (let to = 1; to < shape.frontier.length; to++) {
      const frontier = shape.frontier[to]!;
      const budget = K - minDevices(to);
      if (budget < 0) continue;
      const target = labels[to]!;
      for (const pair of shape.pairsInto[to]!) {
        const from = labels[pair.from]!;
        if (from.length === 0) continue;
        const vd = verdicts[pair.index]!;
        for (const label of from) {
          let depth = pair.feedsOutside ? D : 0;
          for (const f of pair.feeds) depth = Math.max(depth, label.depth[f]!);
          // Depth bucket (W = "W or more") and the micro-batches in flight there.
          const w = Math.min(W, depth + 1);
          const inFlight = Math.min(m, depth + 1);
          // The smallest feasible degree dominates larger ones for the same stage at the same depth.
          let pick = -1;
          let rc = false;
          for (let k = 0; k < nd; k++) {
            const d = ctx.degrees[k]!;
            if (d > K || label.devices + d > budget) break;
            const o = k * 4;
            if (vd[o]! <= tau && inFlight <= vd[o + 2]!) pick = d;
            else if (vd[o + 1]! <= tau && inFlight <= vd[o + 3]!) {
              pick = d;
              rc = true;
            }
            if (pick > 0) break;
          }
          if (pick < 0) continue;
          const devices = label.devices + pick;
          const maxDepth = Math.max(label.maxDepth, w);
          if (dominated(target, frontier, pair.local, label.depth, w, maxDepth, devices)) continue;
          const depths = Int32Array.from(label.depth);
          for (const u of pair.local) depths[u] = w;
          insert(target, frontier, {
            depth: depths,
            maxDepth,
            devices,
            prev: label,
            pair,
            degree: pick,
            recompute: rc,
          });
        }
      }
    }
    const finals = labels[shape.full]!;
    const V = new Int32Array(W + 1).fill(INF);
    const best: (Label | undefined)[] = new Array(W + 1).fill(undefined);
    for (const l of finals) {
      for (let w = l.maxDepth; w <= W; w++) {
        if (l.devices < V[w]! || (l.devices === V[w]! && tieBreak(l, best[w]))) {
          V[w] = l.devices;
          best[w] = l;
        }
      }
    }
    return {
      V,
      collect: (w, out) => {
        const pick: StagePick[] = [];
        for (let l = best[w]; l?.pair; l = l.prev) {
          pick.push({ units: [...l.pair.units], degree: l.degree, recompute: l.recompute });
        }
        if (!best[w]) throw new Error("dagpipe/planners/region-dp: collect on an infeasible bound");
        out.push(...pick.reverse());
      },
    };
  }
}

/** Deterministic preference between equal-device labels: shallower first, then fewer stages. */
function tieBreak(a: Label, b: Label | undefined): boolean {
  if (!b) return true;
  if (a.maxDepth !== b.maxDepth) return a.maxDepth < b.maxDepth;
  return stages(a) < stages(b);
}

function stages(l: Label): number {
  let k = 0;
  for (let x: Label | undefined = l; x?.pair; x = x.prev) k++;
  return k;
}

/** Full-micro-batch seconds of the units outside each upset. */
function restWork(shape: RegionShape, p: PlanningProblem, ctx: StageContext): Float64Array {
  const cached = shape.rest.get(ctx);
  if (cached) return cached;
  const time = p.timeSec[p.sampleSizes.indexOf(ctx.microBatch)]!;
  const out = Float64Array.from(shape.outsideUnits, (units) => {
    let t = 0;
    for (const u of units) t += time[u]!;
    return t;
  });
  shape.rest.set(ctx, out);
  return out;
}

/** Whether a label of `set` dominates the candidate (built from `depth` with the stage units set to w). */
function dominated(
  set: readonly Label[],
  frontier: readonly number[],
  stage: readonly number[],
  depth: Int32Array,
  w: number,
  maxDepth: number,
  devices: number,
): boolean {
  outer: for (const o of set) {
    if (o.devices > devices || o.maxDepth > maxDepth) continue;
    for (const f of frontier) {
      const mine = stage.includes(f) ? w : depth[f]!;
      if (o.depth[f]! > mine) continue outer;
    }
    return true;
  }
  return false;
}

/** Inserts `l` unless a label of the set dominates it; drops the labels it dominates. */
function insert(set: Label[], frontier: readonly number[], l: Label): void {
  for (const o of set) if (dominates(o, l, frontier)) return;
  let k = 0;
  for (const o of set) if (!dominates(l, o, frontier)) set[k++] = o;
  set.length = k;
  set.push(l);
}

function dominates(a: Label, b: Label, frontier: readonly number[]): boolean {
  if (a.devices > b.devices || a.maxDepth > b.maxDepth) return false;
  for (const f of frontier) if (a.depth[f]! > b.depth[f]!) return false;
  return true;
}

function buildShape(p: PlanningProblem, tree: PlanTree, node: TreeNode): RegionShape {
  const units = node.units;
  const x = units.length;
  const local = new Map<number, number>();
  units.forEach((u, k) => {
    local.set(u, k);
  });
  const succ = units.map((u) => tree.succs[u]!.filter((s) => local.has(s)).map((s) => local.get(s)!));
  const pred = units.map((u) => tree.preds[u]!.filter((s) => local.has(s)).map((s) => local.get(s)!));
  const outside = units.map((u) => tree.succs[u]!.length === 0 || tree.succs[u]!.some((s) => !local.has(s)));
  // Upsets as bigint masks, generated by size (breadth first), so every subset comes before its supersets.
  const index = new Map<bigint, number>();
  const masks: bigint[] = [0n];
  index.set(0n, 0);
  for (let k = 0; k < masks.length; k++) {
    const mask = masks[k]!;
    for (let u = x - 1; u >= 0; u--) {
      const bit = 1n << BigInt(u);
      if (mask & bit) continue;
      if (!succ[u]!.every((s) => mask & (1n << BigInt(s)))) continue;
      const next = mask | bit;
      if (!index.has(next)) {
        index.set(next, masks.length);
        masks.push(next);
      }
    }
  }
  const has = (mask: bigint, u: number) => (mask & (1n << BigInt(u))) !== 0n;
  const frontier = masks.map((mask) => {
    const f: number[] = [];
    for (let u = 0; u < x; u++) if (has(mask, u) && pred[u]!.some((q) => !has(mask, q))) f.push(u);
    return f;
  });
  const inSet = new Uint8Array(p.units.count);
  const pairsInto: Pair[][] = masks.map(() => []);
  const pairs: Pair[] = [];
  // Supersets of each upset that are upsets: grown from it by the same rule that generated the upsets.
  for (let from = 0; from < masks.length; from++) {
    const small = masks[from]!;
    const seen = new Set<bigint>([small]);
    const queue: bigint[] = [small];
    for (let q = 0; q < queue.length; q++) {
      const mask = queue[q]!;
      for (let u = 0; u < x; u++) {
        if (has(mask, u) || !succ[u]!.every((s) => has(mask, s))) continue;
        const next = mask | (1n << BigInt(u));
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
        const to = index.get(next)!;
        const diff = next & ~small;
        const loc: number[] = [];
        for (let k = 0; k < x; k++) if (has(diff, k)) loc.push(k);
        const glob = loc.map((k) => units[k]!);
        const sums = sumsOfSet(p, glob, inSet);
        const feeds = new Set<number>();
        let feedsOutside = false;
        for (const k of loc) {
          if (outside[k]) feedsOutside = true;
          for (const t of succ[k]!) if (has(small, t)) feeds.add(t);
        }
        const pair: Pair = {
          index: pairs.length,
          from,
          units: glob,
          local: loc,
          sums,
          feeds: [...feeds].sort((a, b) => a - b),
          feedsOutside,
        };
        pairs.push(pair);
        pairsInto[to]!.push(pair);
      }
    }
  }
  const outsideUnits = masks.map((mask) => units.map((u, k) => (has(mask, k) ? -1 : u)).filter((u) => u >= 0));
  return {
    x,
    frontier,
    pairsInto,
    pairs,
    full: masks.length - 1,
    outsideUnits,
    verdicts: new WeakMap(),
    rest: new WeakMap(),
  };
}
