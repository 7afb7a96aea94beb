/**
 * Helper pass (not part of the default lowering, as in torch): fuses a W that directly follows the B of the
 * same stage and micro-batch into that B, turning a split backward back into a full one.
 */
import type { Action, Schedule } from "../types.js";

export function mergeBW(schedule: Schedule): Schedule {
  const actions = schedule.actions.map((list) => {
    const out: Action[] = [];
    for (const a of list) {
      const prev = out[out.length - 1];
      if (a.kind === "W" && prev?.kind === "B" && prev.stage === a.stage && prev.microBatch === a.microBatch) continue;
      out.push(a);
    }
    return out;
  });
  return { ...schedule, actions };
}
