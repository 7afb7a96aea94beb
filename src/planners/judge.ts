/**
 * The judge every planner's candidates face: the discrete-event simulator (src/sim, its public entry point
 * only). A candidate fits when the simulation completes and no device's peak exceeds its memory.
 */
import type { CostModel } from "../cost/types.js";
import type { Graph } from "../graph/types.js";
import type { Cluster } from "../hardware/types.js";
import type { Plan } from "../plan/types.js";
import { simulatePlan } from "../sim/index.js";
import type { PlanJudge, PlanJudgement } from "./types.js";

export function simulationJudge(cluster: Cluster): PlanJudge {
  return (plan: Plan, graph: Graph, cost: CostModel): PlanJudgement => {
    const r = simulatePlan(plan, graph, cluster, cost);
    return {
      iterationSec: r.iterationSec,
      samplesPerSec: r.status === "ok" ? r.samplesPerSec : 0,
      peakMemBytes: peaksByDevice(r.devices),
      fits: r.status === "ok" && r.fits,
    };
  };
}

/** Peaks indexed by device id (devices the simulation did not report: 0). */
function peaksByDevice(devices: readonly { readonly device: number; readonly peakMemBytes: number }[]): number[] {
  const out = new Array<number>(devices.reduce((a, d) => Math.max(a, d.device + 1), 0)).fill(0);
  for (const d of devices) out[d.device] = d.peakMemBytes;
  return out;
}
