/**
 * Interleaved 1F1B candidates for the sequential planner (Megatron's virtual pipeline): p device groups of w
 * replicas each, the linearised graph cut into p·v contiguous chunks with balanced compute (min–max split),
 * chunk j on group j mod p. Bubbles shrink by v, point-to-point traffic grows by v (bamboo-and-schedules.md B.1,
 * B.3). For each micro-batch size the configurations whose estimated iteration (v·m + p − 1) × slowest chunk is
 * best are returned; the simulator times them (and checks their memory) with the other candidates.
 */
import { DEFAULT_OPTIMIZER } from "../cost/types.js";
import { assemblePlan } from "./assemble.js";
import type { PlanningProblem } from "./problem.js";
import type { StagePick } from "./tree-dp.js";
import { type Candidate, iterationBounds, microBatchSizes, plannedDevices, relayed } from "./tree-search.js";
import type { PlannerRequest } from "./types.js";

/** Chunks per device tried. */
export const VIRTUAL_STAGES = [2, 4] as const;
/** Configurations (over all micro-batch sizes) handed to the simulator, best estimates first. */
export const INTERLEAVED_SIMULATED = 4;

/** Contiguous split of `times` into exactly `parts` non-empty pieces minimising the largest sum (parts ≤ length). */
export function minMaxSplit(times: Float64Array, parts: number): number[] {
  const n = times.length;
  let lo = 0;
  let hi = 0;
  for (const t of times) {
    lo = Math.max(lo, t);
    hi += t;
  }
  const piecesFor = (cap: number) => {
    let count = 1;
    let acc = 0;
    for (const t of times) {
      if (acc + t > cap && acc > 0) {
        count++;
        acc = 0;
      }
      acc += t;
    }
    return count;
  };
  for (let k = 0; k < 60 && hi - lo > 1e-12 * hi; k++) {
    const mid = (lo + hi) / 2;
    if (piecesFor(mid) <= parts) hi = mid;
    else lo = mid;
  }
  const sizes: number[] = [];
  let acc = 0;
  let size = 0;
  for (let i = 0; i < n; i++) {
    // Keep enough items for the pieces still to come.
    const left = parts - sizes.length - 1;
    if (size > 0 && (acc + times[i]! > hi || n - i <= left)) {
      sizes.push(size);
      acc = 0;
      size = 0;
    }
    acc += times[i]!;
    size++;
  }
  sizes.push(size);
  // Too few pieces: split the largest multi-item pieces (never raises the maximum).
  while (sizes.length < parts) {
    let best = -1;
    for (let k = 0; k < sizes.length; k++) if (sizes[k]! > 1 && (best < 0 || sizes[k]! > sizes[best]!)) best = k;
    if (best < 0) break;
    const s = sizes[best]!;
    sizes.splice(best, 1, Math.ceil(s / 2), Math.floor(s / 2));
  }
  return sizes;
}

export function interleavedCandidates(req: PlannerRequest, p: PlanningProblem, order: readonly number[]): Candidate[] {
  const K = plannedDevices(req);
  interface Config {
    readonly b: number;
    readonly w: number;
    readonly depth: number;
    readonly v: number;
    readonly stages: StagePick[];
    readonly slowest: number;
    readonly load: number;
    readonly estimate: number;
  }
  const configs: Config[] = [];
  for (const b of microBatchSizes(req)) {
    const m = req.batch / b;
    for (let w = 1; w <= (req.dataParallel === false ? 1 : Math.min(K, b)); w *= 2) {
      if (b % w !== 0) continue;
      const sIdx = p.sampleSizes.indexOf(b / w);
      const times = Float64Array.from(order, (u) => p.timeSec[sIdx]![u]!);
      const groups = Math.floor(K / w);
      // Pipeline depths: powers of two (as Megatron configurations are), dividing the micro-batch count.
      for (let depth = 2; depth <= groups; depth *= 2) {
        if (m % depth !== 0) continue;
        for (const v of VIRTUAL_STAGES) {
          if (depth * v > order.length) continue;
          const sizes = minMaxSplit(times, depth * v);
          if (sizes.length !== depth * v) continue;
          const stages: StagePick[] = [];
          let at = 0;
          let slowest = 0;
          // Compute per micro-batch of each device group: all of its chunks.
          const load = new Float64Array(depth);
          for (const size of sizes) {
            let t = 0;
            for (let k = at; k < at + size; k++) t += times[k]!;
            slowest = Math.max(slowest, t);
            load[stages.length % depth]! += t;
            stages.push({ units: order.slice(at, at + size), degree: w, recompute: false });
            at += size;
          }
          configs.push({
            b,
            w,
            depth,
            v,
            stages,
            slowest,
            load: Math.max(...load),
            estimate: (v * m + depth - 1) * slowest,
          });
        }
      }
    }
  }
  return configs
    .map((c, k) => ({ c, k }))
    .sort((x, y) => x.c.estimate - y.c.estimate || x.k - y.k)
    .slice(0, INTERLEAVED_SIMULATED)
    .map(({ c }) => {
      const m = req.batch / c.b;
      const plan = assemblePlan(p, c.stages, {
        microBatch: c.b,
        microBatches: m,
        schedule: "interleaved",
        optimizer: req.optimizer ?? DEFAULT_OPTIMIZER,
        devices: K,
        devicesPerNode: req.cluster.devicesPerNode,
        keepOrder: true,
        placement: c.stages.map((_, j) => Array.from({ length: c.w }, (_, q) => (j % c.depth) * c.w + q)),
        virtualStages: c.v,
      });
      return relayed(req, {
        microBatch: c.b,
        schedule: "interleaved",
        solution: { stages: c.stages, bottleneckSec: c.slowest / c.b, devicesUsed: c.depth * c.w },
        plan,
        lowerBoundSec: Math.max(
          iterationBounds(p, { microBatch: c.b, microBatches: m }, c.stages, 0, 0, true).lowerBoundSec,
          m * c.load,
        ),
        estimateSec: c.estimate,
      });
    });
}
