/**
 * A dagpipe Graph (or a subset of its ops, e.g. one pipeline stage) → the training graph the remat solvers
 * work on, built with Checkmate's extractor rules (research note §1): for each forward op l reading p,
 * edges p → l, grad(l) → grad(p), l → grad(p); l → grad(l) for every l; model outputs → loss → their
 * gradients. A gradient node's output has the size of its op's output.
 *
 * - Costs: the CostModel's forward / backward seconds at the batch when one is given, else FLOPs.
 * - Memory: output bytes per sample × batch, in the graph's dtype.
 * - `input` ops and ops outside the chosen subset are data, not nodes: their outputs count as fixed
 *   memory, like the parameters (params × optimizer bytes per parameter) and are outside the budget.
 * - The loss: the graph's `loss` op when the subset holds one; otherwise a synthetic node standing for the
 *   gradients that arrive from later stages (cost 0, size = the outputs it reads).
 * - An op's workspace bytes are scratch of its forward and of its gradient node (live only while it runs).
 */
import { type CostModel, DEFAULT_OPTIMIZER, type OptimizerSpec } from "../cost/types.js";
import type { Graph, Op } from "../graph/types.js";
import { fail, type Issue, ok, type Result } from "../util/issues.js";
import { assembleTrainingGraph, checkTrainingGraph } from "./training-graph-layout.js";
import type { TrainingGraph, TrainingNode } from "./types.js";

export interface TrainingGraphOptions {
  /** Samples per (micro-)batch: scales memory and FLOPs; passed to the cost model. */
  readonly batch: number;
  readonly costModel?: CostModel;
  readonly optimizer?: OptimizerSpec;
  /** Only these op ids (a pipeline stage); default all ops. */
  readonly ops?: readonly string[];
}

export function trainingGraphFromGraph(graph: Graph, options: TrainingGraphOptions): Result<TrainingGraph> {
  const issues: Issue[] = [];
  const { batch } = options;
  if (!(Number.isInteger(batch) && batch >= 1)) {
    return fail([
      { code: "bad-option", message: "batch must be a positive integer", expected: "integer ≥ 1", got: String(batch) },
    ]);
  }
  const byId = new Map(graph.ops.map((op, k) => [op.id, k] as const));
  const chosen = new Set(options.ops ?? graph.ops.map((op) => op.id));
  for (const id of chosen) {
    if (!byId.has(id)) issues.push({ code: "unknown-op", message: `op ${id} is not in the graph`, path: ["ops", id] });
  }
  const order = topologicalOrder(graph.ops, chosen, issues);
  if (issues.length > 0) return fail(issues);

  const optimizer = options.optimizer ?? DEFAULT_OPTIMIZER;
  const scale = (perSample: number): number => perSample * batch;
  const isNode = (op: Op): boolean => op.kind !== "input" && op.kind !== "loss";
  const forward = order.filter(isNode);
  const losses = order.filter((op) => op.kind === "loss");
  if (losses.length > 1) {
    return fail([
      {
        code: "unsupported",
        message: "rematerialization needs a graph with at most one loss op",
        path: ["ops", (losses[1] as Op).id],
        got: `${losses.length} loss ops`,
      },
    ]);
  }
  if (forward.length === 0) {
    return fail([{ code: "empty-graph", message: "no computing ops to rematerialize", path: ["ops"] }]);
  }
  const L = forward.length;
  const n = 2 * L + 1;
  const index = new Map(forward.map((op, i) => [op.id, i] as const));
  const grad = (i: number): number => n - 1 - i;
  const cost = (op: Op): { fwd: number; bwd: number } => {
    if (options.costModel) {
      const t = options.costModel.opTime(op, batch);
      return { fwd: t.fwdSec, bwd: t.bwdSec };
    }
    return { fwd: scale(op.fwdFlopsPerSample), bwd: scale(op.bwdFlopsPerSample) };
  };

  let fixedBytes = 0;
  for (const op of order) {
    fixedBytes += op.params * optimizer.bytesPerParam;
    if (op.kind === "input") fixedBytes += scale(op.outBytesPerSample);
  }
  // Outputs of ops outside the subset that the subset reads: received activations, held throughout.
  const external = new Set<string>();
  for (const op of order) for (const u of op.inputs) if (!chosen.has(u)) external.add(u);
  for (const id of external) fixedBytes += scale(graph.ops[byId.get(id) as number]?.outBytesPerSample ?? 0);

  const nodes: TrainingNode[] = new Array(n);
  const edges: [number, number][] = [];
  const hasForwardUser = new Uint8Array(L);
  forward.forEach((op, l) => {
    const c = cost(op);
    const memBytes = scale(op.outBytesPerSample);
    const work = op.workspaceBytesPerSample ? { workBytes: scale(op.workspaceBytesPerSample) } : {};
    nodes[l] = { name: op.name ?? op.id, kind: "forward", cost: c.fwd, memBytes, ...work };
    nodes[grad(l)] = { name: `grad ${op.name ?? op.id}`, kind: "backward", cost: c.bwd, memBytes, ...work };
    edges.push([l, grad(l)]);
    for (const u of op.inputs) {
      const p = index.get(u);
      if (p === undefined) continue;
      hasForwardUser[p] = 1;
      edges.push([p, l], [grad(l), grad(p)], [l, grad(p)]);
    }
  });
  const lossOp = losses[0];
  const lossInputs = new Set<number>();
  for (const u of lossOp?.inputs ?? []) {
    const p = index.get(u);
    if (p !== undefined) lossInputs.add(p);
  }
  // Every forward output nobody else reads is a model (or stage) output: the loss reads it.
  for (let l = 0; l < L; l++) if (hasForwardUser[l] === 0) lossInputs.add(l);
  let lossMem = 0;
  for (const p of lossInputs) {
    edges.push([p, L], [L, grad(p)]);
    lossMem += nodes[p]?.memBytes ?? 0;
  }
  nodes[L] = lossOp
    ? {
        name: lossOp.name ?? lossOp.id,
        kind: "loss",
        cost: cost(lossOp).fwd,
        memBytes: scale(lossOp.outBytesPerSample),
      }
    : { name: "output gradients", kind: "loss", cost: 0, memBytes: lossMem };

  const g = assembleTrainingGraph({
    name: graph.name,
    nodes,
    edges,
    costUnit: options.costModel ? "sec" : "flops",
    fixedBytes,
    batch,
  });
  const layoutIssues = checkTrainingGraph(g);
  return layoutIssues.length > 0 ? fail(layoutIssues) : ok(g);
}

/** Kahn's algorithm over the chosen ops, ties broken by position in `ops` (deterministic). */
function topologicalOrder(ops: readonly Op[], chosen: ReadonlySet<string>, issues: Issue[]): Op[] {
  const pos = new Map(ops.map((op, k) => [op.id, k] as const));
  const indegree = new Map<string, number>();
  const users = new Map<string, string[]>();
  for (const op of ops) {
    if (!chosen.has(op.id)) continue;
    let d = 0;
    for (const u of op.inputs) {
      if (!pos.has(u)) {
        issues.push({ code: "unknown-input", message: `op ${op.id} reads unknown op ${u}`, path: ["ops", op.id] });
        continue;
      }
      if (!chosen.has(u)) continue;
      d++;
      const list = users.get(u);
      if (list) list.push(op.id);
      else users.set(u, [op.id]);
    }
    indegree.set(op.id, d);
  }
  const ready = ops
    .filter((op) => chosen.has(op.id) && indegree.get(op.id) === 0)
    .map((op) => pos.get(op.id) as number);
  const out: Op[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => b - a);
    const k = ready.pop() as number;
    const op = ops[k] as Op;
    out.push(op);
    for (const v of users.get(op.id) ?? []) {
      const d = (indegree.get(v) as number) - 1;
      indegree.set(v, d);
      if (d === 0) ready.push(pos.get(v) as number);
    }
  }
  if (out.length < indegree.size) {
    issues.push({ code: "cycle", message: "the graph has a cycle", path: ["ops"] });
  }
  return out;
}
