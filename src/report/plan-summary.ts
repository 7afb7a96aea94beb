/**
 * A planner's result as plain JSON data (what `dagpipe plan --json` and `dagpipe compare --json` print):
 * the stages with their ops, devices and data parallelism, the stage edges, micro-batch size and count,
 * schedule, pipeline depth, the simulator's prediction and the search time. Numbers are exact (seconds, bytes).
 */
import type { Cluster } from "../hardware/types.js";
import { buildStageGraph, depthToSink } from "../plan/stage-graph.js";
import type { PlannerName, PlanResult } from "../planners/types.js";

export interface StageSummary {
  readonly id: string;
  readonly ops: readonly string[];
  readonly devices: readonly number[];
  readonly dataParallel: number;
  readonly recompute: "none" | "full" | "remat";
  /** Identity ops that only relay tensors through this stage (sequential pipelines). */
  readonly relayOps: number;
}

export interface PlanSummary {
  readonly ok: true;
  readonly planner: PlannerName;
  readonly stages: readonly StageSummary[];
  readonly stageEdges: readonly (readonly [string, string])[];
  readonly microBatch: number;
  readonly microBatches: number;
  readonly schedule: string;
  readonly virtualStages?: number;
  /** Stages on the longest path of the stage graph. */
  readonly depth: number;
  /** Devices the plan uses (of the cluster's). */
  readonly devicesUsed: number;
  readonly predicted: {
    readonly iterationSec: number;
    readonly samplesPerSec: number;
    /** Simulated peak per device, by device index (devices the plan does not use: 0). */
    readonly peakMemBytes: readonly number[];
    readonly maxPeakMemBytes: number;
    /** The planner model's bottleneck time per sample (its search objective). */
    readonly bottleneckSec: number;
  };
  readonly searchSec: number;
  readonly candidates: number;
}

export interface PlanFailureSummary {
  readonly ok: false;
  readonly planner: PlannerName;
  readonly reason: string;
  readonly leastMemBytes?: number;
  readonly searchSec: number;
}

export function summarizePlan(
  result: PlanResult,
  cluster: Cluster,
  searchSec: number,
): PlanSummary | PlanFailureSummary {
  if (!result.ok) {
    return {
      ok: false,
      planner: result.planner,
      reason: result.reason,
      ...(result.leastMemBytes === undefined ? {} : { leastMemBytes: result.leastMemBytes }),
      searchSec,
    };
  }
  const { plan, graph, predicted } = result;
  const kind = new Map(graph.ops.map((op) => [op.id, op.kind]));
  const relayIds = new Set(graph.ops.filter((op) => op.id.includes("~relay")).map((op) => op.id));
  const devices = cluster.nodes * cluster.devicesPerNode;
  const peak = new Array<number>(devices).fill(0);
  // The judge reports peaks per simulated device (index = device id).
  predicted.peakMemBytes.forEach((b, d) => {
    if (d < devices) peak[d] = b;
  });
  const used = new Set(plan.stages.flatMap((s) => s.devices));
  return {
    ok: true,
    planner: result.planner,
    stages: plan.stages.map((s) => ({
      id: s.id,
      ops: s.ops.filter((id) => !relayIds.has(id) || kind.get(id) !== "identity"),
      devices: s.devices,
      dataParallel: s.dataParallel,
      recompute: s.recompute ?? "none",
      relayOps: s.ops.filter((id) => relayIds.has(id) && kind.get(id) === "identity").length,
    })),
    stageEdges: plan.stageEdges,
    microBatch: plan.microBatch,
    microBatches: plan.microBatches,
    schedule: plan.schedule,
    ...(plan.virtualStages !== undefined ? { virtualStages: plan.virtualStages } : {}),
    depth: Math.max(0, ...depthToSink(buildStageGraph(plan))),
    devicesUsed: used.size,
    predicted: {
      iterationSec: predicted.iterationSec,
      samplesPerSec: predicted.samplesPerSec,
      peakMemBytes: peak,
      maxPeakMemBytes: Math.max(0, ...peak),
      bottleneckSec: predicted.bottleneckSec,
    },
    searchSec,
    candidates: result.candidates.length,
  };
}
