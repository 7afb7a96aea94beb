/** Text for people about a run: the header, one line per iteration, the summary, a failure, the comparison. */
import type { PlanDocument } from "../plan/types.js";
import type { WorkerExit } from "./launcher.js";
import type { IterationRecord } from "./launcher-result.js";

export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return "?";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = b;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

export function formatSec(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s >= 1) return `${s.toFixed(3)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toFixed(2)} ms`;
  return `${(s * 1e6).toFixed(1)} µs`;
}

export function runHeader(doc: PlanDocument, file: string, python: string, torch: string, backend: string): string {
  const p = doc.plan;
  const devices = new Set(p.stages.flatMap((s) => s.devices)).size;
  return (
    `dagpipe run ${file}: ${p.stages.length} stage(s) on ${devices} device(s), ${p.schedule}, ` +
    `${p.microBatches} × ${p.microBatch} samples per iteration; ${backend}; ${python} (torch ${torch})`
  );
}

export function iterationLine(rec: IterationRecord, total: number): string {
  const loss = rec.loss === null ? "—" : rec.loss.toPrecision(8);
  return `iteration ${String(rec.iteration + 1).padStart(String(total).length)}/${total}  loss ${loss}  time ${formatSec(rec.sec)}`;
}

export function failureMessage(cause: WorkerExit, devices: readonly number[], lastIteration: number): string {
  const how =
    cause.signal !== null
      ? `was killed by ${cause.signal}`
      : `exited with code ${cause.code}${cause.reported ? ` (${cause.reported})` : ""}`;
  const where =
    lastIteration >= 0 ? `after ${lastIteration + 1} completed iteration(s)` : "before finishing an iteration";
  return (
    `dagpipe run: worker rank ${cause.rank} (device ${devices[cause.rank] ?? "?"}, pid ${cause.pid ?? "?"}) ${how} ` +
    `${where}; the other workers were stopped.`
  );
}

export interface Comparison {
  readonly measuredIterationSec: number;
  readonly simulatedIterationSec: number;
  readonly measuredPeakMemBytes: readonly number[];
  readonly simulatedPeakMemBytes: readonly number[];
  readonly devices: readonly number[];
}

export function comparisonTable(c: Comparison): string {
  const rows: string[][] = [["", "measured", "simulated", "simulated ÷ measured"]];
  const ratio = (sim: number, meas: number) => (meas > 0 && Number.isFinite(sim) ? (sim / meas).toFixed(3) : "—");
  rows.push([
    "iteration time",
    formatSec(c.measuredIterationSec),
    formatSec(c.simulatedIterationSec),
    ratio(c.simulatedIterationSec, c.measuredIterationSec),
  ]);
  c.devices.forEach((d, r) => {
    const m = c.measuredPeakMemBytes[r] ?? Number.NaN;
    const s = c.simulatedPeakMemBytes[d] ?? Number.NaN;
    rows.push([`device ${d} peak memory`, formatBytes(m), formatBytes(s), ratio(s, m)]);
  });
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
