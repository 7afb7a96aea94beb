/**
 * What `dagpipe inspect` reports about a graph, as plain data (the JSON form of the command): size, FLOPs
 * and activation bytes per sample, and how branchy the graph is (parallel branches of its series-parallel
 * decomposition; critical-path share of the compute).
 */
import { criticalPathShare, parallelWidth } from "../graph/branches.js";
import { seriesParallelDecompose } from "../graph/sp-decompose.js";
import type { AttrValue, Dtype, Graph } from "../graph/types.js";

export interface InspectSummary {
  readonly name: string;
  readonly dtype: Dtype;
  readonly source?: Readonly<Record<string, AttrValue>>;
  readonly ops: number;
  /** Op count per kind, kinds sorted by name. */
  readonly opsByKind: Readonly<Record<string, number>>;
  readonly params: number;
  readonly paramBytes: number;
  readonly flopsPerSample: { readonly fwd: number; readonly bwd: number; readonly total: number };
  readonly activationBytesPerSample: {
    /** Kept from forward until backward, summed over ops (what 1 in-flight sample costs). */
    readonly saved: number;
    /** All op outputs, summed. */
    readonly output: number;
    /** The largest per-op scratch buffer. */
    readonly workspaceMax: number;
  };
  /** Parallel branches (width of the SP decomposition); 1 for a chain. */
  readonly branches: number;
  /** FLOPs on the heaviest path / all FLOPs (1 for a chain). */
  readonly criticalPathShare: number;
  /** Dependencies the SP-ization had to add (0 when the graph is series-parallel). */
  readonly spAddedDependencies: number;
}

export function summarizeGraph(g: Graph): InspectSummary {
  let params = 0;
  let paramBytes = 0;
  let fwd = 0;
  let bwd = 0;
  let saved = 0;
  let output = 0;
  let workspaceMax = 0;
  const counts = new Map<string, number>();
  for (const op of g.ops) {
    params += op.params;
    paramBytes += op.paramBytes;
    fwd += op.fwdFlopsPerSample;
    bwd += op.bwdFlopsPerSample;
    saved += op.savedBytesPerSample;
    output += op.outBytesPerSample;
    workspaceMax = Math.max(workspaceMax, op.workspaceBytesPerSample ?? 0);
    counts.set(op.kind, (counts.get(op.kind) ?? 0) + 1);
  }
  const sp = seriesParallelDecompose(g);
  return {
    name: g.name,
    dtype: g.dtype,
    ...(g.source !== undefined ? { source: g.source } : {}),
    ops: g.ops.length,
    opsByKind: Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    params,
    paramBytes,
    flopsPerSample: { fwd, bwd, total: fwd + bwd },
    activationBytesPerSample: { saved, output, workspaceMax },
    branches: parallelWidth(sp.tree, g),
    criticalPathShare: criticalPathShare(g),
    spAddedDependencies: sp.addedEdges.length,
  };
}
