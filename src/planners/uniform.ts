/**
 * `uniform` planner: what a user configures by hand in Megatron-LM or GPipe — p pipeline stages with the same
 * number of layers (planning units, in the linearised order), each replicated w ways (p·w = devices; w = 1
 * with `--no-dp`), one micro-batch size, synchronous 1F1B, activation checkpointing on every stage or none.
 * For each (p, w, micro-batch) whose stages fit (the planner's memory model at 1F1B's in-flight counts, with
 * recompute switched on only when needed), the 1F1B iteration time is estimated as (m + p − 1) × the slowest
 * stage's time per micro-batch; the best few estimates are simulated and the fastest that fits wins.
 */
import { DEFAULT_OPTIMIZER } from "../cost/types.js";
import { assemblePlan } from "./assemble.js";
import { buildPlanTree, leafOrder } from "./plan-tree.js";
import { buildProblem } from "./problem.js";
import { judgeStage, type StageVerdict, stageMemBytes, sumsOfSet } from "./stage-model.js";
import type { StagePick } from "./tree-dp.js";
import {
  type Candidate,
  contextFor,
  iterationBounds,
  microBatchSizes,
  pickBest,
  plannedDevices,
  relayed,
} from "./tree-search.js";
import type { PlannerRequest, PlanResult } from "./types.js";

/** How many of the best-estimated configurations the simulator times. */
export const UNIFORM_SIMULATED = 4;

/** Contiguous groups of `n` items with sizes as equal as possible (larger groups first). */
export function equalGroups(n: number, groups: number): number[] {
  const out: number[] = [];
  const base = Math.floor(n / groups);
  const extra = n % groups;
  for (let g = 0; g < groups; g++) out.push(base + (g < extra ? 1 : 0));
  return out;
}

export function planUniform(req: PlannerRequest): PlanResult {
  const sizes = microBatchSizes(req);
  if (sizes.length === 0)
    return { ok: false, planner: "uniform", reason: `no micro-batch size divides the batch ${req.batch}` };
  const p = buildProblem(req.graph, req.cost, sizes[sizes.length - 1]!);
  const order = leafOrder(buildPlanTree(p, 0));
  const K = plannedDevices(req);
  const spec = { planner: "uniform" as const, schedule: "1f1b" as const, extraWeightVersions: 0 };
  const scored: { estimate: number; candidate: Candidate }[] = [];
  const v: StageVerdict = { tpsSec: 0, tpsRecomputeSec: 0, maxInFlight: 0, maxInFlightRecompute: 0 };
  const inSet = new Uint8Array(p.units.count);
  let leastMem = Number.POSITIVE_INFINITY;
  for (let depth = 1; depth <= Math.min(K, order.length); depth++) {
    if (K % depth !== 0) continue;
    const width = req.dataParallel === false ? 1 : K / depth;
    if (req.dataParallel === false && depth !== Math.min(K, order.length)) continue;
    const groups: number[][] = [];
    let at = 0;
    for (const size of equalGroups(order.length, depth)) {
      groups.push(order.slice(at, at + size));
      at += size;
    }
    const sums = groups.map((g) => sumsOfSet(p, g, inSet));
    for (const b of sizes) {
      if (b % width !== 0) continue;
      const ctx = contextFor(req, p, spec, b);
      if (ctx.sampleIndexOfDegree[width]! < 0) continue;
      const m = req.batch / b;
      // Activation checkpointing is one switch for the whole model, as in Megatron: off unless something needs it.
      for (const recompute of [false, true]) {
        if (recompute && req.recompute === false) continue;
        let fits = true;
        let slowest = 0;
        sums.forEach((s, r) => {
          judgeStage(s, width, ctx, v);
          const inFlight = Math.min(m, depth - r);
          const limit = recompute ? v.maxInFlightRecompute : v.maxInFlight;
          if (inFlight > limit) fits = false;
          slowest = Math.max(slowest, (recompute ? v.tpsRecomputeSec : v.tpsSec) * b);
        });
        if (!fits) continue;
        const stages: StagePick[] = groups.map((units) => ({ units, degree: width, recompute }));
        const plan = assemblePlan(p, stages, {
          microBatch: b,
          microBatches: m,
          schedule: "1f1b",
          optimizer: req.optimizer ?? DEFAULT_OPTIMIZER,
          devices: K,
          devicesPerNode: req.cluster.devicesPerNode,
          keepOrder: true,
        });
        scored.push({
          estimate: (m + depth - 1) * slowest,
          candidate: relayed(req, {
            microBatch: b,
            schedule: "1f1b",
            solution: { stages, bottleneckSec: slowest / b, devicesUsed: K },
            plan,
            ...iterationBounds(p, ctx, stages, depth, slowest / b, true),
          }),
        });
        break;
      }
    }
    // Least memory of this split: its smallest allowed micro-batch, recompute where it saves memory.
    const b = sizes.find((x) => x % width === 0);
    if (b !== undefined) {
      const ctx = contextFor(req, p, spec, b);
      if (ctx.sampleIndexOfDegree[width]! >= 0) {
        let need = 0;
        sums.forEach((s, r) => {
          const inFlight = Math.min(req.batch / b, depth - r);
          const plain = stageMemBytes(s, width, ctx, inFlight, false);
          need = Math.max(
            need,
            req.recompute === false ? plain : Math.min(plain, stageMemBytes(s, width, ctx, inFlight, true)),
          );
        });
        leastMem = Math.min(leastMem, need);
      }
    }
  }
  if (scored.length === 0) {
    return {
      ok: false,
      planner: "uniform",
      reason: "no uniform split fits in device memory",
      ...(Number.isFinite(leastMem) ? { leastMemBytes: Math.ceil(leastMem) } : {}),
    };
  }
  // Best estimates first; ties keep the enumeration order (fewer stages, smaller micro-batch first).
  const ranked = scored
    .map((s, k) => ({ ...s, k }))
    .sort((a, b) => a.estimate - b.estimate || a.k - b.k)
    .slice(0, UNIFORM_SIMULATED);
  return pickBest(
    req,
    "uniform",
    ranked.map((r) => r.candidate),
  );
}
