/**
 * What one replica of a stage costs, from the cost model (src/cost/): compute times of F, B, W, recompute
 * and the optimizer step at the replica's share of a micro-batch, and the bytes it holds (same accounting
 * as cost/stage-memory.ts, so the simulator and planners agree on what a byte is for).
 *
 * - Split backward (zb-h1): W = half the backward of the ops with parameters (their weight gradient, ≈ the
 *   forward's FLOPs), B = the rest; a full backward is B + W.
 * - Recompute "full": the forward again; "remat": rematCost.extraFwdFraction × the forward.
 * - Optimizer step: memory-bound, reads and writes every byte of weights, gradients and state once:
 *   2 × params × bytesPerParam / memBytesPerSec.
 */
import { stageTime } from "../cost/stage-cost.js";
import { stageTotals } from "../cost/stage-memory.js";
import type { CostModel } from "../cost/types.js";
import type { Graph, Op } from "../graph/types.js";
import { replicaSamples } from "../plan/sample-split.js";
import type { Plan } from "../plan/types.js";

export interface ReplicaCost {
  readonly samples: number;
  readonly fwdSec: number;
  /** Full backward (input and weight gradients). */
  readonly bwdSec: number;
  /** Weight-gradient part of the backward (run as W when the schedule splits it). */
  readonly weightGradSec: number;
  readonly recomputeSec: number;
  readonly stepSec: number;
  readonly weightsBytes: number;
  readonly gradientsBytes: number;
  readonly optimizerBytes: number;
  /** Activation bytes kept from the forward until the backward, per micro-batch. */
  readonly keptBytes: number;
  /** Extra activation bytes a recompute brings back until its backward ends. */
  readonly recomputedBytes: number;
  readonly workspaceBytes: number;
}

export interface StageCosts {
  /** cost(stage index, replica index). */
  replica(stage: number, replica: number): ReplicaCost;
}

export function stageCosts(plan: Plan, graph: Graph, cost: CostModel): StageCosts {
  const opById = new Map(graph.ops.map((op) => [op.id, op]));
  const device = cost.device;
  const cache = new Map<string, ReplicaCost>();
  const stageOps: Op[][] = plan.stages.map((s) => s.ops.map((id) => opById.get(id)!).filter((op) => op !== undefined));
  const totals = stageOps.map((ops) => stageTotals(ops, graph));
  return {
    replica(stage, replica) {
      const s = plan.stages[stage]!;
      const samples = replicaSamples(plan.microBatch, s.dataParallel, replica);
      const key = `${stage}/${samples}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const ops = stageOps[stage]!;
      const t = totals[stage]!;
      const time = stageTime(ops, cost, samples);
      let weightGradSec = 0;
      for (const op of ops) if (op.params > 0) weightGradSec += cost.opTime(op, samples).bwdSec / 2;
      const input = t.inputBytesPerSample ?? 0;
      let keptPerSample = t.savedBytesPerSample;
      let recomputedPerSample = 0;
      let recomputeSec = 0;
      if (s.recompute === "full") {
        keptPerSample = input;
        recomputedPerSample = t.savedBytesPerSample;
        recomputeSec = time.fwdSec;
      } else if (s.recompute === "remat") {
        keptPerSample = s.rematCost?.savedBytesPerSample ?? t.savedBytesPerSample;
        recomputeSec = time.fwdSec * (s.rematCost?.extraFwdFraction ?? 0);
      }
      const stateBytes = t.params * plan.optimizer.bytesPerParam;
      const out: ReplicaCost = {
        samples,
        fwdSec: time.fwdSec,
        bwdSec: time.bwdSec,
        weightGradSec,
        recomputeSec,
        stepSec: t.params === 0 ? 0 : (2 * stateBytes) / device.memBytesPerSec,
        weightsBytes: t.paramBytes,
        gradientsBytes: t.paramBytes,
        optimizerBytes: Math.max(0, stateBytes - 2 * t.paramBytes),
        keptBytes: keptPerSample * samples,
        recomputedBytes: recomputedPerSample * samples,
        workspaceBytes: t.maxWorkspaceBytesPerSample * samples,
      };
      cache.set(key, out);
      return out;
    },
  };
}
