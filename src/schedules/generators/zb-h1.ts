/**
 * ZB-H1 (Zero Bubble, bamboo-and-schedules.md B.1/B.4; torch's interleaved zero-bubble generator with one
 * chunk): the backward is split into B (gradient of the input, which the previous stage waits for) and W
 * (gradient of the weights, which nobody waits for). Stage r of p runs min(m, p − r − 1) warm-up forwards,
 * then for each micro-batch i: forward (while any is left), B_i, and — once i ≥ r — the oldest pending W;
 * the W's still pending run at the end, where they fill the drain bubble. Later stages hold back more W's
 * (stage r lags r of them), which is what lets the B's run back up the pipeline without waiting.
 * Bubble per device (p − 1)(T_F + T_B − T_W); activation peak as 1F1B's on the first stage (p micro-batches).
 */
import { type StageGraph, topoRank } from "../../plan/stage-graph.js";
import type { Plan } from "../../plan/types.js";
import type { Schedule } from "../types.js";
import { expandToDevices, type Step } from "./sequence.js";

export function zbH1Sequence(m: number, p: number, r: number): Step[] {
  const warm = Math.max(0, Math.min(m, p - r - 1));
  const steps: Step[] = [];
  for (let k = 0; k < warm; k++) steps.push({ kind: "F", microBatch: k });
  let nextW = 0;
  for (let i = 0; i < m; i++) {
    if (warm + i < m) steps.push({ kind: "F", microBatch: warm + i });
    steps.push({ kind: "B", microBatch: i });
    if (i >= r) steps.push({ kind: "W", microBatch: nextW++ });
  }
  while (nextW < m) steps.push({ kind: "W", microBatch: nextW++ });
  return steps;
}

export function zbH1(plan: Plan, sg: StageGraph): Schedule {
  const m = plan.microBatches;
  const p = sg.ids.length;
  const rank = topoRank(sg);
  return {
    kind: "zb-h1",
    level: "compute",
    microBatches: m,
    actions: expandToDevices(plan, sg, (i) => zbH1Sequence(m, p, rank[i]!)),
  };
}
