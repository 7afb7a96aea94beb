/**
 * Recompute inside plans, second step (issue 5 item 8): the planners choose whole-stage recompute (re-run the
 * stage's forward before its backward, PipeDream-2BW style) where a stage would not fit otherwise. Checkmate's
 * rematerialization (src/remat, `stageRematCost`) can usually make the same stage fit for much less than a
 * whole extra forward. This pass asks it, for every stage that recomputes, for the cheapest schedule under the
 * stage's activation budget — the device memory left after weights, gradients, optimizer state, workspace and
 * buffers, shared equally by the micro-batches the stage holds in flight — and keeps the remat schedule where
 * it recomputes less than the whole forward. The simulator then times the refined plan; it replaces the plan
 * only if it fits and is at least as fast.
 */
import { stageMemory } from "../cost/stage-memory.js";
import { DEFAULT_OPTIMIZER } from "../cost/types.js";
import { replicaSamples } from "../plan/sample-split.js";
import { buildStageGraph, depthToSink, topoRank } from "../plan/stage-graph.js";
import type { Stage } from "../plan/types.js";
import { stageRematCost } from "../remat/stage-remat.js";
import type { SolverName } from "../remat/types.js";
import type { PlannerRequest, PlanResult } from "./types.js";

export interface RematRefineOptions {
  /** Remat solver (src/remat); default "milp" (exact on stage-sized graphs). */
  readonly solver?: SolverName;
  /** Time limit per stage for the MILP, seconds (default 10). */
  readonly timeLimitSec?: number;
}

export interface RematRefinement {
  readonly result: PlanResult;
  /** Stages whose whole-stage recompute a remat schedule replaced (ids). */
  readonly replaced: readonly string[];
}

export async function refineWithRemat(
  req: PlannerRequest,
  result: PlanResult,
  options: RematRefineOptions = {},
): Promise<RematRefinement> {
  if (!result.ok || !result.plan.stages.some((s) => s.recompute === "full")) return { result, replaced: [] };
  const { plan, graph } = result;
  const sg = buildStageGraph(plan);
  const depth = depthToSink(sg);
  const rank = topoRank(sg);
  const p = plan.stages.length;
  const m = plan.microBatches;
  const byId = new Map(graph.ops.map((op) => [op.id, op]));
  const memBytes = req.cluster.device.memBytes;
  const replaced: string[] = [];
  const stages: Stage[] = [];
  for (let i = 0; i < plan.stages.length; i++) {
    const stage = plan.stages[i]!;
    if (stage.recompute !== "full") {
      stages.push(stage);
      continue;
    }
    // In flight on this stage under the plan's schedule (DAG-1F1B: depth to a sink; chain schedules: p − rank).
    const inFlight = Math.min(m, plan.schedule === "dag-1f1b" ? depth[i]! : p - rank[i]!);
    const samples = replicaSamples(plan.microBatch, stage.dataParallel, stage.dataParallel - 1);
    const ops = stage.ops.map((id) => byId.get(id)!).filter((op) => op !== undefined);
    const fixed = stageMemory(ops, {
      graph,
      samplesPerDevice: samples,
      inFlight: 0,
      optimizer: plan.optimizer ?? DEFAULT_OPTIMIZER,
      weightVersions: plan.schedule === "2bw" ? 2 : 1,
    }).totalBytes;
    const budget = (memBytes - fixed) / Math.max(1, inFlight);
    if (!(budget > 0)) {
      stages.push(stage);
      continue;
    }
    const answer = await stageRematCost({
      graph,
      ops: stage.ops,
      microBatch: samples,
      activationBudgetBytes: budget,
      costModel: result.cost,
      optimizer: plan.optimizer,
      solver: options.solver ?? "milp",
      timeLimitSec: options.timeLimitSec ?? 10,
    });
    const a = answer.ok ? answer.value : undefined;
    if (
      a &&
      (a.status === "optimal" || a.status === "feasible") &&
      a.extraFwdFraction !== undefined &&
      a.savedBytesPerSample !== undefined &&
      a.extraFwdFraction < 1 - 1e-9
    ) {
      replaced.push(stage.id);
      stages.push({
        ...stage,
        recompute: "remat",
        rematCost: { extraFwdFraction: a.extraFwdFraction, savedBytesPerSample: a.savedBytesPerSample },
      });
    } else stages.push(stage);
  }
  if (replaced.length === 0) return { result, replaced };
  const refined = { ...plan, stages };
  const j = req.judge(refined, graph, result.cost);
  if (!j.fits || j.samplesPerSec < result.predicted.samplesPerSec) return { result, replaced: [] };
  return {
    result: { ...result, plan: refined, predicted: { ...j, bottleneckSec: result.predicted.bottleneckSec } },
    replaced,
  };
}
