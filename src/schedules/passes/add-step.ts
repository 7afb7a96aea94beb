/**
 * Lowering pass: the optimizer step of every stage on every one of its devices, after the stage's last
 * backward (or its all-reduce, when replicated) of each update window. No-flush schedules number the weight
 * version a step creates (window + 1), matching the versions their generators put on forwards and backwards.
 */
import type { ActionKind, Schedule } from "../types.js";
import { insertAfterWindowEnds } from "./add-all-reduce.js";
import { type LoweringContext, updateWindow, windowTag } from "./lowering-context.js";

export function addStep(schedule: Schedule, _ctx: LoweringContext): Schedule {
  const size = updateWindow(schedule.kind, schedule.microBatches);
  const noFlush = schedule.kind === "2bw" || schedule.kind === "async-stash";
  const anchors = new Set<ActionKind>(["B", "W", "allreduce"]);
  const actions = schedule.actions.map((list) =>
    insertAfterWindowEnds(
      list,
      (a) => anchors.has(a.kind),
      size,
      (a, window) => ({
        device: a.device,
        kind: "step",
        stage: a.stage,
        microBatch: windowTag(schedule.kind, window, size),
        ...(noFlush ? { version: window + 1 } : {}),
      }),
    ),
  );
  return { ...schedule, actions };
}
