/** Elementwise binary (or n-ary) arithmetic with NumPy broadcasting: add, mul. No parameters. */
import { broadcastShapes, formatShape, numel } from "./shape-util.js";
import type { DeriveContext, Derived, KindDef } from "./spec.js";

function broadcastAll(ctx: DeriveContext, kind: string): number[] | undefined {
  let out: number[] | undefined = [...(ctx.inputShapes[0] ?? [])];
  for (let i = 1; i < ctx.inputShapes.length && out; i++) out = broadcastShapes(out, ctx.inputShapes[i] ?? []);
  if (!out) {
    ctx.shapeMismatch(
      `${kind} inputs do not broadcast`,
      ["inputs"],
      "broadcastable shapes",
      ctx.inputShapes.map(formatShape).join(" and "),
    );
  }
  return out;
}

/**
 * add (n ≥ 2 inputs, e.g. a residual connection): n−1 adds per output element. Backward passes the gradient
 * through (a reduction where an input was broadcast): ≈ 1×. Nothing is saved.
 */
export const add: KindDef = {
  attrNames: [],
  minInputs: 2,
  maxInputs: Number.POSITIVE_INFINITY,
  derive(ctx: DeriveContext): Derived | undefined {
    const out = broadcastAll(ctx, "add");
    if (!out) return undefined;
    const flops = (ctx.inputShapes.length - 1) * numel(out);
    return { outShape: out, params: 0, fwdFlops: flops, bwdFlops: flops, savedBytes: 0 };
  },
};

/**
 * mul (n ≥ 2 inputs, e.g. SwiGLU's gate · up): n−1 multiplies per output element. The gradient of each
 * input is the product of the others, so autograd keeps every input and backward costs n·(n−1) per element.
 */
export const mul: KindDef = {
  attrNames: [],
  minInputs: 2,
  maxInputs: Number.POSITIVE_INFINITY,
  derive(ctx: DeriveContext): Derived | undefined {
    const out = broadcastAll(ctx, "mul");
    if (!out) return undefined;
    const n = ctx.inputShapes.length;
    const saved = ctx.inputShapes.reduce((s, x, i) => s + numel(x) * (ctx.inputElemBytes[i] ?? ctx.elemBytes), 0);
    return {
      outShape: out,
      params: 0,
      fwdFlops: (n - 1) * numel(out),
      bwdFlops: n * (n - 1) * numel(out),
      savedBytes: saved,
    };
  },
};
