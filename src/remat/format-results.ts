/** Remat results → a JSON-ready summary and a text table (pure; the CLI prints them). */

import type { MaxBatchResult } from "./max-batch.js";
import { memoryFloorBytes } from "./memory-floor.js";
import { totalCost } from "./training-graph-layout.js";
import type { SolveResult, TrainingGraph } from "./types.js";

export interface GraphSummary {
  readonly name: string;
  readonly nodes: number;
  readonly edges: number;
  readonly costUnit: string;
  readonly totalCost: number;
  readonly batch?: number;
  readonly fixedBytes: number;
  /** No schedule can use less activation memory (a node with its inputs). */
  readonly floorBytes: number;
}

export function summarizeTrainingGraph(g: TrainingGraph): GraphSummary {
  return {
    name: g.name,
    nodes: g.nodes.length,
    edges: g.deps.reduce((s, d) => s + d.length, 0),
    costUnit: g.costUnit,
    totalCost: totalCost(g),
    ...(g.batch !== undefined ? { batch: g.batch } : {}),
    fixedBytes: g.fixedBytes,
    floorBytes: memoryFloorBytes(g).bytes,
  };
}

export interface SolveSummary {
  readonly solver: string;
  readonly status: string;
  readonly overhead?: number;
  readonly activationBytes?: number;
  readonly peakBytes?: number;
  readonly recomputations?: number;
  readonly lowerBoundOverhead?: number;
  readonly leastBytes?: number;
  readonly solveSec?: number;
  readonly note?: string;
}

export function summarizeResult(r: SolveResult): SolveSummary {
  return {
    solver: r.solver,
    status: r.status,
    ...(r.stats
      ? {
          overhead: r.stats.overhead,
          activationBytes: r.stats.activationBytes,
          peakBytes: r.stats.peakBytes,
          recomputations: r.stats.recomputations,
        }
      : {}),
    ...(r.lowerBoundOverhead !== undefined ? { lowerBoundOverhead: r.lowerBoundOverhead } : {}),
    ...(r.leastBytes !== undefined ? { leastBytes: r.leastBytes } : {}),
    ...(r.solveSec !== undefined ? { solveSec: r.solveSec } : {}),
    ...(r.note ? { note: r.note } : {}),
  };
}

const gb = (bytes: number | undefined): string => (bytes === undefined ? "-" : (bytes / 1e9).toFixed(3));

export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) =>
    r
      .map((v, c) => v.padEnd(widths[c] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function formatRematTable(g: GraphSummary, budgetBytes: number, results: readonly SolveSummary[]): string {
  const head = [
    `${g.name}: ${g.nodes} nodes, ${g.edges} edges${g.batch !== undefined ? `, batch ${g.batch}` : ""}, costs in ${g.costUnit}`,
    `activation budget ${gb(budgetBytes)} GB (fixed memory ${gb(g.fixedBytes)} GB on top; no schedule needs less than ${gb(g.floorBytes)} GB)`,
    "",
  ];
  const rows = results.map((r) => [
    r.solver,
    r.status,
    r.overhead !== undefined ? r.overhead.toFixed(4) : "-",
    gb(r.activationBytes),
    gb(r.peakBytes),
    r.lowerBoundOverhead !== undefined ? r.lowerBoundOverhead.toFixed(4) : "-",
    r.solveSec !== undefined ? r.solveSec.toFixed(2) : "-",
    r.note ?? (r.leastBytes !== undefined ? `needs ${gb(r.leastBytes)} GB` : ""),
  ]);
  return [
    ...head,
    textTable(["solver", "status", "overhead", "activ. GB", "peak GB", "bound", "solve s", "note"], rows),
  ].join("\n");
}

export interface MaxBatchSummary {
  readonly method: string;
  readonly batch: number;
  readonly provenInfeasible?: number;
  readonly overhead?: number;
  readonly activationBytes?: number;
  readonly probes: MaxBatchResult["probes"];
  readonly sec: number;
}

export function formatMaxBatchTable(g: GraphSummary, deviceMemBytes: number, rows: readonly MaxBatchSummary[]): string {
  return [
    `${g.name}: largest batch within ${gb(deviceMemBytes)} GB (fixed memory ${gb(g.fixedBytes)} GB), at most one extra forward pass of recomputation`,
    "",
    textTable(
      ["method", "max batch", "proven infeasible at", "overhead", "activ. GB", "probes", "time s"],
      rows.map((r) => [
        r.method,
        String(r.batch),
        r.provenInfeasible !== undefined ? String(r.provenInfeasible) : "not proven",
        r.overhead !== undefined ? r.overhead.toFixed(4) : "-",
        gb(r.activationBytes),
        String(r.probes.length),
        r.sec.toFixed(1),
      ]),
    ),
  ].join("\n");
}
