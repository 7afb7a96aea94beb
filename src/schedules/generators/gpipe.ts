/** GPipe (fill-drain): every stage runs all forwards, then all backwards; m micro-batches in flight. */
import type { StageGraph } from "../../plan/stage-graph.js";
import type { Plan } from "../../plan/types.js";
import type { Schedule } from "../types.js";
import { expandToDevices, type Step } from "./sequence.js";

export function gpipe(plan: Plan, sg: StageGraph): Schedule {
  const m = plan.microBatches;
  const seq: Step[] = [];
  for (let k = 0; k < m; k++) seq.push({ kind: "F", microBatch: k });
  for (let k = 0; k < m; k++) seq.push({ kind: "B", microBatch: k });
  return { kind: "gpipe", level: "compute", microBatches: m, actions: expandToDevices(plan, sg, () => seq) };
}
