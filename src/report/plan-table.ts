/**
 * Plans for people: `dagpipe plan`'s stage table and `dagpipe compare`'s one-line-per-planner table. Exact
 * numbers stay in --json (plan-summary.ts); here three significant digits.
 */
import { alignColumns } from "./columns.js";
import { formatBytes } from "./inspect-units.js";
import type { PlanFailureSummary, PlanSummary } from "./plan-summary.js";

/** "0-3" for consecutive runs, "0,2,5" otherwise. */
export function formatDevices(devices: readonly number[]): string {
  const sorted = [...devices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(",");
}

export function formatMs(sec: number): string {
  const ms = sec * 1000;
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}

export function formatRate(samplesPerSec: number): string {
  return samplesPerSec >= 100 ? samplesPerSec.toFixed(0) : samplesPerSec.toFixed(1);
}

export interface PlanHeader {
  readonly model: string;
  readonly cluster: string;
  readonly batch: number;
  readonly memBytes: number;
}

export function formatPlan(s: PlanSummary, h: PlanHeader): string {
  const lines: string[] = [];
  lines.push(
    `${h.model} on ${h.cluster}, batch ${h.batch}: ${s.planner} plan, ${s.stages.length} stages on ${s.devicesUsed} devices`,
  );
  lines.push("");
  const rows: string[][] = [["stage", "devices", "dp", "recompute", "ops", "first op … last op"]];
  for (const st of s.stages) {
    const first = st.ops[0] ?? "";
    const last = st.ops[st.ops.length - 1] ?? "";
    rows.push([
      st.id,
      formatDevices(st.devices),
      String(st.dataParallel),
      st.recompute === "none" ? "" : st.recompute,
      st.relayOps > 0 ? `${st.ops.length}+${st.relayOps} relay` : String(st.ops.length),
      st.ops.length > 1 ? `${first} … ${last}` : first,
    ]);
  }
  lines.push(...alignColumns(rows, new Set([2, 4])));
  lines.push("");
  lines.push(
    `stage edges: ${s.stageEdges.length === 0 ? "none" : s.stageEdges.map(([a, b]) => `${a}→${b}`).join(" ")}`,
  );
  lines.push(
    `micro-batch ${s.microBatch} × ${s.microBatches} micro-batches, schedule ${s.schedule}${s.virtualStages ? ` (${s.virtualStages} chunks per device)` : ""}, depth ${s.depth}`,
  );
  lines.push(
    `predicted: ${formatMs(s.predicted.iterationSec)} per iteration, ${formatRate(s.predicted.samplesPerSec)} samples/s`,
  );
  const used = s.stages.flatMap((st) => st.devices).sort((a, b) => a - b);
  const peaks = used.map((d) => `${d}:${formatBytes(s.predicted.peakMemBytes[d] ?? 0)}`);
  lines.push(`peak memory per device (of ${formatBytes(h.memBytes)}): ${peaks.join(" ")}`);
  lines.push(`search: ${s.searchSec.toFixed(2)} s, ${s.candidates} candidate plans simulated or bounded`);
  return lines.join("\n");
}

export function formatFailure(f: PlanFailureSummary, h: PlanHeader): string {
  const least =
    f.leastMemBytes === undefined
      ? ""
      : `\nleast device memory with which a plan exists: ${formatBytes(f.leastMemBytes)} (have ${formatBytes(h.memBytes)}); try --memory ${Math.ceil(f.leastMemBytes / 2 ** 30)}`;
  return `${h.model} on ${h.cluster}, batch ${h.batch}: ${f.planner}: ${f.reason}${least}`;
}

/** One row per planner; `baseline` (the graph planner's samples/s) gives the last column. */
export function formatComparison(results: readonly (PlanSummary | PlanFailureSummary)[], h: PlanHeader): string {
  const graph = results.find((r) => r.ok && r.planner === "graph") as PlanSummary | undefined;
  const rows: string[][] = [
    [
      "planner",
      "schedule",
      "µbatch",
      "stages",
      "depth",
      "dp",
      "samples/s",
      "iteration",
      "peak mem",
      "search",
      "graph ÷ this",
    ],
  ];
  for (const r of results) {
    if (!r.ok) {
      rows.push([r.planner, "-", "-", "-", "-", "-", "-", "-", "-", `${r.searchSec.toFixed(2)} s`, r.reason]);
      continue;
    }
    const dps = [...new Set(r.stages.map((s) => s.dataParallel))].sort((a, b) => a - b);
    rows.push([
      r.planner,
      r.schedule + (r.virtualStages ? `×${r.virtualStages}` : ""),
      `${r.microBatch}×${r.microBatches}`,
      String(r.stages.length),
      String(r.depth),
      dps.join("/"),
      formatRate(r.predicted.samplesPerSec),
      formatMs(r.predicted.iterationSec),
      formatBytes(r.predicted.maxPeakMemBytes),
      `${r.searchSec.toFixed(2)} s`,
      graph && r.predicted.samplesPerSec > 0
        ? (graph.predicted.samplesPerSec / r.predicted.samplesPerSec).toFixed(2)
        : "-",
    ]);
  }
  return [
    `${h.model} on ${h.cluster}, batch ${h.batch}, every plan timed by the simulator`,
    "",
    ...alignColumns(rows, new Set([3, 4, 6, 7, 8, 9, 10])),
  ].join("\n");
}
