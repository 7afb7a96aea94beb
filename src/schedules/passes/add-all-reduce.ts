/**
 * Lowering pass: the data-parallel gradient all-reduce of every replicated stage (dataParallel > 1 and some
 * parameters), on each of its devices right after the stage's last backward (B or W) of each update window
 * (the whole iteration; one micro-batch for async-stash). It runs on its own stream, so it overlaps whatever
 * compute the device still has (other stages' chunks, later micro-batches).
 */
import type { Action, ActionKind, Schedule } from "../types.js";
import { type LoweringContext, updateWindow, windowTag } from "./lowering-context.js";

export function addAllReduce(schedule: Schedule, ctx: LoweringContext): Schedule {
  const size = updateWindow(schedule.kind, schedule.microBatches);
  const reduced = new Set(
    ctx.plan.stages.filter((s, i) => s.dataParallel > 1 && (ctx.gradBytes[i] ?? 0) > 0).map((s) => s.id),
  );
  if (reduced.size === 0) return schedule;
  const anchors = new Set<ActionKind>(["B", "W"]);
  const actions = schedule.actions.map((list) =>
    insertAfterWindowEnds(
      list,
      (a) => reduced.has(a.stage) && anchors.has(a.kind),
      size,
      (a, window) => ({
        device: a.device,
        kind: "allreduce",
        stage: a.stage,
        microBatch: windowTag(schedule.kind, window, size),
        bytes: ctx.gradBytes[ctx.sg.byId.get(a.stage)!]!,
      }),
    ),
  );
  return { ...schedule, actions };
}

/** Update window of an action: micro-batch ÷ window size; per-iteration actions (-1) belong to window 0. */
export function windowOf(a: Action, size: number): number {
  return a.microBatch < 0 ? 0 : Math.floor(a.microBatch / size);
}

/**
 * After the last action `isAnchor` selects of each (stage, window) in list order, inserts `make(anchor, window)`
 * — past the sends that directly follow the anchor, so a runtime that walks the list in order passes gradients
 * upstream before it reduces or steps.
 */
export function insertAfterWindowEnds(
  list: readonly Action[],
  isAnchor: (a: Action) => boolean,
  size: number,
  make: (anchor: Action, window: number) => Action,
): Action[] {
  // Last anchor position per stage and window (windows are small integers: an array per stage).
  const last = new Map<string, number[]>();
  list.forEach((a, i) => {
    if (!isAnchor(a)) return;
    let byWindow = last.get(a.stage);
    if (!byWindow) {
      byWindow = [];
      last.set(a.stage, byWindow);
    }
    byWindow[windowOf(a, size)] = i;
  });
  const at = new Map<number, Action[]>();
  for (const byWindow of last.values()) {
    for (const i of byWindow) {
      if (i === undefined) continue;
      const anchor = list[i]!;
      let j = i;
      while (j + 1 < list.length && list[j + 1]!.kind === "send" && list[j + 1]!.stage === anchor.stage) j++;
      const made = make(anchor, windowOf(anchor, size));
      const here = at.get(j);
      if (here) here.push(made);
      else at.set(j, [made]);
    }
  }
  if (at.size === 0) return [...list];
  const out: Action[] = [];
  for (let i = 0; i < list.length; i++) {
    out.push(list[i]!);
    const extra = at.get(i);
    if (extra) for (const x of extra) out.push(x);
  }
  return out;
}
