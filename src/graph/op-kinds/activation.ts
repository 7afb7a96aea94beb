/**
 * Pointwise activations, softmax, dropout and identity: shape-preserving, no parameters. FLOPs are a few
 * per element; backward ≈ 1× forward (one fused pointwise kernel each way). Saved tensors follow what
 * torch autograd keeps for each function.
 */
import { formatShape, numel } from "./shape-util.js";
import type { DeriveContext, Derived, KindDef } from "./spec.js";

type Keep = "input" | "output" | "nothing";

/** One pointwise kind: FLOPs per element each way, and which tensor autograd keeps. */
function pointwise(fwdPerElem: number, bwdPerElem: number, keep: Keep): KindDef {
  return {
    attrNames: [],
    minInputs: 1,
    maxInputs: 1,
    derive(ctx: DeriveContext): Derived {
      const x = ctx.inputShapes[0] ?? [];
      const n = numel(x);
      const eb = ctx.inputElemBytes[0] ?? ctx.elemBytes;
      return {
        outShape: [...x],
        params: 0,
        fwdFlops: fwdPerElem * n,
        bwdFlops: bwdPerElem * n,
        savedBytes: keep === "nothing" ? 0 : n * (keep === "input" ? eb : ctx.elemBytes),
      };
    },
  };
}

/** relu: max(x, 0); autograd keeps the output (its sign is the mask). */
export const relu = pointwise(1, 1, "output");
/** gelu (tanh form ≈ 8 FLOPs); the gradient needs the input. */
export const gelu = pointwise(8, 8, "input");
/** silu x·σ(x) (≈ 4 FLOPs); the gradient needs the input. */
export const silu = pointwise(4, 4, "input");
/** sigmoid (≈ 4 FLOPs); the gradient σ(1−σ) needs only the output. */
export const sigmoid = pointwise(4, 3, "output");
/** tanh (≈ 4 FLOPs); the gradient 1−y² needs only the output. */
export const tanh = pointwise(4, 3, "output");
/** identity: a name for a tensor (e.g. an imported no-op); free, nothing saved. */
export const identity = pointwise(0, 0, "nothing");

/** softmax over `axis` (max, subtract, exp, sum, divide = 5 per element); backward y·(g − Σ g·y) ≈ 4; keeps y. */
export const softmax: KindDef = {
  attrNames: ["axis"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const axis = ctx.attrs.int("axis", { min: Number.MIN_SAFE_INTEGER, default: -1 });
    if (ctx.attrs.failed) return undefined;
    const x = ctx.inputShapes[0] ?? [];
    if (axis < -x.length || axis >= x.length) {
      ctx.shapeMismatch(
        `softmax axis ${axis} is outside the input's ${x.length} dimensions`,
        ["attrs", "axis"],
        `-${x.length} ≤ axis < ${x.length}`,
        `${axis} for ${formatShape(x)}`,
      );
      return undefined;
    }
    const n = numel(x);
    return { outShape: [...x], params: 0, fwdFlops: 5 * n, bwdFlops: 4 * n, savedBytes: n * ctx.elemBytes };
  },
};

/**
 * dropout {p}: with p = 0 torch returns the input unchanged (nothing saved, no FLOPs) — the zoo's default,
 * so runs are reproducible. With p > 0: draw, compare and scale (≈ 2 per element), backward one multiply,
 * and autograd keeps a 1-byte mask per element.
 */
export const dropout: KindDef = {
  attrNames: ["p"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const p = ctx.attrs.num("p", { min: 0, below: 1, default: 0 });
    if (ctx.attrs.failed) return undefined;
    const x = ctx.inputShapes[0] ?? [];
    const n = numel(x);
    const on = p > 0;
    return {
      outShape: [...x],
      params: 0,
      fwdFlops: on ? 2 * n : 0,
      bwdFlops: on ? n : 0,
      savedBytes: on ? n : 0,
      outElemBytes: ctx.inputElemBytes[0] ?? ctx.elemBytes,
    };
  },
};
