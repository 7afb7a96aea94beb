/**
 * Reader of PipeDream's profile graphs (`graph.txt`, written by PipeDream's profiler, read by `Graph.from_str`;
 * format in shared/research/pipedream.md §2):
 *
 *   node4 -- Conv2d(3, 64, kernel_size=(3, 3)) -- forward_compute_time=F, backward_compute_time=B, activation_size=A, parameter_size=P[ -- stage_id=S]
 *   <TAB>node4 -- node5
 *
 * F and B are milliseconds per minibatch at the profiled batch size on one GPU (V100), A the bytes of the
 * layer's output activation in fp32 (a list `[a; b]` for multi-output layers: summed, as PipeDream does), P the
 * bytes of its fp32 parameters.
 *
 * Mapping: each node is an op of kind "opaque" (its description as `name`, `attrs.op` = the layer type, and
 * `attrs.stageId` when the file is a partitioned output carrying `stage_id`) with
 * params = P/4, paramBytes = P, outBytesPerSample = savedBytesPerSample = A/batch (PipeDream keeps each layer's
 * output per in-flight minibatch), no FLOPs, and a measured profile with one point at the profiled batch
 * (fwdSec = F/1000, bwdSec = B/1000). The output shape is not in the file and is left empty.
 * As PipeDream's optimizer does (§3.2a): sources whose description starts with `Input` become zero-cost
 * `input` ops (the optimizer zeroes them and puts them back into the first stage), and sinks whose description
 * starts with `__getitem__` are dropped (one pass, as the optimizer does).
 *
 * The batch size is not recorded in the file: pass it, or let it be inferred as pipedream.md §2 does — the
 * first layer's activation bytes ÷ its per-sample fp32 output size, when the first layer is a 3-channel image
 * conv (224×224 tried first, then 299×299 for Inception) and the ratio is a whole number. Otherwise the reader
 * asks for it. `source.batchAssumed` says which.
 *
 * Every problem is an Issue naming the file and line; the reader never throws on bad text.
 */

import { indexGraph } from "../graph/graph-index.js";
import { topologicalIndices } from "../graph/topo-order.js";
import type { Graph, Op } from "../graph/types.js";
import { validateGraph } from "../graph/validate.js";
import { fail, type Issue, ok, type Result } from "../util/issues.js";

export interface PipeDreamReadOptions {
  /** Batch size the profile was measured at (samples per minibatch). Inferred for image models when absent. */
  readonly batch?: number;
  /** Device the profile was measured on, for the ops' profiles (default "V100", as PipeDream's were). */
  readonly device?: string;
}

const METRICS = ["forward_compute_time", "backward_compute_time", "activation_size", "parameter_size"] as const;
type Metric = (typeof METRICS)[number];
const MAX_ISSUES = 500;
const IMAGE_SIDES = [224, 299] as const;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface RawNode {
  readonly id: string;
  readonly desc: string;
  readonly line: number;
  /** `stage_id` of partitioned outputs (PipeDream's optimizer writes it). */
  readonly stageId?: number;
  readonly metrics: Readonly<Record<Metric, number>>;
}

interface RawEdge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
}

/** True when the text's first non-empty line is a PipeDream node line (picks this reader by content). */
export function looksLikePipeDreamGraph(text: string): boolean {
  const first = text
    .slice(0, 4096)
    .split("\n")
    .find((l) => l.trim() !== "");
  return first !== undefined && /^\S+ -- .* -- forward_compute_time=/.test(first.trim());
}

export function readPipeDreamGraph(text: string, file: string, options: PipeDreamReadOptions = {}): Result<Graph> {
  const issues: Issue[] = [];
  const report = (line: number, issue: Omit<Issue, "file" | "line">) => {
    if (issues.length < MAX_ISSUES) issues.push({ ...issue, file, line });
  };
  const { nodes, edges } = parseLines(text, report);
  if (nodes.length === 0 && issues.length === 0) {
    report(1, {
      code: "empty-graph",
      message: "no node lines in the PipeDream graph",
      expected: "id -- description -- metrics",
    });
  }
  if (options.batch !== undefined && !(Number.isInteger(options.batch) && options.batch >= 1)) {
    issues.push({
      code: "bad-option",
      message: "the profiled batch size must be a positive integer",
      file,
      expected: "an integer ≥ 1",
      got: String(options.batch),
    });
  }
  if (issues.length > 0) return fail(issues);

  const byId = new Map<string, RawNode>();
  for (const node of nodes) {
    const first = byId.get(node.id);
    if (first) {
      report(node.line, {
        code: "duplicate-id",
        message: `node "${node.id}" is defined twice (first on line ${first.line})`,
      });
    } else byId.set(node.id, node);
  }
  const inputs = new Map<string, RawEdge[]>(nodes.map((n) => [n.id, []]));
  const seenEdges = new Set<string>();
  for (const e of edges) {
    for (const end of [e.from, e.to]) {
      if (!byId.has(end)) {
        report(e.line, {
          code: "unknown-input",
          message: `edge names node "${end}", which has no node line`,
          expected: "the id of a node defined in the file",
          got: end,
        });
      }
    }
    const key = `${e.from}\u0000${e.to}`;
    if (byId.has(e.from) && byId.has(e.to) && !seenEdges.has(key)) {
      seenEdges.add(key);
      inputs.get(e.to)!.push(e);
    }
  }
  if (issues.length > 0) return fail(issues);

  const kept = dropGetitemSinks(
    nodes.filter((n) => byId.get(n.id) === n),
    inputs,
  );
  const device = options.device ?? "V100";
  // Structure first (cycles, self-loops), so a broken graph is reported as such and not as a missing batch.
  const structural = validateGraph(toGraph(kept, inputs, 1, file, device, ""));
  if (structural.length > 0) return fail(structural.slice(0, MAX_ISSUES).map((i) => locate(i, kept, inputs, file)));
  const batchResult = profiledBatch(kept, inputs, options.batch, file);
  if (!batchResult.ok) return batchResult;
  const { batch, assumed } = batchResult.value;
  const graph = toGraph(kept, inputs, batch, file, device, assumed);
  const order = topologicalIndices(indexGraph(graph));
  return ok({ ...graph, ops: order.map((i) => graph.ops[i]!) });
}

function parseLines(
  text: string,
  report: (line: number, issue: Omit<Issue, "file" | "line">) => void,
): { nodes: RawNode[]; edges: RawEdge[] } {
  const nodes: RawNode[] = [];
  const edges: RawEdge[] = [];
  const lines = text.split("\n");
  for (let k = 0; k < lines.length; k++) {
    const line = k + 1;
    const raw = lines[k]!.replace(/\r$/, "");
    if (raw.trim() === "") continue;
    if (raw.startsWith("\t")) {
      const parts = raw.trim().split(" -- ");
      if (parts.length !== 2 || parts.some((p) => p.trim() === "" || /\s/.test(p.trim()))) {
        report(line, {
          code: "parse-error",
          message: "bad edge line",
          expected: "<TAB>srcId -- dstId",
          got: clip(raw),
        });
      } else edges.push({ from: parts[0]!.trim(), to: parts[1]!.trim(), line });
      continue;
    }
    const node = parseNode(raw.trim(), line, report);
    if (node) nodes.push(node);
  }
  return { nodes, edges };
}

function parseNode(
  text: string,
  line: number,
  report: (line: number, issue: Omit<Issue, "file" | "line">) => void,
): RawNode | undefined {
  const fields = text.split(" -- ");
  if (fields.length < 3 || fields.length > 4) {
    report(line, {
      code: "parse-error",
      message: "bad node line",
      expected:
        "id -- description -- forward_compute_time=F, backward_compute_time=B, activation_size=A, parameter_size=P",
      got: clip(text),
    });
    return undefined;
  }
  const [id, desc, metricText, stage] = fields as [string, string, string, string | undefined];
  let good = true;
  if (id === "" || /\s/.test(id)) {
    report(line, { code: "parse-error", message: "bad node id", expected: "an id without spaces", got: clip(id) });
    good = false;
  }
  if (stage !== undefined && !/^stage_id=\d+$/.test(stage.trim())) {
    report(line, { code: "parse-error", message: "bad stage field", expected: "stage_id=<integer>", got: clip(stage) });
    good = false;
  }
  const metrics: Partial<Record<Metric, number>> = {};
  for (const item of metricText.split(",")) {
    const eq = item.indexOf("=");
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const valueText = eq < 0 ? "" : item.slice(eq + 1).trim();
    if (!(METRICS as readonly string[]).includes(key)) {
      report(line, {
        code: "unknown-field",
        message: `unknown metric "${clip(key)}"`,
        expected: METRICS.join(", "),
        got: clip(key),
      });
      good = false;
      continue;
    }
    if (metrics[key as Metric] !== undefined) {
      report(line, { code: "parse-error", message: `metric ${key} is given twice` });
      good = false;
      continue;
    }
    const value = parseMetric(valueText, key === "activation_size");
    if (value === undefined) {
      report(line, {
        code: "bad-number",
        message: `${key} is not a non-negative number`,
        expected: key === "activation_size" ? "a number ≥ 0 or a list [a; b; …]" : "a number ≥ 0",
        got: clip(valueText),
      });
      good = false;
    } else metrics[key as Metric] = value;
  }
  for (const key of METRICS) {
    if (good && metrics[key] === undefined) {
      report(line, { code: "missing-field", message: `node line has no ${key}`, expected: `${key}=<number>` });
      good = false;
    }
  }
  if (!good) return undefined;
  const node = { id, desc: desc.trim(), line, metrics: metrics as Record<Metric, number> };
  return stage === undefined ? node : { ...node, stageId: Number(stage.trim().slice("stage_id=".length)) };
}

function parseMetric(text: string, allowList: boolean): number | undefined {
  if (allowList && text.startsWith("[") && text.endsWith("]")) {
    const items = text
      .slice(1, -1)
      .split(";")
      .map((s) => s.trim());
    let sum = 0;
    for (const item of items) {
      const v = parseMetric(item, false);
      if (v === undefined) return undefined;
      sum += v;
    }
    return sum;
  }
  if (!NUMBER.test(text)) return undefined;
  const v = Number(text);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Drops the nodes that are sinks and whose description starts with `__getitem__` (one pass, like PipeDream). */
function dropGetitemSinks(nodes: readonly RawNode[], inputs: Map<string, RawEdge[]>): RawNode[] {
  const hasConsumer = new Set<string>();
  for (const list of inputs.values()) for (const e of list) hasConsumer.add(e.from);
  const dropped = new Set(
    nodes.filter((n) => !hasConsumer.has(n.id) && n.desc.startsWith("__getitem__")).map((n) => n.id),
  );
  for (const id of dropped) inputs.delete(id);
  return nodes.filter((n) => !dropped.has(n.id));
}

function isInputSource(node: RawNode, inputs: ReadonlyMap<string, readonly RawEdge[]>): boolean {
  return node.desc.startsWith("Input") && (inputs.get(node.id)?.length ?? 0) === 0;
}

function profiledBatch(
  nodes: readonly RawNode[],
  inputs: ReadonlyMap<string, readonly RawEdge[]>,
  given: number | undefined,
  file: string,
): Result<{ batch: number; assumed: string }> {
  if (given !== undefined) return ok({ batch: given, assumed: "given by the user" });
  const first = firstLayer(nodes, inputs);
  const inferred = first ? batchFromImageConv(first) : undefined;
  if (inferred) return ok(inferred);
  return fail([
    {
      code: "missing-field",
      message:
        "the batch size the profile was measured at is not in a PipeDream graph and cannot be inferred here " +
        "(the first layer is not a 3-channel image conv); give the batch size it was profiled at (--profile-batch N)",
      file,
      line: first?.line ?? nodes[0]?.line ?? 1,
      expected: "the profiled batch size",
    },
  ]);
}

/** The first non-Input node in a stable topological order (file order breaks ties); undefined on a cycle. */
function firstLayer(nodes: readonly RawNode[], inputs: ReadonlyMap<string, readonly RawEdge[]>): RawNode | undefined {
  const position = new Map(nodes.map((n, i) => [n.id, i]));
  const remaining = nodes.map((n) => (inputs.get(n.id) ?? []).filter((e) => position.has(e.from)).length);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const e of inputs.get(n.id) ?? []) {
      const j = position.get(e.from);
      if (j !== undefined) consumers[j]!.push(i);
    }
  });
  const ready = nodes.map((_, i) => i).filter((i) => remaining[i] === 0);
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    const node = nodes[i]!;
    if (!isInputSource(node, inputs)) return node;
    for (const j of consumers[i]!) if (--remaining[j]! === 0) ready.push(j);
  }
  return undefined;
}

/** Batch = activation bytes ÷ per-sample fp32 output bytes of `Conv2d(3, C, …)` on a 224² or 299² RGB image. */
function batchFromImageConv(node: RawNode): { batch: number; assumed: string } | undefined {
  const m = /^Conv2d\(\s*3\s*,\s*(\d+)\s*,(.*)\)$/.exec(node.desc);
  if (!m) return undefined;
  const channels = Number(m[1]);
  const rest = m[2]!;
  const pair = (name: string, dflt: number): [number, number] => {
    const p = new RegExp(`${name}=\\((\\d+),\\s*(\\d+)\\)`).exec(rest);
    return p ? [Number(p[1]), Number(p[2])] : [dflt, dflt];
  };
  const kernel = pair("kernel_size", 0);
  const stride = pair("stride", 1);
  const padding = pair("padding", 0);
  const dilation = pair("dilation", 1);
  if (kernel[0] === 0 || stride[0] === 0 || stride[1] === 0) return undefined;
  const out = (side: number, d: 0 | 1) =>
    Math.floor((side + 2 * padding[d] - dilation[d] * (kernel[d] - 1) - 1) / stride[d]) + 1;
  const activationBytes = node.metrics.activation_size;
  for (const side of IMAGE_SIDES) {
    const perSample = channels * out(side, 0) * out(side, 1) * 4;
    const batch = activationBytes / perSample;
    if (perSample > 0 && Number.isInteger(batch) && batch >= 1) {
      return {
        batch,
        assumed: `inferred: first conv's activation bytes ÷ its fp32 output per ${side}×${side}×3 image (${perSample} B)`,
      };
    }
  }
  return undefined;
}

function toGraph(
  nodes: readonly RawNode[],
  inputs: ReadonlyMap<string, readonly RawEdge[]>,
  batch: number,
  file: string,
  device: string,
  assumed: string,
): Graph {
  const consumers = new Map<string, string[]>();
  for (const [to, list] of inputs) for (const e of list) consumers.set(e.from, [...(consumers.get(e.from) ?? []), to]);
  const descOf = new Map(nodes.map((n) => [n.id, n.desc]));
  const ops = nodes.map((n): Op => {
    const ins = (inputs.get(n.id) ?? []).map((e) => e.from);
    if (isInputSource(n, inputs)) {
      const feedsEmbedding = (consumers.get(n.id) ?? []).some((c) => descOf.get(c)?.startsWith("Embedding"));
      return {
        id: n.id,
        name: n.desc,
        kind: "input",
        inputs: [],
        attrs: { dtype: feedsEmbedding ? "int64" : "float" },
        outShape: [],
        outBytesPerSample: 0,
        params: 0,
        paramBytes: 0,
        fwdFlopsPerSample: 0,
        bwdFlopsPerSample: 0,
        savedBytesPerSample: 0,
        profile: { device, points: [{ microBatch: batch, fwdSec: 0, bwdSec: 0 }] },
      };
    }
    const { forward_compute_time: f, backward_compute_time: b, activation_size: a, parameter_size: p } = n.metrics;
    return {
      id: n.id,
      name: n.desc,
      kind: "opaque",
      inputs: ins,
      attrs: n.stageId === undefined ? { op: layerType(n.desc) } : { op: layerType(n.desc), stageId: n.stageId },
      outShape: [],
      outBytesPerSample: a / batch,
      params: p / 4,
      paramBytes: p,
      fwdFlopsPerSample: 0,
      bwdFlopsPerSample: 0,
      savedBytesPerSample: a / batch,
      profile: { device, points: [{ microBatch: batch, fwdSec: f / 1000, bwdSec: b / 1000 }] },
    };
  });
  return {
    name: graphName(file),
    dtype: "fp32",
    ops,
    source: { format: "pipedream-graph", file, profiledBatch: batch, batchAssumed: assumed, device },
  };
}

/** "Conv2d(3, 64, …)" → "Conv2d"; "Add" → "Add". */
function layerType(desc: string): string {
  const m = /^[A-Za-z_][\w.]*/.exec(desc);
  return m ? m[0] : desc.slice(0, 40);
}

/** ".../vgg16/graph.txt" → "vgg16"; "gnmt.txt" → "gnmt". */
function graphName(file: string): string {
  const parts = file.split(/[\\/]/).filter((p) => p !== "");
  const base = parts[parts.length - 1] ?? "pipedream";
  if (base === "graph.txt" && parts.length >= 2) return parts[parts.length - 2]!;
  return base.replace(/\.[^.]*$/, "") || "pipedream";
}

/** Moves a structural issue from its op path to the file line that caused it (node line or edge line). */
function locate(
  issue: Issue,
  nodes: readonly RawNode[],
  inputs: ReadonlyMap<string, readonly RawEdge[]>,
  file: string,
): Issue {
  const [, opIndex, field, k] = issue.path ?? [];
  const node = typeof opIndex === "number" ? nodes[opIndex] : undefined;
  const edge = node && field === "inputs" && typeof k === "number" ? inputs.get(node.id)?.[k] : undefined;
  const line = edge?.line ?? node?.line;
  const { path: _path, ...rest } = issue;
  return { ...rest, file, ...(line !== undefined ? { line } : {}) };
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
