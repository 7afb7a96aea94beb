/** Graph boundaries: `input` (a sample as data), `loss` (the training objective), `opaque` (unknown imports). */
import { formatShape, leadingRows, numel } from "./shape-util.js";
import type { DeriveContext, Derived, KindDef } from "./spec.js";

function explicitShape(ctx: DeriveContext, kind: string): readonly number[] | undefined {
  if (ctx.explicitOutShape === undefined) {
    ctx.shapeMismatch(
      `${kind} ops need an explicit outShape (the sample's shape)`,
      ["outShape"],
      "a list of dimensions",
      "nothing",
    );
  }
  return ctx.explicitOutShape;
}

/**
 * input {dtype: float | int64, high?}: the sample as it arrives; outShape is given explicitly. int64 ids
 * take 8 bytes per element whatever the graph's dtype. `high` is the exclusive bound of synthetic ids.
 */
export const input: KindDef = {
  attrNames: ["dtype", "high"],
  minInputs: 0,
  maxInputs: 0,
  derive(ctx: DeriveContext): Derived | undefined {
    const dtype = ctx.attrs.oneOf("dtype", ["float", "int64"], "float");
    if (Object.hasOwn(ctx.attrs.raw, "high")) ctx.attrs.int("high", { min: 1 });
    const shape = explicitShape(ctx, "input");
    if (ctx.attrs.failed || !shape) return undefined;
    return {
      outShape: shape,
      params: 0,
      fwdFlops: 0,
      bwdFlops: 0,
      savedBytes: 0,
      outElemBytes: dtype === "int64" ? 8 : ctx.elemBytes,
    };
  },
};

/**
 * loss {fn, classes?}: one input (the logits; targets are synthesised by the runtime), out [1].
 * cross-entropy over the last dimension = log-softmax (5 per element) + the picked log-probability per row;
 * backward softmax − onehot, scaled (2 per element); autograd keeps the log-probabilities.
 * mse: subtract, square, sum (3 per element); backward 2 per element; keeps the input.
 */
export const loss: KindDef = {
  attrNames: ["fn", "classes"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const fn = ctx.attrs.oneOf("fn", ["cross-entropy", "mse"], "cross-entropy");
    const hasClasses = Object.hasOwn(ctx.attrs.raw, "classes");
    const classes = hasClasses ? ctx.attrs.int("classes", { min: 1 }) : 0;
    if (ctx.attrs.failed) return undefined;
    const x = ctx.inputShapes[0] ?? [];
    const n = numel(x);
    const eb = ctx.inputElemBytes[0] ?? ctx.elemBytes;
    if (fn === "mse") return { outShape: [1], params: 0, fwdFlops: 3 * n, bwdFlops: 2 * n, savedBytes: n * eb };
    const last = x[x.length - 1];
    if (last === undefined || (hasClasses && last !== classes)) {
      ctx.shapeMismatch(
        "cross-entropy expects logits whose last dimension is the class count",
        ["inputs", 0],
        hasClasses ? `[…, ${classes}]` : "[…, classes]",
        formatShape(x),
      );
      return undefined;
    }
    return { outShape: [1], params: 0, fwdFlops: 5 * n + leadingRows(x), bwdFlops: 2 * n, savedBytes: n * eb };
  },
};

/** opaque {op?}: an imported operator we cannot model: zero cost, not runnable; outShape is given. */
export const opaque: KindDef = {
  attrNames: "any",
  minInputs: 0,
  maxInputs: Number.POSITIVE_INFINITY,
  derive(ctx: DeriveContext): Derived | undefined {
    const shape = explicitShape(ctx, "opaque");
    if (!shape) return undefined;
    return { outShape: shape, params: 0, fwdFlops: 0, bwdFlops: 0, savedBytes: 0 };
  },
};
