/**
 * `validateSchedule(schedule, plan) → ScheduleIssue[]`: every problem, each with its path
 * (`actions[d][i]`) and the device × step grid marked at the failing step (torch's `_validate_schedule`).
 * Checked: the level's action kinds; each action's stage exists and is held by its device; per device and
 * stage, exactly one F and one B per micro-batch, W and recompute either never or once per micro-batch;
 * order F → (R) → B → W per micro-batch; transfers paired and all-reduce groups complete (lowered level).
 */
import type { Plan } from "../plan/types.js";
import type { Issue } from "../util/issues.js";
import { buildActionGraph, K_B, K_F, K_R, K_W } from "./action-graph.js";
import { formatAction, formatGrid, scheduleRows } from "./action-text.js";
import type { Schedule } from "./types.js";

export interface ScheduleIssue extends Issue {
  /** The device × step grid around the failing step, marked `<-- ERROR HERE`. */
  readonly grid?: string;
}

const COMPUTE_KINDS = new Set(["F", "B", "W", "recompute"]);
const NAMES = ["F", "B", "W", "R"];

export function validateSchedule(schedule: Schedule, plan: Plan): ScheduleIssue[] {
  const problems: { device: number; step: number; code: Issue["code"]; message: string }[] = [];
  schedule.actions.forEach((list, d) => {
    list.forEach((a, i) => {
      if (a.device !== d) {
        problems.push({
          device: d,
          step: i,
          code: "schedule-placement",
          message: `${formatAction(a)} says device ${a.device} but sits in device ${d}'s list`,
        });
      }
      if (schedule.level === "compute" && !COMPUTE_KINDS.has(a.kind)) {
        problems.push({
          device: d,
          step: i,
          code: "schedule-order",
          message: `a compute-only schedule holds ${formatAction(a)}`,
        });
      }
    });
  });
  const g = buildActionGraph(schedule, plan);
  for (const p of g.problems) {
    const a = g.actionAt(p.index);
    problems.push({
      device: a.device,
      step: p.index - g.offsets[a.device]!,
      code: p.code,
      message: `${formatAction(a)}: ${p.message}`,
    });
  }
  checkCountsAndOrder(schedule, plan, problems);
  const rows = scheduleRows(schedule);
  return problems.map((p) => ({
    code: p.code,
    message: `device ${p.device}, step ${p.step}: ${p.message}`,
    path: ["actions", p.device, p.step],
    grid: formatGrid(rows, { device: p.device, step: p.step }),
  }));
}

function checkCountsAndOrder(
  schedule: Schedule,
  plan: Plan,
  problems: { device: number; step: number; code: Issue["code"]; message: string }[],
): void {
  const total = schedule.microBatches * (schedule.iterations ?? 1);
  const kindIndex: Record<string, number> = { F: K_F, B: K_B, W: K_W, recompute: K_R };
  schedule.actions.forEach((list, d) => {
    const held = plan.stages.filter((s) => s.devices.includes(d));
    for (const stage of held) {
      // Position of each kind per micro-batch (-1 = absent).
      const pos = [0, 1, 2, 3].map(() => new Int32Array(total).fill(-1));
      const counts = [0, 0, 0, 0];
      list.forEach((a, i) => {
        const kc = kindIndex[a.kind];
        if (kc === undefined || a.stage !== stage.id) return;
        if (a.microBatch < 0 || a.microBatch >= total) {
          problems.push({
            device: d,
            step: i,
            code: "schedule-count",
            message: `${formatAction(a)}: micro-batch out of range [0, ${total - 1}]`,
          });
          return;
        }
        counts[kc]!++;
        if (pos[kc]![a.microBatch] === -1) pos[kc]![a.microBatch] = i;
        const before = (k2: number, what: string) => {
          const at = pos[k2]![a.microBatch]!;
          if (at === -1 || at > i) {
            problems.push({
              device: d,
              step: i,
              code: "schedule-order",
              message: `${formatAction(a)} runs before its ${what}`,
            });
          }
        };
        if (kc === K_B || kc === K_R) before(K_F, "forward");
        if (kc === K_W) before(K_B, "backward (input gradient)");
      });
      // A recompute must come before its backward.
      for (let k = 0; k < total; k++) {
        const r = pos[K_R]![k]!;
        const bAt = pos[K_B]![k]!;
        if (r !== -1 && bAt !== -1 && r > bAt) {
          problems.push({
            device: d,
            step: r,
            code: "schedule-order",
            message: `recompute of ${stage.id} micro-batch ${k} runs after its backward`,
          });
        }
      }
      [K_F, K_B, K_W, K_R].forEach((kc) => {
        const n = counts[kc]!;
        const optional = kc === K_W || kc === K_R;
        if (n !== total && !(optional && n === 0)) {
          problems.push({
            device: d,
            step: Math.max(0, list.length - 1),
            code: "schedule-count",
            message: `stage "${stage.id}" has ${n} ${NAMES[kc]} actions on device ${d}, expected ${total}${optional ? " or none" : ""}`,
          });
        }
      });
    }
  });
}
