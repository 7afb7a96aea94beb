/**
 * SimResult → text for people: a headline (status, iteration time, samples/s, memory), a table per device
 * (stages, busy, bubble, peak memory and its largest parts), a table per stage (warm-up, in-flight, weight
 * versions), then whatever went wrong: memory overflow, a fault, a deadlock cycle.
 */
import type { Plan } from "../plan/types.js";
import type { MemoryBreakdown, SimResult } from "../sim/types.js";
import { alignColumns } from "./columns.js";
import { formatBytes, formatShare } from "./inspect-units.js";

export function formatSeconds(sec: number): string {
  if (sec === 0) return "0 s";
  const abs = Math.abs(sec);
  if (abs >= 1) return `${sec.toFixed(abs >= 100 ? 1 : 3)} s`;
  if (abs >= 1e-3) return `${(sec * 1e3).toFixed(3)} ms`;
  return `${(sec * 1e6).toFixed(3)} µs`;
}

function grid(headers: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  return alignColumns([headers, ...rows], right, true).join("\n");
}

/** The two largest parts of a breakdown, e.g. "optimizer 61 %, activations 30 %". */
function largestParts(b: MemoryBreakdown): string {
  const parts: [string, number][] = [
    ["weights", b.weights],
    ["versions", b.weightVersions],
    ["grads", b.gradients],
    ["optimizer", b.optimizerState],
    ["activations", b.activations],
    ["buffers", b.buffers],
    ["workspace", b.workspace],
  ];
  return parts
    .filter(([, v]) => v > 0)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 2)
    .map(([k, v]) => `${k} ${Math.round((100 * v) / Math.max(1, b.total))} %`)
    .join(", ");
}

/** "critical path 134 actions: compute 91 %, transfers 7 %, all-reduce 2 %" (shares of its span). */
export function criticalPathSummary(r: SimResult): string {
  const path = r.criticalPath;
  if (path.length === 0) return "critical path empty";
  const span = path[path.length - 1]!.endSec - path[0]!.startSec;
  let compute = 0;
  let transfer = 0;
  let reduce = 0;
  let prev: (typeof path)[number] | undefined;
  for (const s of path) {
    const d = s.endSec - s.startSec;
    if (s.kind === "send" || s.kind === "recv") {
      // Both ends of one transfer can be on the path, with the same span: count it once.
      const sameTransfer =
        prev !== undefined &&
        (prev.kind === "send" || prev.kind === "recv") &&
        prev.startSec === s.startSec &&
        prev.endSec === s.endSec;
      if (!sameTransfer) transfer += d;
    } else if (s.kind === "allreduce") reduce += d;
    else compute += d;
    prev = s;
  }
  const parts = [`compute ${formatShare(span > 0 ? Math.min(1, compute / span) : 0)}`];
  if (transfer > 0) parts.push(`transfers ${formatShare(Math.min(1, transfer / Math.max(span, 1e-300)))}`);
  if (reduce > 0) parts.push(`all-reduce ${formatShare(Math.min(1, reduce / Math.max(span, 1e-300)))}`);
  return `critical path ${path.length} actions: ${parts.join(", ")}`;
}

export function formatSimTable(plan: Plan, r: SimResult): string {
  const out: string[] = [];
  const head =
    r.status === "ok"
      ? `${r.schedule}: iteration ${formatSeconds(r.iterationSec)}, ${r.samplesPerSec.toPrecision(4)} samples/s` +
        ` (${plan.microBatches} × ${plan.microBatch} samples${r.iterations > 1 ? `; steady state over ${r.iterations} iterations` : ""})`
      : `${r.schedule}: ${r.status === "deadlock" ? "DEADLOCK" : "STOPPED"} at ${formatSeconds(r.iterationSec)}`;
  out.push(head);
  out.push(
    `peak memory ${formatBytes(r.peakMemBytes)} of ${formatBytes(r.devices[0]?.capacityBytes ?? 0)} per device` +
      (r.fits ? " (fits)" : ` — DOES NOT FIT: needs at least ${formatBytes(r.peakMemBytes)} per device`),
  );
  out.push(`${r.actionCount} actions simulated; ${criticalPathSummary(r)}`);
  out.push("");
  out.push(
    grid(
      ["device", "stages", "busy", "bubble", "peak memory", "largest parts"],
      r.devices.map((d) => [
        `d${d.device}`,
        d.stages.join(","),
        formatSeconds(d.busySec),
        formatShare(d.bubbleFraction),
        formatBytes(d.peakMemBytes),
        largestParts(d.peakBreakdown),
      ]),
      new Set([2, 3, 4]),
    ),
  );
  out.push("");
  out.push(
    grid(
      ["stage", "warm-up", "in flight (µbatches)", "in flight (samples)", "weight versions"],
      r.stages.map((s) => [
        s.stage,
        String(s.warmup),
        String(s.peakInFlightMicroBatches),
        String(s.peakInFlightSamples),
        String(s.peakWeightVersions),
      ]),
      new Set([1, 2, 3, 4]),
    ),
  );
  for (const o of r.memoryOverflow) {
    out.push(
      `memory overflow on device ${o.device} at ${formatSeconds(o.atSec)}: ${formatBytes(o.bytesOver)} over its ${formatBytes(o.capacityBytes)}`,
    );
  }
  for (const f of r.faults ?? []) out.push(`fault: ${f.reason}`);
  if (r.deadlock) {
    out.push("deadlock: these actions wait on each other:");
    for (const w of r.deadlock.cycle) out.push(`  d${w.device} ${w.action} waits for ${w.waitsFor}`);
  }
  return out.join("\n");
}
