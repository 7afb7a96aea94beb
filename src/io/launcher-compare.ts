/**
 * `dagpipe run --compare`: the simulator's prediction for the same plan (same cost model the planners use:
 * the ops' measured profiles when they were taken on this device kind, else the roofline) beside what the run
 * measured. Memory is compared as each side counts it: the simulator in the graph's dtype with the plan's
 * optimizer bytes per parameter; the runtime in the run's dtype (weights + gradients + optimizer state +
 * saved activations on CPU; the allocator's peak on CUDA) — plan with `--dtype fp32` models to compare
 * like with like.
 */
import { createCostModel } from "../cost/create-cost-model.js";
import type { PlanDocument } from "../plan/types.js";
import { simulatePlan } from "../sim/simulate.js";
import { type Comparison, comparisonTable } from "./launcher-report.js";

export interface ComparisonResult {
  readonly data: Comparison & { readonly ratio: number; readonly status: string };
  readonly text: string;
}

export function compareWithSimulation(
  doc: PlanDocument,
  devices: readonly number[],
  measuredIterationSec: number,
  measuredPeakMemBytes: readonly number[],
): ComparisonResult {
  const cost = createCostModel(doc.cluster.device, { graph: doc.graph });
  const sim = simulatePlan(doc.plan, doc.graph, doc.cluster, cost);
  const simulatedPeakMemBytes: number[] = [];
  for (const d of sim.devices) simulatedPeakMemBytes[d.device] = d.peakMemBytes;
  const data: Comparison = {
    measuredIterationSec,
    simulatedIterationSec: sim.iterationSec,
    measuredPeakMemBytes,
    simulatedPeakMemBytes,
    devices,
  };
  const ratio = sim.iterationSec / measuredIterationSec;
  const note = doc.graph.ops.some((o) => o.profile !== undefined)
    ? ""
    : "\n(no measured profiles in the graph: the simulator used the roofline; see dagpipe profile)";
  return { data: { ...data, ratio, status: sim.status }, text: `${comparisonTable(data)}${note}` };
}
