/**
 * The shape-arithmetic operators exported graphs use to compute layouts at run time: Shape and Size (whose
 * outputs are constants once shapes are known), ConstantOfShape and Range. Their small outputs are folded
 * to values.
 */
import { readConstTensor, VALUE_LIMIT } from "../const-tensor.js";
import { ONNX_FLOAT, ONNX_INT64 } from "../tensor-types.js";
import { fmt, type InferCtx, numel, type OpRule } from "./context.js";

const SHAPE: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const rank = x.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
    const values = x.slice(clamp(ctx.attrs.int("start", 0)), clamp(ctx.attrs.int("end", rank)));
    return [{ shape: [values.length], elemType: ONNX_INT64, values }];
  },
};

const SIZE: OpRule = {
  infer: (ctx: InferCtx) => [{ shape: [], elemType: ONNX_INT64, values: [numel(ctx.shape(0))] }],
};

const CONSTANT_OF_SHAPE: OpRule = {
  infer(ctx: InferCtx) {
    const shape = ctx.requireValues(0);
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) ctx.invalid(`shape ${fmt(shape)} is not valid`, ["input", 0]);
    const value = ctx.attrs.tensor("value");
    const elemType = value?.tensor.dataType ?? ONNX_FLOAT;
    const fill = value ? readConstTensor(value.tensor, "", [], [])?.values?.[0] : 0;
    const n = numel(shape);
    return [
      { shape, elemType, ...(fill !== undefined && n <= VALUE_LIMIT ? { values: new Array(n).fill(fill) } : {}) },
    ];
  },
};

const RANGE: OpRule = {
  infer(ctx: InferCtx) {
    const [start, limit, delta] = [0, 1, 2].map((i) => ctx.requireValues(i)[0] as number) as [number, number, number];
    if (delta === 0 || !Number.isFinite(delta)) ctx.invalid("delta must be non-zero", ["input", 2], "≠ 0", "0");
    const n = Math.max(Math.ceil((limit - start) / delta), 0);
    if (n > 2 ** 40) ctx.invalid(`range of ${n} elements`, ["input", 1]);
    const shape = [n];
    const values = n <= VALUE_LIMIT ? Array.from({ length: n }, (_, i) => start + i * delta) : undefined;
    return [{ shape, elemType: ctx.typeOf(0), ...(values ? { values } : {}) }];
  },
};

export const SHAPE_RULES: Readonly<Record<string, OpRule>> = {
  Shape: SHAPE,
  Size: SIZE,
  ConstantOfShape: CONSTANT_OF_SHAPE,
  Range: RANGE,
};

/** Operators whose output depends only on their input's shape, so it is a constant once shapes are known. */
export const SHAPE_ONLY_OPS: ReadonlySet<string> = new Set(["Shape", "Size"]);
