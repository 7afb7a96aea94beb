/**
 * One feasibility run of the graph planner's DP at a target time per sample τ (GraphPipe Algorithm 1's inner
 * DP, in "fewest devices" form): for every tree node X and downstream depth D it computes
 *
 *   V_X^D[w] = the fewest devices that partition X into stages, each with TPS ≤ τ and fitting in memory at its
 *              in-flight count, such that every stage of X has depth ≤ w (depth = stages on the longest
 *              stage-graph path to a sink; the stages after X count D).
 *
 * The depth bound w is the in-flight count at X's source (GraphPipe keeps "the fewest in-flight micro-batches at
 * the source" for a device budget; this keeps the fewest devices for an in-flight bound — the same frontier,
 * read the other way). Depths are capped at W = min(devices, micro-batches): a path never has more stages than
 * devices, and in-flight counts stop growing at the micro-batch count m (depth ≥ m means m in flight).
 *
 * Series node c₁…cₙ (suffix DP, later part first as in GraphPipe): a run of whole children as one stage of
 * degree d, whose depth is 1 + the entry depth of what follows; or a non-leaf child solved on its own with the
 * entry depth of what follows as its D. Parallel node: branches split into contiguous groups, each group one
 * stage or (a single branch) solved on its own; all see the same D and share the bound. A series row may also
 * fuse the tail after a parallel child (or the head before it) with one branch's last (first) stage
 * (fused-joins.ts). Exact nodes go to the region DP (region-dp.ts). Values above the device count are useless
 * and capped.
 */
import { collectFused, fuseRow } from "./fused-joins.js";
import type { PlanTree, TreeNode } from "./plan-tree.js";
import { rangeComm } from "./plan-tree.js";
import type { PlanningProblem } from "./problem.js";
import { RegionDp } from "./region-dp.js";
import { prefixOf } from "./series-prefix.js";
import {
  addSums,
  clearSums,
  emptySums,
  judgeStage,
  type StageContext,
  type StageVerdict,
  stageOption,
} from "./stage-model.js";
import { branchChain } from "./virtual-nodes.js";

/** One stage of a DP solution: its units, data-parallel degree and whether it recomputes its forward. */
export interface StagePick {
  readonly units: readonly number[];
  readonly degree: number;
  readonly recompute: boolean;
  /** A fused stage (fused-joins.ts): a branch's suffix with the tail after its join, or the head with a prefix. */
  readonly fused?: boolean;
}

export interface NodeSolution {
  /** V[w] for w = 0..W (values > devices mean infeasible). */
  readonly V: Int32Array;
  /** Appends the stages of the solution counted in V[w]. */
  collect(w: number, out: StagePick[]): void;
  /**
   * Series nodes whose first child is a leaf: first[w] = the fewest devices with the first stage judged at
   * exactly depth bound w (in flight min(m, w)) and every other stage at most w − 1 (W at W). Unlike V this is
   * not a prefix minimum: a stage that fits at depth w − 1 may not fit at w, and a fused head stage's depth is
   * set by what it feeds outside the node (tree-dp `fuse`).
   */
  readonly first?: Int32Array;
  /** Appends the stages of the solution counted in first[w]. */
  collectFirst?(w: number, out: StagePick[]): void;
}

export const INF = 1 << 29;

/**
 * Depths the DP tells apart: 1..W, the last bucket meaning "W or more". In-flight counts stop growing at the
 * micro-batch count m, so memory needs no more than m buckets; but depth also sets the pipeline's fill and
 * drain, so at least DEPTH_RESOLUTION buckets are kept even when m is smaller (shallower plans can then be
 * searched for). Never more than the devices: every stage takes one.
 */
export const DEPTH_RESOLUTION = 8;

export function depthBuckets(devices: number, microBatches: number): number {
  return Math.max(1, Math.min(devices, Math.max(microBatches, DEPTH_RESOLUTION)));
}

export class TreeDp {
  readonly W: number;
  private readonly memo = new Map<number, NodeSolution>();
  private readonly verdict: StageVerdict = { tpsSec: 0, tpsRecomputeSec: 0, maxInFlight: 0, maxInFlightRecompute: 0 };
  private readonly regions = new Map<number, RegionDp>();
  /** Stage evaluations done (for tests that check a path was exercised, and for progress). */
  evaluations = 0;

  /** Full-micro-batch seconds of the whole graph. */
  private readonly totalWork: number;
  /** Sample-size index of the full micro-batch. */
  readonly fullIndex: number;

  constructor(
    readonly problem: PlanningProblem,
    readonly tree: PlanTree,
    readonly ctx: StageContext,
    readonly tau: number,
    readonly devices: number,
  ) {
    this.W = depthBuckets(devices, ctx.microBatches);
    this.fullIndex = problem.sampleSizes.indexOf(ctx.microBatch);
    let total = 0;
    for (const t of problem.timeSec[this.fullIndex]!) total += t;
    this.totalWork = Number.isFinite(tau) ? total : 0;
  }

  /** Fewest devices for the whole graph with every stage's depth ≤ maxDepth (default: any), or INF. */
  rootDevices(maxDepth = this.W): number {
    return this.solve(this.tree.root, 0).V[Math.min(this.W, maxDepth)]!;
  }

  rootStages(maxDepth = this.W): StagePick[] {
    const out: StagePick[] = [];
    this.solve(this.tree.root, 0).collect(Math.min(this.W, maxDepth), out);
    return out;
  }

  solve(node: TreeNode, D: number): NodeSolution {
    const key = node.id * (this.W + 1) + D;
    let sol = this.memo.get(key);
    if (sol) return sol;
    if (node.exact) {
      let region = this.regions.get(node.id);
      if (!region) {
        region = new RegionDp(this.problem, this.tree, node, this.ctx, this.tau, this.devices, this.W);
        this.regions.set(node.id, region);
      }
      sol = region.solve(D);
      this.evaluations += region.evaluations;
      region.evaluations = 0;
    } else if (node.kind === "parallel") sol = this.solveParallel(node, D);
    else if (node.signature !== undefined) sol = this.solveBySignature(node, D);
    else sol = this.solveSeries(node, D);
    this.memo.set(key, sol);
    return sol;
  }

  private readonly bySignature = new Map<number, { node: TreeNode; sol: NodeSolution }>();

  /** A branch identical to one already solved reuses its result, its units renamed rank for rank. */
  private solveBySignature(node: TreeNode, D: number): NodeSolution {
    const key = node.signature! * (this.W + 1) + D;
    const hit = this.bySignature.get(key);
    if (!hit) {
      const sol = this.solveSeries(node, D);
      this.bySignature.set(key, { node, sol });
      return sol;
    }
    const rank = new Map<number, number>();
    hit.node.units.forEach((u, k) => {
      rank.set(u, k);
    });
    return {
      V: hit.sol.V,
      collect: (w, out) => {
        const picks: StagePick[] = [];
        hit.sol.collect(w, picks);
        for (const s of picks) out.push({ ...s, units: s.units.map((u) => node.units[rank.get(u)!]!) });
      },
    };
  }

  /** Prefix minimum over w with the choice records carried along (a bound w also admits every solution of w − 1). */
  private static prefixMin(val: Int32Array, base: number, W: number, choices: readonly Int32Array[]): void {
    for (let w = 1; w <= W; w++) {
      if (val[base + w - 1]! < val[base + w]!) {
        val[base + w] = val[base + w - 1]!;
        for (const c of choices) c[base + w] = c[base + w - 1]!;
      }
    }
  }

  private solveSeries(node: TreeNode, D: number): NodeSolution {
    const { W, ctx, tau, devices: K } = this;
    const S = W + 1;
    // A leaf (only the root can be one here) is a series of one child.
    const children = node.kind === "leaf" ? [node] : node.children;
    const n = children.length;
    const cuts = node.cuts;
    const suf = new Int32Array((n + 1) * S).fill(INF);
    for (let w = D; w <= W; w++) suf[n * S + w] = 0;
    // Choice records per (i, w): cJ = end of the stage run (−1: child solved on its own; fused: the row after
    // the fused part), cD = degree, cRc = recompute, cNext = bound used for what follows, cW = bound the child
    // (or fused node) was solved at, cF = fusion (0: none, 1 + k: tail fused into branch k of child i,
    // −1 − k: head [i, cJ − 1) fused into branch k of child cJ − 1).
    const cJ = new Int32Array(n * S);
    const cD = new Int32Array(n * S);
    const cRc = new Int32Array(n * S);
    const cNext = new Int32Array(n * S);
    const cW = new Int32Array(n * S);
    const cF = new Int32Array(n * S);
    const choices = { cJ, cNext, cW, cF };
    const all = [cJ, cD, cRc, cNext, cW, cF];
    const first = new Int32Array(S);
    const firstChoices = all.map(() => new Int32Array(S));
    const view = emptySums(this.problem.sampleSizes.length);
    const pre = prefixOf(this.tree, node, children, this.problem.sampleSizes.length);
    const degrees = ctx.degrees;
    const b = ctx.microBatch;
    const m = ctx.microBatches;
    const v = this.verdict;
    for (let i = n - 1; i >= 0; i--) {
      const row = i * S;
      const child = children[i]!;
      if (child.kind !== "leaf" && child !== node) {
        const nextRow = (i + 1) * S;
        for (let e = D; e <= W; e++) {
          const base = suf[nextRow + e]!;
          // V_child^e only grows with e (more downstream depth is harder), so only the depths where what
          // follows gets cheaper can improve the sum: the strict decreases of the suffix's row.
          if (base > K || (e > D && base >= suf[nextRow + e - 1]!)) continue;
          const cv = this.solve(child, e).V;
          for (let w = 1; w <= W; w++) {
            const val = cv[w]! + base;
            if (val < suf[row + w]!) {
              suf[row + w] = val;
              cJ[row + w] = -1;
              cNext[row + w] = e;
              cW[row + w] = w;
              cF[row + w] = 0;
            }
          }
        }
      }
      // Entries below D + 1 stay infeasible (a stage here is deeper than what follows): not counted.
      const wFrom = Math.min(W, D + 1);
      let rowMax = 0;
      for (let w = wFrom; w <= W; w++) rowMax = Math.max(rowMax, suf[row + w]!);
      // Stage = children [i, j) with degree d. Per degree, j runs over a window: at most as far as the stage's
      // compute at b/d samples meets τ and its weights fit (both grow with j), and at least as far as leaves
      // the rest of the graph coverable by the other K − d devices (device lower bound, see below).
      for (const d of degrees) {
        if (d > K) break;
        const k = ctx.sampleIndexOfDegree[d]!;
        const tk = pre.time[k]!;
        let lo = i + 1;
        let hi = n;
        const fits = (j: number) =>
          (tk[j]! - tk[i]!) / b <= tau && (pre.params[j]! - pre.params[i]!) * ctx.bytesPerParam <= ctx.memBytes;
        if (!fits(lo)) continue;
        if (!fits(hi)) {
          let a = lo;
          let z = hi;
          while (z - a > 1) {
            const mid = (a + z) >> 1;
            if (fits(mid)) a = mid;
            else z = mid;
          }
          hi = a;
        }
        // Each other stage of degree d' holds at most d'·τ·b seconds of full-micro-batch work (per-sample time
        // never rises with the batch), so the stage must leave at most (K − d)·τ·b of the graph's work.
        const tf = pre.time[this.fullIndex]!;
        const need = this.totalWork - (K - d) * tau * b - 1e-12 * this.totalWork;
        if (need > 0) {
          if (tf[hi]! - tf[i]! < need) continue;
          let a = lo - 1;
          let z = hi;
          while (z - a > 1) {
            const mid = (a + z) >> 1;
            if (tf[mid]! - tf[i]! >= need) z = mid;
            else a = mid;
          }
          lo = Math.max(lo, z);
        }
        // Longest stage first: what follows a longer stage is shorter. The devices that follow need at least
        // ⌈suffix work / (τ·b)⌉ (the same bound as above), which only grows as j falls: once d plus that bound
        // cannot beat any entry of the row, no shorter stage can either.
        const tail = tf[n]!;
        for (let j = hi; j >= lo; j--) {
          if (Number.isFinite(tau)) {
            const after = Math.ceil((tail - tf[j]!) / (tau * b) - 1e-9);
            if (d + after >= rowMax) break;
          }
          view.timeSec[k] = tk[j]! - tk[i]!;
          view.fwdSec[k] = pre.fwd[k]![j]! - pre.fwd[k]![i]!;
          view.params = pre.params[j]! - pre.params[i]!;
          view.paramBytes = pre.paramBytes[j]! - pre.paramBytes[i]!;
          view.savedBytesPerSample = pre.saved[j]! - pre.saved[i]!;
          view.workspaceBytesPerSample = pre.workspace(i, j);
          if (cuts) {
            const c = rangeComm(cuts, i, j);
            view.inBytesPerSample = c.inBytes;
            view.outBytesPerSample = c.outBytes;
          } else {
            view.inBytesPerSample = node.sums.inBytesPerSample;
            view.outBytesPerSample = node.sums.outBytesPerSample;
          }
          judgeStage(view, d, ctx, v);
          this.evaluations++;
          // Depth bucket w holds min(m, w) micro-batches in flight: a limit of m or more admits every bucket.
          const wNo = v.tpsSec <= tau ? (v.maxInFlight >= m ? W : Math.min(W, v.maxInFlight)) : 0;
          const wRc =
            v.tpsRecomputeSec <= tau ? (v.maxInFlightRecompute >= m ? W : Math.min(W, v.maxInFlightRecompute)) : 0;
          const wl = Math.max(wNo, wRc);
          const nextRow = j * S;
          let improved = false;
          for (let w = 1; w <= wl; w++) {
            const prev = w === W ? W : w - 1;
            const val = d + suf[nextRow + prev]!;
            if (val < suf[row + w]!) {
              suf[row + w] = val;
              cJ[row + w] = j;
              cD[row + w] = d;
              cRc[row + w] = w > wNo ? 1 : 0;
              cNext[row + w] = prev;
              cF[row + w] = 0;
              improved = true;
            }
          }
          if (improved) {
            rowMax = 0;
            for (let w = wFrom; w <= W; w++) rowMax = Math.max(rowMax, suf[row + w]!);
          }
        }
      }
      // After the plain cases, so equal device counts keep the plain plan and fused ones are pruned harder;
      // before row 0's snapshot, so a fused head can be the first stage an enclosing fused head reads.
      if (this.tree.fusion && node.kind === "series") fuseRow(this, node, pre, i, D, suf, choices);
      if (i === 0) {
        // Row 0 before the prefix minimum: the first stage judged at exactly each bound (NodeSolution.first).
        first.set(suf.subarray(0, S));
        for (let w = 0; w <= W; w++) if (first[w]! > K) first[w] = INF;
        for (const [k, a] of all.entries()) firstChoices[k]!.set(a.subarray(0, S));
      }
      TreeDp.prefixMin(suf, row, W, all);
      for (let w = 0; w <= W; w++) if (suf[row + w]! > K) suf[row + w] = INF;
    }
    const V = suf.slice(0, S);
    const collect = (w: number, out: StagePick[], fromFirst: boolean) => {
      let i = 0;
      let bound = w;
      while (i < n) {
        // The first step of collectFirst reads row 0's choices before the prefix minimum.
        const raw = fromFirst && i === 0;
        const at = raw ? bound : i * S + bound;
        const [rJ, rD, rRc, rNext, rW, rF] = raw ? firstChoices : all;
        if ((raw ? first : suf)[at]! >= INF)
          throw new Error("dagpipe/planners/tree-dp: collect on an infeasible bound");
        const j = rJ![at]!;
        const f = rF![at]!;
        if (f !== 0) {
          collectFused(this, node, i, j, f, rNext![at]!, rW![at]!, out);
          i = j;
        } else if (j < 0) {
          this.solve(children[i]!, rNext![at]!).collect(rW![at]!, out);
          i += 1;
        } else {
          const units: number[] = [];
          for (let k = i; k < j; k++) units.push(...children[k]!.units);
          out.push({ units, degree: rD![at]!, recompute: rRc![at] === 1 });
          i = j;
        }
        bound = rNext![at]!;
      }
    };
    return {
      V,
      collect: (w, out) => collect(w, out, false),
      ...(children[0]!.kind === "leaf" && children[0] !== node
        ? { first, collectFirst: (w: number, out: StagePick[]) => collect(w, out, true) }
        : {}),
    };
  }

  private solveParallel(node: TreeNode, D: number): NodeSolution {
    const { W, ctx, tau, devices: K } = this;
    const S = W + 1;
    const branches = node.children;
    const n = branches.length;
    const grp = new Int32Array((n + 1) * S).fill(INF);
    for (let w = 0; w <= W; w++) grp[n * S + w] = 0;
    const cR = new Int32Array(n * S);
    const cD = new Int32Array(n * S);
    const cRc = new Int32Array(n * S);
    const m = ctx.microBatches;
    // A group as one stage sits right before what follows: depth D + 1 (bucket W at most), min(m, ·) in flight.
    const wt = Math.min(W, D + 1);
    const inFlight = Math.min(m, D + 1);
    const sums = emptySums(this.problem.sampleSizes.length);
    const marks = new Set<number>();
    const v = this.verdict;
    const p = this.problem;
    for (let l = n - 1; l >= 0; l--) {
      const row = l * S;
      const branch = branches[l]!;
      if (branch.kind !== "leaf") {
        const cv = this.solve(branch, D).V;
        for (let w = 0; w <= W; w++) {
          const val = cv[w]! + grp[row + S + w]!;
          if (val < grp[row + w]!) {
            grp[row + w] = val;
            cR[row + w] = -1;
          }
        }
      }
      // Branches l..r pipelined as one chain (plan-tree.ts branchChain): a group can then balance over any
      // number of devices, cutting inside branches, as a sequential pipeline of those branches would. Only
      // offered when devices are scarce for the branches (fewer than two per branch); with more, every branch
      // gets devices of its own and chains only cost search time.
      if (this.tree.branchChains && K < 2 * n && !node.noChains) {
        for (let r = l + 1; r < n; r++) {
          const cv = this.solve(branchChain(p, this.tree, node, l, r), D).V;
          const nextRow = (r + 1) * S;
          for (let w = 0; w <= W; w++) {
            const val = cv[w]! + grp[nextRow + w]!;
            if (val < grp[row + w]!) {
              grp[row + w] = val;
              cR[row + w] = r;
              cD[row + w] = -2;
            }
          }
        }
      }
      clearSums(sums);
      marks.clear();
      let outBytes = 0;
      let inBytes = 0;
      for (let r = l; r < n; r++) {
        const br = branches[r]!;
        addSums(sums, br.sums);
        outBytes += br.sums.outBytesPerSample;
        for (const u of br.units) {
          for (const t of p.tensorsIn[u]!) {
            const tensor = p.tensors[t]!;
            if (marks.has(t)) continue;
            // Branches are independent: a tensor read here from outside the branch comes from outside the node.
            if (!unitIn(br, tensor.unit)) {
              marks.add(t);
              inBytes += tensor.bytesPerSample;
            }
          }
        }
        if (sums.params * ctx.bytesPerParam > ctx.memBytes) break;
        sums.inBytesPerSample = inBytes;
        sums.outBytesPerSample = outBytes;
        let pick = 0;
        let rc = 0;
        for (const d of ctx.degrees) {
          if (d > K) break;
          judgeStage(sums, d, ctx, v);
          this.evaluations++;
          const opt = stageOption(v, inFlight, tau);
          if (opt !== 0) {
            pick = d;
            rc = opt === 2 ? 1 : 0;
            break;
          }
        }
        if (pick === 0) continue;
        const nextRow = (r + 1) * S;
        for (let w = wt; w <= W; w++) {
          const val = pick + grp[nextRow + w]!;
          if (val < grp[row + w]!) {
            grp[row + w] = val;
            cR[row + w] = r;
            cD[row + w] = pick;
            cRc[row + w] = rc;
          }
        }
      }
      TreeDp.prefixMin(grp, row, W, [cR, cD, cRc]);
      for (let w = 0; w <= W; w++) if (grp[row + w]! > K) grp[row + w] = INF;
    }
    const V = grp.slice(0, S);
    return {
      V,
      collect: (w, out) => {
        let l = 0;
        while (l < n) {
          const at = l * S + w;
          if (grp[at]! >= INF) throw new Error("dagpipe/planners/tree-dp: collect on an infeasible bound");
          const r = cR[at]!;
          if (r < 0) {
            this.solve(branches[l]!, D).collect(w, out);
            l += 1;
          } else if (cD[at] === -2) {
            this.solve(branchChain(p, this.tree, node, l, r), D).collect(w, out);
            l = r + 1;
          } else {
            const units: number[] = [];
            for (let k = l; k <= r; k++) units.push(...branches[k]!.units);
            units.sort((a, b) => a - b);
            out.push({ units, degree: cD[at]!, recompute: cRc[at] === 1 });
            l = r + 1;
          }
        }
      },
    };
  }
}

function unitIn(node: TreeNode, u: number): boolean {
  const us = node.units;
  let lo = 0;
  let hi = us.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = us[mid]!;
    if (x === u) return true;
    if (x < u) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
