/**
 * One ONNX node → the dagpipe op kind and attributes that mean the same thing per sample (Conv with a
 * stored weight → conv2d, Gemm → linear, Gather from a stored table → embedding, …), so the cost model
 * and the PyTorch runtime treat imported ops like the zoo's. Undefined when no kind says it exactly
 * (asymmetric padding, a dynamic weight, an axis through the batch, an operator dagpipe has no kind for):
 * the caller then keeps the node as `opaque` with the costs the importer computed itself.
 */
import type { AttrValue, OpAttrs, OpKind } from "../../graph/types.js";
import type { AnalyzedNode, AnalyzedTensor } from "./analyze.js";
import { droppedAxis, sampleAxis } from "./batch-axis.js";
import { numel } from "./infer/context.js";
import { windowGeometry } from "./infer/conv-pool.js";
import { splitSizes, transposePerm } from "./infer/layout.js";

export interface KindChoice {
  readonly kind: OpKind;
  readonly attrs: OpAttrs;
}

/** Everything about a node's tensors the mapping reads. */
export interface MapView {
  readonly n: AnalyzedNode;
  readonly inputs: readonly (AnalyzedTensor | undefined)[];
  readonly batch: number;
}

function isAct(t: AnalyzedTensor | undefined): t is AnalyzedTensor {
  return t !== undefined && !t.isConst;
}

/** The input pattern: which positions are activations, and every other present input a stored constant. */
function pattern(v: MapView): string {
  return v.inputs.map((t) => (t === undefined ? "-" : t.isConst ? "c" : "a")).join("");
}

function symmetric(begin: readonly number[], end: readonly number[]): boolean {
  return begin.every((b, i) => b === end[i]);
}

function conv(v: MapView, transposed: boolean): KindChoice | undefined {
  const { ctx } = v.n;
  const w = v.inputs[1]?.shape;
  const x = v.inputs[0]?.shape;
  if (!w || !x || w.length !== 4 || x.length !== 4 || !/^ac(c|-)?$/.test(pattern(v))) return undefined;
  const group = ctx.attrs.int("group", 1);
  const strides = ctx.attrs.ints("strides", [1, 1]);
  const dilations = ctx.attrs.ints("dilations", [1, 1]);
  const pads = [...ctx.attrs.ints("pads", [0, 0, 0, 0])];
  const bias = v.inputs[2] !== undefined;
  if (ctx.attrs.string("auto_pad", "NOTSET") !== "NOTSET" && ctx.attrs.string("auto_pad") !== "VALID") {
    const g = windowGeometry(ctx, x.slice(2), w.slice(2), false);
    if (!symmetric(g.padsBegin, g.padsEnd)) return undefined;
    pads.splice(0, 4, ...g.padsBegin, ...g.padsEnd);
  }
  if (ctx.attrs.string("auto_pad") === "VALID") pads.splice(0, 4, 0, 0, 0, 0);
  if (!symmetric(pads.slice(0, 2), pads.slice(2))) return undefined;
  const common: Record<string, AttrValue> = {
    kernel: [w[2] as number, w[3] as number],
    stride: [...strides],
    padding: pads.slice(0, 2),
    dilation: [...dilations],
    groups: group,
    bias,
  };
  if (!transposed) {
    return {
      kind: "conv2d",
      attrs: { inChannels: (w[1] as number) * group, outChannels: w[0] as number, ...common },
    };
  }
  if (ctx.attrs.has("output_shape")) return undefined;
  return {
    kind: "conv-transpose2d",
    attrs: {
      inChannels: w[0] as number,
      outChannels: (w[1] as number) * group,
      ...common,
      outputPadding: [...ctx.attrs.ints("output_padding", [0, 0])],
    },
  };
}

function pool(v: MapView, kind: "maxpool2d" | "avgpool2d"): KindChoice | undefined {
  const { ctx } = v.n;
  const x = v.inputs[0]?.shape;
  const kernel = ctx.attrs.ints("kernel_shape");
  if (x?.length !== 4 || !kernel || kernel.length !== 2 || pattern(v) !== "a") return undefined;
  if (ctx.attrs.ints("dilations", [1, 1]).some((d) => d !== 1)) return undefined;
  const g = windowGeometry(ctx, x.slice(2), kernel, ctx.attrs.int("ceil_mode", 0) === 1);
  if (!symmetric(g.padsBegin, g.padsEnd)) return undefined;
  return {
    kind,
    attrs: {
      kernel: [...kernel],
      stride: [...g.strides],
      padding: [...g.padsBegin],
      ceilMode: ctx.attrs.int("ceil_mode", 0) === 1,
    },
  };
}

function gemm(v: MapView): KindChoice | undefined {
  const { ctx } = v.n;
  const w = v.inputs[1]?.shape;
  if (!w || !/^ac(c|-)?$/.test(pattern(v)) || ctx.attrs.int("transA", 0) !== 0) return undefined;
  const [k, n] = ctx.attrs.int("transB", 0) === 1 ? [w[1], w[0]] : [w[0], w[1]];
  return {
    kind: "linear",
    attrs: { inFeatures: k as number, outFeatures: n as number, bias: v.inputs[2] !== undefined },
  };
}

function matmul(v: MapView): KindChoice | undefined {
  const p = pattern(v);
  if (p === "aa") return { kind: "matmul", attrs: {} };
  const w = v.inputs[1]?.shape;
  if (p !== "ac" || !w || w.length !== 2) return undefined;
  return { kind: "linear", attrs: { inFeatures: w[0] as number, outFeatures: w[1] as number, bias: false } };
}

/** Per-sample shape of an output, used as the target of reshape-like ops. */
function outSample(v: MapView, perSample: (t: AnalyzedTensor) => readonly number[] | undefined) {
  const out = v.n.outputs[0];
  return out ? perSample(out) : undefined;
}

export function mapKind(
  v: MapView,
  outputIndex: number,
  perSample: (t: AnalyzedTensor) => readonly number[] | undefined,
): KindChoice | undefined {
  const { ctx, node } = v.n;
  const x = v.inputs[0];
  const xShape = x?.shape;
  const p = pattern(v);
  const batchAxis = x?.batchAxis;
  switch (node.opType) {
    case "Conv":
      return conv(v, false);
    case "ConvTranspose":
      return conv(v, true);
    case "MaxPool":
      return ctx.outputCount > 1 && outputIndex > 0 ? undefined : pool(v, "maxpool2d");
    case "AveragePool":
      return pool(v, "avgpool2d");
    case "GlobalAveragePool":
      return xShape?.length === 4 && p === "a" ? { kind: "global-avgpool", attrs: {} } : undefined;
    case "Gemm":
      return gemm(v);
    case "MatMul":
      return matmul(v);
    case "BatchNormalization":
      if (outputIndex > 0 || !/^acccc$/.test(p) || !xShape || xShape.length < 2) return undefined;
      return {
        kind: "batchnorm",
        attrs: {
          features: xShape[1] as number,
          eps: ctx.attrs.float("epsilon", 1e-5),
          // ONNX keeps `momentum` of the old running value; torch's momentum weighs the new batch.
          momentum: 1 - ctx.attrs.float("momentum", 0.9),
        },
      };
    case "LayerNormalization": {
      if (outputIndex > 0 || !xShape || !/^ac(c|-)?$/.test(p)) return undefined;
      const axis = ctx.attrs.int("axis", -1);
      if ((axis < 0 ? axis + xShape.length : axis) !== xShape.length - 1) return undefined;
      return {
        kind: "layernorm",
        attrs: { features: xShape[xShape.length - 1] as number, eps: ctx.attrs.float("epsilon", 1e-5) },
      };
    }
    case "Relu":
    case "Sigmoid":
    case "Tanh":
    case "Gelu":
    case "Identity":
      return p === "a" ? { kind: node.opType.toLowerCase() as OpKind, attrs: {} } : undefined;
    case "Dropout": {
      if (outputIndex > 0 || !/^a(c|-)?(c|-)?$/.test(p)) return undefined;
      const ratio = v.inputs[1]?.values?.[0] ?? ctx.attrs.float("ratio", 0.5);
      return ratio >= 0 && ratio < 1 ? { kind: "dropout", attrs: { p: ratio } } : undefined;
    }
    case "Softmax": {
      if (p !== "a" || !xShape) return undefined;
      const axis = ctx.attrs.int("axis", ctx.opset >= 13 ? -1 : 1);
      const full = axis < 0 ? axis + xShape.length : axis;
      // Before opset 13 Softmax flattens from `axis` on; that is a per-axis softmax only on the last axis.
      if (ctx.opset < 13 && full !== xShape.length - 1) return undefined;
      const a = sampleAxis(full, xShape, batchAxis, v.batch);
      return a === undefined ? undefined : { kind: "softmax", attrs: { axis: a } };
    }
    case "Add":
    case "Mul":
    case "Sum":
      return /^aa+$/.test(p) ? { kind: node.opType === "Mul" ? "mul" : "add", attrs: {} } : undefined;
    case "Concat": {
      if (!/^a+$/.test(p) || !xShape) return undefined;
      const a = sampleAxis(ctx.attrs.int("axis", 0), xShape, batchAxis, v.batch);
      return a === undefined ? undefined : { kind: "concat", attrs: { axis: a } };
    }
    case "Flatten":
    case "Reshape":
    case "Squeeze":
    case "Unsqueeze": {
      if (!/^a(c|-)?$/.test(p)) return undefined;
      const target = outSample(v, perSample);
      const fromShape = x ? perSample(x) : undefined;
      if (!target || !fromShape) return undefined;
      if (target.length === 1 && fromShape.length !== 1) return { kind: "flatten", attrs: {} };
      return target.length > 0 && target.every((d) => d > 0)
        ? { kind: "reshape", attrs: { shape: [...target] } }
        : undefined;
    }
    case "Transpose": {
      if (p !== "a" || !xShape) return undefined;
      const perm = transposePerm(ctx, xShape.length);
      const drop = droppedAxis(xShape, batchAxis, v.batch);
      if (drop === undefined) return v.batch === 1 ? { kind: "transpose", attrs: { perm: [...perm] } } : undefined;
      const rest = perm.filter((q) => q !== drop).map((q) => (q > drop ? q - 1 : q));
      return { kind: "transpose", attrs: { perm: rest } };
    }
    case "Slice":
    case "Split":
      return sliceKind(v, outputIndex, p);
    case "Gather": {
      const table = v.inputs[0]?.shape;
      if (p !== "ca" || !table || table.length !== 2 || ctx.attrs.int("axis", 0) !== 0) return undefined;
      return { kind: "embedding", attrs: { numEmbeddings: table[0] as number, embeddingDim: table[1] as number } };
    }
    case "Resize":
    case "Upsample": {
      const out = v.n.outputs[0]?.shape;
      if (!xShape || !out || xShape.length !== 4 || !isAct(x)) return undefined;
      const scale = (out[2] as number) / (xShape[2] as number);
      const same = out[0] === xShape[0] && out[1] === xShape[1] && out[3] === Math.floor((xShape[3] as number) * scale);
      const mode = ctx.attrs.string("mode", "nearest");
      if (!same || !Number.isInteger(scale) || (mode !== "nearest" && mode !== "linear")) return undefined;
      return { kind: "upsample", attrs: { scale, mode: mode === "linear" ? "bilinear" : "nearest" } };
    }
    default:
      return undefined;
  }
}

/** Slice along one axis with step 1, or one output of a Split: a per-sample `slice`. */
function sliceKind(v: MapView, outputIndex: number, p: string): KindChoice | undefined {
  const { ctx, node } = v.n;
  const x = v.inputs[0];
  const xShape = x?.shape;
  const out = v.n.outputs[outputIndex]?.shape;
  if (!xShape || !out || !isAct(x) || !/^ac*-*c*$/.test(p)) return undefined;
  const changed = xShape.flatMap((d, i) => (d !== out[i] ? [i] : []));
  if (node.opType === "Split") {
    const axis = ctx.attrs.int("axis", 0);
    const full = axis < 0 ? axis + xShape.length : axis;
    const sizes = splitSizes(ctx, xShape[full] as number);
    const start = sizes.slice(0, outputIndex).reduce((s, d) => s + d, 0);
    const a = sampleAxis(full, xShape, x.batchAxis, v.batch);
    if (a === undefined || (sizes[outputIndex] ?? 0) <= 0) return undefined;
    return { kind: "slice", attrs: { axis: a, start, end: start + (sizes[outputIndex] as number) } };
  }
  if (changed.length !== 1 || numel(out) === 0)
    return changed.length === 0 ? { kind: "identity", attrs: {} } : undefined;
  const full = changed[0] as number;
  const steps = v.inputs[4]?.values;
  if (steps?.some((s) => s !== 1)) return undefined;
  const axes = (ctx.opset < 10 ? ctx.attrs.ints("axes") : v.inputs[3]?.values) ?? xShape.map((_, i) => i);
  const starts = ctx.opset < 10 ? ctx.attrs.ints("starts") : v.inputs[1]?.values;
  const k = axes.findIndex((ax) => (ax < 0 ? ax + xShape.length : ax) === full);
  const dim = xShape[full] as number;
  const rawStart = starts?.[k];
  if (k < 0 || rawStart === undefined) return undefined;
  const start = Math.min(Math.max(rawStart < 0 ? rawStart + dim : rawStart, 0), dim);
  const a = sampleAxis(full, xShape, x.batchAxis, v.batch);
  if (a === undefined) return undefined;
  return { kind: "slice", attrs: { axis: a, start, end: start + (out[full] as number) } };
}
