/**
 * Lowering pass: for stages that recompute (recompute "full" or "remat"), a recompute R of the stage's forward
 * right before each backward, on the same device and reading the same weight version. Other actions untouched.
 */
import type { Action, Schedule } from "../types.js";
import type { LoweringContext } from "./lowering-context.js";

export function addRecompute(schedule: Schedule, ctx: LoweringContext): Schedule {
  const recomputes = new Set(
    ctx.plan.stages.filter((s) => s.recompute === "full" || s.recompute === "remat").map((s) => s.id),
  );
  if (recomputes.size === 0) return schedule;
  const actions = schedule.actions.map((list) => {
    const out: Action[] = [];
    for (const a of list) {
      if (a.kind === "B" && recomputes.has(a.stage)) out.push({ ...a, kind: "recompute" });
      out.push(a);
    }
    return out;
  });
  return { ...schedule, actions };
}
