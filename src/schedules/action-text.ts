/**
 * The compact text form of an action, which parses back (torch's `_Action` repr, extended for stage graphs
 * and data parallelism). The device is the row the action sits in, so it is not part of the text.
 *
 *   2F0              stage 2, forward of micro-batch 0     (B backward / input gradient, W weight gradient,
 *   2R0              recompute of stage 2's forward before its backward        R recompute)
 *   s1F7^2           forward of micro-batch 7 reading weight version 2 (no-flush schedules)
 *   1sendF3→2@5      stage 1 sends micro-batch 3's activations to stage 2 on device 5
 *   2recvF3←1@4      stage 2 receives them from stage 1 on device 4
 *   2sendB3→1@4      gradients travel back (B = backward data); "#4096" at the end gives the bytes
 *   1allreduce       data-parallel gradient all-reduce of stage 1 (no-flush: `1allreduce15` after mb 15)
 *   1step  1step15^2 optimizer step (no-flush: after micro-batch 15, creating weight version 2)
 *
 * Round trip holds for stage ids made of letters, digits and `_ . : -` (documented in docs/schedules.md).
 */
import type { Action, ActionKind, Schedule } from "./types.js";

const COMPUTE_LETTER: Partial<Record<ActionKind, string>> = { F: "F", B: "B", W: "W", recompute: "R" };
const LETTER_KIND: Readonly<Record<string, ActionKind>> = { F: "F", B: "B", W: "W", R: "recompute" };

export function formatAction(a: Action): string {
  const letter = COMPUTE_LETTER[a.kind];
  let text: string;
  if (letter !== undefined) {
    text = `${a.stage}${letter}${a.microBatch}`;
  } else if (a.kind === "send" || a.kind === "recv") {
    const t = a.tensor === "grad" ? "B" : "F";
    const arrow = a.kind === "send" ? "→" : "←";
    text = `${a.stage}${a.kind}${t}${a.microBatch}${arrow}${a.peerStage ?? "?"}@${a.peer ?? -1}`;
  } else {
    text = `${a.stage}${a.kind}${a.microBatch >= 0 ? a.microBatch : ""}`;
  }
  if (a.version !== undefined) text += `^${a.version}`;
  if (a.bytes !== undefined) text += `#${a.bytes}`;
  return text;
}

const ACTION_RE =
  /^(.+?)(?:([FBWR])(\d+)|(send|recv)([FB])(\d+)([→←])(.+?)@(\d+)|(allreduce|step)(\d*))(?:\^(\d+))?(?:#([0-9.eE+]+))?$/;

/** The action a text stands for on `device`, or undefined when the text is not an action. */
export function parseAction(text: string, device: number): Action | undefined {
  const m = ACTION_RE.exec(text.trim());
  if (!m) return undefined;
  const [, stage, letter, cmb, xkind, xt, xmb, arrow, peerStage, peer, gkind, gmb, version, bytes] = m;
  const extra: { version?: number; bytes?: number } = {};
  if (version !== undefined) extra.version = Number(version);
  if (bytes !== undefined) {
    const b = Number(bytes);
    if (!Number.isFinite(b)) return undefined;
    extra.bytes = b;
  }
  if (letter !== undefined) {
    return { device, kind: LETTER_KIND[letter]!, stage: stage!, microBatch: Number(cmb), ...extra };
  }
  if (xkind !== undefined) {
    if ((xkind === "send") !== (arrow === "→")) return undefined;
    return {
      device,
      kind: xkind as "send" | "recv",
      stage: stage!,
      microBatch: Number(xmb),
      peer: Number(peer),
      peerStage: peerStage!,
      tensor: xt === "B" ? "grad" : "act",
      ...extra,
    };
  }
  return {
    device,
    kind: gkind as "allreduce" | "step",
    stage: stage!,
    microBatch: gmb === "" || gmb === undefined ? -1 : Number(gmb),
    ...extra,
  };
}

/** A string naming the action uniquely within a schedule (device and text), for Sets and Maps. */
export function actionKey(a: Action): string {
  return `${a.device}:${formatAction(a)}`;
}

/** One line per device: `d0: 0F0 0sendF0→1@1 …` (what `dagpipe simulate --print-schedule` prints). */
export function formatSchedule(schedule: Schedule): string {
  return schedule.actions
    .map((list, d) => `d${d}: ${list.map(formatAction).join(" ")}`)
    .filter((_, d) => (schedule.actions[d]?.length ?? 0) > 0)
    .join("\n");
}

/**
 * Device × step grid (one row per device, one column per list position) with one cell marked and its row
 * ending in `<-- ERROR HERE`, as torch's `_format_pipeline_order` prints a failing step. Long schedules show
 * only the `window` columns on either side of the mark.
 */
export function formatGrid(
  rows: readonly (readonly (string | null)[])[],
  mark?: { readonly device: number; readonly step: number },
  window = 6,
): string {
  const steps = Math.max(0, ...rows.map((r) => r.length));
  const from = mark ? Math.max(0, mark.step - window) : 0;
  const to = mark ? Math.min(steps, mark.step + window + 1) : steps;
  const cellText = (c: string | null | undefined) => c ?? ".";
  let width = 4;
  for (const r of rows) for (let s = from; s < to; s++) width = Math.max(width, cellText(r[s]).length + 2);
  const header = `${"".padEnd(6)}${Array.from({ length: to - from }, (_, i) => `s${from + i}`.padEnd(width + 1)).join("")}`;
  const lines = [header.trimEnd()];
  rows.forEach((r, d) => {
    if (r.length === 0) return;
    let line = `d${d}`.padEnd(6);
    for (let s = from; s < to; s++) {
      const c = s < r.length ? cellText(r[s]) : "";
      line += (mark && mark.device === d && mark.step === s ? `[${c}]` : c).padEnd(width + 1);
    }
    line = line.trimEnd();
    if (mark && mark.device === d) line += `  <-- ERROR HERE (step ${mark.step})`;
    lines.push(line);
  });
  return lines.join("\n");
}

/** The rows of a schedule's lists as text, for formatGrid. */
export function scheduleRows(schedule: Schedule): string[][] {
  return schedule.actions.map((list) => list.map(formatAction));
}
