/**
 * The ONNX graph evaluated statically: every tensor's full shape (batch included), element type, whether
 * it is a constant (weights and shape arithmetic) or an activation, small constant values, and each
 * activation node's forward FLOPs for the whole batch. Parameters are found here too: ONNX does not say
 * which tensors are trainable, so a parameter is a stored floating-point tensor of more than one element
 * that the graph reads, except BatchNorm running statistics; each is claimed by the first activation
 * node that reads it, directly or through constant arithmetic (a transposed weight).
 *
 * Problems of the file are collected as issues (all of them, not the first); problems dagpipe cannot
 * decide (an unknown operator, a symbolic dimension) are warnings, and the graph still loads.
 */
import type { Issue, PathSegment } from "../../util/issues.js";
import { outputBatchAxis } from "./batch-axis.js";
import { readConstTensor, readDims } from "./const-tensor.js";
import { constantValue } from "./constant-node.js";
import { checkDeclared, readDeclaredShapes } from "./declared-shapes.js";
import type { GraphProto, NodeProto } from "./generated/onnx_pb.js";
import { readGraphInputs } from "./graph-inputs.js";
import { orderGraph } from "./graph-order.js";
import { InferCtx, type OpRule, type RuleOut, type TensorInfo, UnknownShape } from "./infer/context.js";
import { ruleFor } from "./infer/rules.js";
import { SHAPE_ONLY_OPS } from "./infer/shape-ops.js";
import { NodeAttrs, NodeError } from "./node-attrs.js";
import { isFloatType } from "./tensor-types.js";
import { resolveDims } from "./value-info.js";

/** More elements than any tensor of a trainable model; beyond it numbers stop being exact in a double. */
const MAX_ELEMENTS = 2 ** 48;

export interface AnalyzeOptions {
  /** Values for symbolic dimensions other than the batch (e.g. `{ sequence: 512 }`); unset ones are 1. */
  readonly dims?: Readonly<Record<string, number>>;
}

export interface AnalyzedTensor extends TensorInfo {
  readonly name: string;
  /** Index (in graph.node) of the node producing it; undefined for graph inputs and stored tensors. */
  readonly producer?: number;
}

export interface AnalyzedNode {
  /** Position in graph.node, for issue paths. */
  readonly index: number;
  readonly node: NodeProto;
  readonly ctx: InferCtx;
  readonly rule?: OpRule;
  readonly isConst: boolean;
  readonly outputs: readonly AnalyzedTensor[];
  /** Forward FLOPs of the whole batch (0 for constants, unknown operators and unknown shapes). */
  readonly fwdFlops: number;
  /** Parameter tensors this node is the first activation node to read. */
  readonly params: readonly string[];
}

export interface OnnxAnalysis {
  readonly opset: number;
  /** Samples per batch in the file (1 when the batch is symbolic). */
  readonly batch: number;
  readonly tensors: ReadonlyMap<string, AnalyzedTensor>;
  /** Nodes in topological order; constant ones included (they have isConst). */
  readonly nodes: readonly AnalyzedNode[];
  readonly inputs: readonly AnalyzedTensor[];
  readonly outputs: readonly string[];
  /** Parameter tensor → element count. */
  readonly params: ReadonlyMap<string, number>;
  /** Element type most of the parameters (or the first input) have. */
  readonly floatType: number;
}

interface Tables {
  readonly tensors: Map<string, AnalyzedTensor>;
  readonly sources: Map<string, readonly string[]>;
  readonly paramNumel: Map<string, number>;
  readonly buffers: ReadonlySet<string>;
}

function defaultOpset(model: { opsetImport: readonly { domain: string; version: bigint }[] }): number {
  const entry = model.opsetImport.find((o) => o.domain === "" || o.domain === "ai.onnx");
  return entry ? Number(entry.version) : 1;
}

/** Tensors read only as BatchNorm running mean / variance: buffers, not parameters. */
function batchNormBuffers(nodes: readonly NodeProto[]): Set<string> {
  const stats = new Set<string>();
  const other = new Set<string>();
  for (const n of nodes) {
    n.input.forEach((name, j) => {
      if (n.opType === "BatchNormalization" && (j === 3 || j === 4)) stats.add(name);
      else other.add(name);
    });
  }
  return new Set([...stats].filter((s) => !other.has(s)));
}

function registerStored(t: Tables, name: string, info: Omit<AnalyzedTensor, "name">, consumed: ReadonlySet<string>) {
  t.tensors.set(name, { name, ...info });
  const numel = info.shape?.reduce((a, b) => a * b, 1) ?? 0;
  if (isFloatType(info.elemType) && numel > 1 && consumed.has(name) && !t.buffers.has(name)) {
    t.paramNumel.set(name, numel);
    t.sources.set(name, [name]);
  }
}

export function analyzeOnnx(
  model: { graph?: GraphProto; opsetImport: readonly { domain: string; version: bigint }[] },
  file: string,
  options: AnalyzeOptions = {},
): { analysis: OnnxAnalysis; issues: Issue[]; warnings: Issue[] } {
  const graph = model.graph as GraphProto;
  const issues: Issue[] = [];
  const warnings: Issue[] = [];
  const opset = defaultOpset(model);
  const consumed = new Set(graph.node.flatMap((n) => n.input));
  const t: Tables = {
    tensors: new Map(),
    sources: new Map(),
    paramNumel: new Map(),
    buffers: batchNormBuffers(graph.node),
  };

  graph.initializer.forEach((init, i) => {
    const path: PathSegment[] = ["graph", "initializer", i];
    if (t.tensors.has(init.name)) {
      issues.push({
        code: "duplicate-id",
        message: `initializer ${JSON.stringify(init.name)} appears twice`,
        file,
        path,
      });
      return;
    }
    const c = readConstTensor(init, file, path, issues);
    // A broken initializer (already reported) still exists, with an unknown shape, so readers do not cascade.
    if (!c) t.tensors.set(init.name, { name: init.name, elemType: init.dataType, isConst: true });
    else
      registerStored(
        t,
        init.name,
        { elemType: c.elemType, shape: c.dims, ...(c.values ? { values: c.values } : {}), isConst: true },
        consumed,
      );
  });

  // Sparse initializers: the dense shape for inference, the stored values as parameters.
  graph.sparseInitializer.forEach((sp, i) => {
    const path: PathSegment[] = ["graph", "sparse_initializer", i];
    const name = sp.values?.name ?? "";
    const dims = readDims(sp.dims, file, [...path, "dims"], issues);
    const values = sp.values ? readConstTensor(sp.values, file, [...path, "values"], issues) : undefined;
    if (name === "" || t.tensors.has(name)) {
      issues.push({
        code: "duplicate-id",
        message: `sparse initializer ${JSON.stringify(name)} has no unique name`,
        file,
        path,
      });
      return;
    }
    const elemType = sp.values?.dataType ?? 1;
    t.tensors.set(name, { name, elemType, ...(dims ? { shape: dims } : {}), isConst: true });
    if (values && isFloatType(elemType) && values.numel > 1 && consumed.has(name)) {
      t.paramNumel.set(name, values.numel);
      t.sources.set(name, [name]);
    }
  });

  const { inputs, batch, batchSymbol, resolve } = readGraphInputs(graph, t.tensors, file, options, issues, warnings);
  for (const info of inputs) t.tensors.set(info.name, info);
  const declared = readDeclaredShapes(graph, file, issues);

  const { order } = orderGraph(graph.node, new Set(t.tensors.keys()), file, issues);
  const claimed = new Set<string>();
  const unknownOps = new Map<string, { count: number; first: number }>();
  const nodes: AnalyzedNode[] = [];
  for (const index of order) {
    const node = graph.node[index] as NodeProto;
    const nodePath: PathSegment[] = ["graph", "node", index];
    const attrs = new NodeAttrs(node.attribute);
    const inputInfos = node.input.map((n) => (n === "" ? undefined : t.tensors.get(n)));
    const broken = node.input.some((n, j) => n !== "" && inputInfos[j] === undefined);
    const ctx = new InferCtx(node.opType, opset, attrs, inputInfos, node.output.length);
    const rule = node.opType === "Constant" ? undefined : ruleFor(node.domain, node.opType);
    const allConst = inputInfos.every((x) => !x || x.isConst);
    const guessedIn = inputInfos.some((x) => x?.guessed);
    let outs: readonly (RuleOut | undefined)[] = [];
    let guessed = guessedIn;
    try {
      if (broken) {
        outs = [];
      } else if (node.opType === "Constant" && (node.domain === "" || node.domain === "ai.onnx")) {
        const c = constantValue(node.attribute, file, nodePath, issues);
        outs = c ? [{ shape: c.dims, elemType: c.elemType, ...(c.values ? { values: c.values } : {}) }] : [];
      } else if (rule) {
        const produced = rule.infer(ctx);
        for (const o of produced) {
          const n = o.shape.reduce((a, b) => a * b, 1);
          if (!(n <= MAX_ELEMENTS)) {
            throw new NodeError(
              `${node.opType} would produce a tensor of ${n} elements`,
              "bad-number",
              [],
              `at most 2^48 elements`,
              `[${o.shape.join(", ")}]`,
            );
          }
        }
        outs = produced;
      } else {
        const seen = unknownOps.get(`${node.domain}:${node.opType}`);
        unknownOps.set(`${node.domain}:${node.opType}`, { count: (seen?.count ?? 0) + 1, first: seen?.first ?? index });
        // Unknown operator: its declared output shapes if the file has them, else the first input's (a guess).
        outs = node.output.map((name, j) => {
          const d = declared.get(name);
          const dims = d?.dims;
          const shape =
            dims && resolveDims(dims, (sym, axis) => resolve(sym, axis, dims.length, d.elemType, d.path).value);
          if (shape) return { shape, elemType: d?.elemType ?? 1 };
          const src = inputInfos.find((x) => x && !x.isConst) ?? inputInfos[0];
          if (j === 0 && src?.shape) {
            guessed = true;
            return { shape: src.shape, elemType: src.elemType };
          }
          return undefined;
        });
      }
    } catch (e) {
      if (e instanceof UnknownShape) {
        outs = [];
      } else if (e instanceof NodeError) {
        const issue: Issue = {
          code: e.code,
          message: `${node.name || `node ${index}`}: ${e.message}`,
          file,
          path: [...nodePath, ...e.where],
          ...(e.expected !== undefined ? { expected: e.expected } : {}),
          ...(e.got !== undefined ? { got: e.got } : {}),
        };
        // After a guessed shape the contradiction may be dagpipe's guess, not the file: warn, do not fail.
        (guessedIn ? warnings : issues).push(issue);
        outs = [];
      } else {
        throw e;
      }
    }
    const isConst = allConst || (SHAPE_ONLY_OPS.has(node.opType) && outs[0] !== undefined);
    const outputs: AnalyzedTensor[] = node.output.map((name, j) => {
      const o = outs[j];
      const shape = o?.shape;
      const batchAxis = !isConst && shape ? outputBatchAxis(ctx, shape, batch) : undefined;
      return {
        name,
        producer: index,
        elemType: o?.elemType ?? inputInfos.find((x) => x)?.elemType ?? 1,
        ...(shape ? { shape } : {}),
        ...(o?.values && isConst ? { values: o.values } : {}),
        isConst,
        ...(batchAxis !== undefined ? { batchAxis } : {}),
        ...(guessed && shape ? { guessed: true } : {}),
      };
    });
    const params: string[] = [];
    if (isConst) {
      const src = [...new Set(inputInfos.flatMap((x, j) => (x ? (t.sources.get(node.input[j] as string) ?? []) : [])))];
      for (const o of outputs) if (src.length > 0) t.sources.set(o.name, src);
      if (node.opType === "Constant") {
        for (const o of outputs) registerStored(t, o.name, o, consumed);
      }
    } else {
      node.input.forEach((name) => {
        for (const p of t.sources.get(name) ?? []) {
          if (!claimed.has(p)) {
            claimed.add(p);
            params.push(p);
          }
        }
      });
    }
    for (const o of outputs)
      if (o.name !== "" && !(node.opType === "Constant" && t.tensors.has(o.name))) t.tensors.set(o.name, o);
    let fwdFlops = 0;
    if (!isConst && rule?.flops && outs.length > 0 && outs.every((o) => o !== undefined)) {
      try {
        fwdFlops = rule.flops(ctx, outs as RuleOut[]);
      } catch {
        fwdFlops = 0;
      }
    }
    nodes.push({ index, node, ctx, ...(rule ? { rule } : {}), isConst, outputs, fwdFlops, params });
  }

  for (const [key, { count, first: at }] of [...unknownOps].sort((a, b) => a[1].first - b[1].first)) {
    warnings.push({
      code: "unsupported",
      message: `unknown operator ${key.startsWith(":") ? key.slice(1) : key} (${count} node${count > 1 ? "s" : ""}): kept as an opaque op with zero cost`,
      file,
      path: ["graph", "node", at],
    });
  }
  checkDeclared(declared, t.tensors, batch, batchSymbol, file, issues, warnings);

  const floatType =
    mostCommon([...t.paramNumel.keys()].map((n) => t.tensors.get(n)?.elemType ?? 1)) ??
    inputs.find((i) => isFloatType(i.elemType))?.elemType ??
    1;
  return {
    analysis: {
      opset,
      batch,
      tensors: t.tensors,
      nodes,
      inputs,
      outputs: graph.output.map((o) => o.name),
      params: t.paramNumel,
      floatType,
    },
    issues,
    warnings,
  };
}

function mostCommon(values: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  for (const [v, c] of counts) if (best === undefined || c > (counts.get(best) ?? 0)) best = v;
  return best;
}
