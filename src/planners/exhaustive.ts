/**
 * Reference search for tests: every partition of the units into at most K stages whose stage graph is acyclic
 * (acyclic quotient ⇒ every stage convex), every data-parallel degree per stage, scored by exactly the
 * objective of stage-model.ts (max stage TPS subject to memory at the DAG-1F1B in-flight counts). Exponential:
 * for graphs of about 10 units and 4 devices. It shares no search code with the planners, only the stage model.
 */
import type { PlanningProblem } from "./problem.js";
import { judgeStage, type StageContext, type StageVerdict, stageOption, sumsOfSet } from "./stage-model.js";
import type { StagePick } from "./tree-dp.js";

export interface ExhaustiveResult {
  readonly bottleneckSec: number;
  readonly stages: readonly StagePick[];
  /** Partitions scored (to check a test reached what it claims). */
  readonly partitionsScored: number;
}

export interface ScoredPartition {
  readonly bottleneckSec: number;
  readonly stages: readonly StagePick[];
}

/**
 * The objective of one partition (`block[u]` = stage of unit u, stages 0..k−1): undefined when its stage graph
 * has a cycle or no degree assignment fits; otherwise the best max-TPS over degree assignments with Σ d ≤ K.
 */
export function scorePartition(
  p: PlanningProblem,
  ctx: StageContext,
  devices: number,
  block: Int32Array,
  k: number,
  succs: readonly (readonly number[])[] = p.units.succs,
): ScoredPartition | undefined {
  const n = p.units.count;
  const v: StageVerdict = { tpsSec: 0, tpsRecomputeSec: 0, maxInFlight: 0, maxInFlightRecompute: 0 };
  const inSet = new Uint8Array(n);
  const adj = Array.from({ length: k }, () => new Set<number>());
  for (let u = 0; u < n; u++) for (const s of succs[u]!) if (block[u] !== block[s]) adj[block[u]!]!.add(block[s]!);
  const depth = new Int32Array(k);
  const state = new Uint8Array(k); // 0 new, 1 on stack, 2 done
  let cyclic = false;
  const visit = (x: number): number => {
    if (state[x] === 2) return depth[x]!;
    if (state[x] === 1) {
      cyclic = true;
      return 0;
    }
    state[x] = 1;
    let d = 1;
    for (const y of adj[x]!) d = Math.max(d, 1 + visit(y));
    state[x] = 2;
    depth[x] = d;
    return d;
  };
  for (let x = 0; x < k; x++) visit(x);
  if (cyclic) return undefined;
  const groups: number[][] = Array.from({ length: k }, () => []);
  for (let u = 0; u < n; u++) groups[block[u]!]!.push(u);
  // Per stage: feasible (degree, tps, recompute) options at its in-flight count.
  const options = groups.map((units, x) => {
    const sums = sumsOfSet(p, units, inSet);
    const inFlight = Math.min(ctx.microBatches, depth[x]!);
    const out: { d: number; tps: number; rc: boolean }[] = [];
    for (const d of ctx.degrees) {
      if (d > devices) break;
      judgeStage(sums, d, ctx, v);
      const opt = stageOption(v, inFlight, Number.POSITIVE_INFINITY);
      if (opt === 1) out.push({ d, tps: v.tpsSec, rc: false });
      else if (opt === 2) out.push({ d, tps: v.tpsRecomputeSec, rc: true });
    }
    return out;
  });
  // Degrees: minimise the max TPS with Σ d ≤ K (k ≤ K stages, few degrees: enumerate).
  const pick = new Int32Array(k);
  const chosen = new Int32Array(k);
  let best = Number.POSITIVE_INFINITY;
  const assign = (x: number, used: number, worst: number) => {
    if (worst >= best) return;
    if (x === k) {
      best = worst;
      chosen.set(pick);
      return;
    }
    const opts = options[x]!;
    for (let i = 0; i < opts.length; i++) {
      const o = opts[i]!;
      if (used + o.d + (k - x - 1) > devices) break;
      pick[x] = i;
      assign(x + 1, used + o.d, Math.max(worst, o.tps));
    }
  };
  assign(0, 0, 0);
  if (best === Number.POSITIVE_INFINITY) return undefined;
  return {
    bottleneckSec: best,
    stages: groups.map((units, x) => {
      const o = options[x]![chosen[x]!]!;
      return { units, degree: o.d, recompute: o.rc };
    }),
  };
}

/**
 * `succs`: the dependencies to respect (the unit graph's, plus any the planner treats as real). Returns
 * undefined when no partition fits.
 */
export function exhaustiveSearch(
  p: PlanningProblem,
  ctx: StageContext,
  devices: number,
  succs: readonly (readonly number[])[] = p.units.succs,
): ExhaustiveResult | undefined {
  const n = p.units.count;
  const block = new Int32Array(n);
  let best: ScoredPartition | undefined;
  let scored = 0;
  // Restricted growth strings: unit u joins an existing block or opens block k (at most K blocks).
  const grow = (u: number, k: number) => {
    if (u === n) {
      const s = scorePartition(p, ctx, devices, block, k, succs);
      scored++;
      if (s && (!best || s.bottleneckSec < best.bottleneckSec)) best = s;
      return;
    }
    for (let x = 0; x < k; x++) {
      block[u] = x;
      grow(u + 1, k);
    }
    if (k < devices) {
      block[u] = k;
      grow(u + 1, k + 1);
    }
  };
  if (n > 0) grow(0, 0);
  return best ? { ...(best as ScoredPartition), partitionsScored: scored } : undefined;
}
