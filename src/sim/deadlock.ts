/**
 * Deadlock report: when the event loop runs dry with actions unfinished, say what each stream's first
 * unfinished action waits for, and follow those waits until one repeats: the cycle of actions waiting on
 * each other. Never a hang: the loop has already ended when this runs.
 */
import { K_ALLREDUCE, K_RECV, K_SEND } from "../schedules/action-graph.js";
import { formatAction } from "../schedules/action-text.js";
import { DONE, type EngineState, WAITING } from "./engine.js";
import type { Prepared } from "./prepare.js";
import type { DeadlockReport, WaitingAction } from "./types.js";

export function deadlockReport(p: Prepared, st: EngineState): DeadlockReport {
  const g = p.g;
  const headOf = (x: number) => p.streamList[st.streamHead[p.stream[x]!]!]!;
  /** The action x waits for, or a reason when it waits for nothing in the schedule. */
  const waitsFor = (x: number): number | string => {
    const head = headOf(x);
    if (head !== x) return head;
    if (st.state[x] === WAITING) {
      for (let e = g.depStart[x]!; e < g.depStart[x + 1]!; e++) {
        const y = g.deps[e]!;
        if (st.state[y] !== DONE) return y;
      }
      return "nothing (never started)";
    }
    const k = g.kind[x]!;
    if (k === K_SEND || k === K_RECV) return g.peer[x]! >= 0 ? g.peer[x]! : "a partner that does not exist";
    if (k === K_ALLREDUCE) {
      for (const y of g.groupMembers[g.group[x]!]!) if (st.state[y] === WAITING) return y;
    }
    return "its own end";
  };
  const describe = (x: number): WaitingAction => {
    const w = waitsFor(x);
    return {
      device: g.actionAt(x).device,
      action: formatAction(g.actionAt(x)),
      waitsFor: typeof w === "string" ? w : `d${g.actionAt(w).device} ${formatAction(g.actionAt(w))}`,
    };
  };
  const blocked: WaitingAction[] = [];
  let first = -1;
  for (let s = 0; s < p.streamCount; s++) {
    const h = st.streamHead[s]!;
    if (h >= p.streamStart[s + 1]!) continue;
    const x = p.streamList[h]!;
    if (st.state[x] === DONE) continue;
    if (first < 0) first = x;
    blocked.push(describe(x));
  }
  const cycle: WaitingAction[] = [];
  if (first >= 0) {
    const seenAt = new Map<number, number>();
    const walk: number[] = [];
    let x: number | string = first;
    while (typeof x === "number" && !seenAt.has(x)) {
      seenAt.set(x, walk.length);
      walk.push(x);
      x = waitsFor(x);
    }
    if (typeof x === "number") for (const y of walk.slice(seenAt.get(x))) cycle.push(describe(y));
  }
  return { cycle, blocked };
}
