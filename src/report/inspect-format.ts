/** InspectSummary → the table `dagpipe inspect` prints (numbers in human units; --json has the exact ones). */
import type { InspectSummary } from "./inspect-summary.js";
import { formatBytes, formatCount, formatFlops, formatShare } from "./inspect-units.js";

export function formatInspect(s: InspectSummary): string {
  const kinds = Object.entries(s.opsByKind)
    .sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : 1))
    .map(([k, n]) => `${k} ${n}`);
  const shownKinds = kinds.length > 6 ? [...kinds.slice(0, 6), "…"] : kinds;
  const rows: [string, string][] = [
    ["ops", `${s.ops}  (${shownKinds.join(", ")})`],
    ["parameters", `${formatCount(s.params)}  (${formatBytes(s.paramBytes)} in ${s.dtype})`],
    [
      "FLOPs per sample",
      `${formatFlops(s.flopsPerSample.total)}  (forward ${formatFlops(s.flopsPerSample.fwd)}, backward ${formatFlops(s.flopsPerSample.bwd)})`,
    ],
    ["activations per sample", `${formatBytes(s.activationBytesPerSample.saved)} saved for backward`],
    ["", `${formatBytes(s.activationBytesPerSample.output)} of op outputs`],
    ["parallel branches", String(s.branches)],
    ["critical path", `${formatShare(s.criticalPathShare)} of the compute`],
  ];
  if (s.spAddedDependencies > 0) {
    rows.push(["SP-ization", `${s.spAddedDependencies} dependencies added (graph is not series-parallel)`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const title = `${s.name}${sourceText(s)}`;
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join("\n");
}

function sourceText(s: InspectSummary): string {
  const model = s.source?.model;
  if (typeof model !== "string") return "";
  return `  (zoo model ${model})`;
}
