/**
 * `dryRun`: a unit-step replay of a schedule (torch's `_simulate_comms_compute`), not the simulator. At each
 * step every device may run the next action of its list if everything it depends on (action-graph.ts) ran at
 * an earlier step; a receive runs once its send has run, and an all-reduce runs when every replica has it next
 * and ready. A device that cannot run its next action idles for the step. It stops with a deadlock report
 * when a step runs nothing while actions remain, so it never hangs; otherwise the step count pins a schedule
 * in tests.
 */

import type { Plan } from "../plan/types.js";
import { type ActionGraph, buildActionGraph, K_ALLREDUCE, K_RECV } from "./action-graph.js";
import { formatAction } from "./action-text.js";
import type { Schedule } from "./types.js";

export interface DryRunBlocked {
  readonly device: number;
  /** List position of the action the device is stuck at. */
  readonly position: number;
  readonly action: string;
  /** What it waits for (an action of this or another device), or why. */
  readonly waitsFor: string;
}

export interface DryRunResult {
  readonly ok: boolean;
  /** Steps until every action ran (ok), or until the replay stopped (deadlock). */
  readonly steps: number;
  /** Per device, what ran at each step (null = idle); only with `{ grid: true }`. */
  readonly grid?: (string | null)[][];
  readonly blocked?: readonly DryRunBlocked[];
}

export function dryRun(schedule: Schedule, plan: Plan, options: { grid?: boolean } = {}): DryRunResult {
  const g = buildActionGraph(schedule, plan);
  return replay(g, options.grid ?? false);
}

export function replay(g: ActionGraph, withGrid: boolean): DryRunResult {
  const D = g.devices;
  const doneAt = new Int32Array(g.count).fill(-1);
  const next = Int32Array.from({ length: D }, (_, d) => g.offsets[d]!);
  const grid: (string | null)[][] | undefined = withGrid ? Array.from({ length: D }, () => []) : undefined;
  let remaining = g.count;
  let step = 0;
  const ran: number[] = [];
  const ready = (x: number): boolean => {
    for (let e = g.depStart[x]!; e < g.depStart[x + 1]!; e++) {
      const y = g.deps[e]!;
      if (doneAt[y] === -1 || doneAt[y] === step) return false;
    }
    if (g.kind[x] === K_RECV) {
      const s = g.peer[x]!;
      if (s < 0 || doneAt[s] === -1 || doneAt[s] === step) return false;
    }
    return true;
  };
  while (remaining > 0) {
    ran.length = 0;
    for (let d = 0; d < D; d++) {
      const x = next[d]!;
      if (x >= g.offsets[d + 1]! || !ready(x)) continue;
      if (g.kind[x] === K_ALLREDUCE) {
        const members = g.groupMembers[g.group[x]!]!;
        const together = members.every((y) => {
          const dev = g.actionAt(y).device;
          return next[dev] === y && ready(y);
        });
        if (!together) continue;
      }
      ran.push(x);
    }
    if (ran.length === 0)
      return { ok: false, steps: step, ...(grid ? { grid } : {}), blocked: blockedReport(g, next, doneAt) };
    const busy = new Set<number>();
    for (const x of ran) {
      doneAt[x] = step;
      const d = g.actionAt(x).device;
      next[d]!++;
      busy.add(d);
      remaining--;
      if (grid) grid[d]!.push(formatAction(g.actionAt(x)));
    }
    if (grid) for (let d = 0; d < D; d++) if (!busy.has(d) && next[d]! < g.offsets[d + 1]!) grid[d]!.push(null);
    step++;
  }
  return { ok: true, steps: step, ...(grid ? { grid } : {}) };
}

function blockedReport(g: ActionGraph, next: Int32Array, doneAt: Int32Array): DryRunBlocked[] {
  const out: DryRunBlocked[] = [];
  for (let d = 0; d < g.devices; d++) {
    const x = next[d]!;
    if (x >= g.offsets[d + 1]!) continue;
    let waitsFor = "its all-reduce partners";
    for (let e = g.depStart[x]!; e < g.depStart[x + 1]!; e++) {
      const y = g.deps[e]!;
      if (doneAt[y] === -1) {
        waitsFor = `d${g.actionAt(y).device} ${formatAction(g.actionAt(y))}`;
        break;
      }
    }
    if (g.kind[x] === K_RECV) {
      const s = g.peer[x]!;
      waitsFor = s < 0 ? "a send that does not exist" : `d${g.actionAt(s).device} ${formatAction(g.actionAt(s))}`;
    }
    out.push({ device: d, position: x - g.offsets[d]!, action: formatAction(g.actionAt(x)), waitsFor });
  }
  return out;
}
