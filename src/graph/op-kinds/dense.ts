/** Dense algebra: `linear` (acts on the last dimension) and `matmul` (two activations). */
import { formatShape, leadingRows, numel } from "./shape-util.js";
import type { DeriveContext, Derived, KindDef } from "./spec.js";

/**
 * linear: y = x Wᵀ + b over the last dimension. Params in·out (+ out). FLOPs 2·rows·in·out (+ rows·out for
 * the bias). Backward computes the input gradient and the weight gradient, each as large as the forward
 * matmul: 2× (+ the bias gradient, a row sum). Saved: autograd keeps the input x (for the weight gradient);
 * the weight is a parameter, not an activation. `tiedTo` names the op that owns the weight (tied
 * input/output embeddings): the weight is then counted there, so params here are the bias only.
 */
export const linear: KindDef = {
  attrNames: ["inFeatures", "outFeatures", "bias", "tiedTo"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const a = ctx.attrs;
    const inF = a.int("inFeatures", { min: 1 });
    const outF = a.int("outFeatures", { min: 1 });
    const bias = a.bool("bias", true);
    const tied = Object.hasOwn(a.raw, "tiedTo") && a.str("tiedTo") !== "";
    if (a.failed) return undefined;
    const x = ctx.inputShapes[0] ?? [];
    if (x.length === 0 || x[x.length - 1] !== inF) {
      ctx.shapeMismatch(
        `linear expects its input's last dimension to be inFeatures = ${inF}`,
        ["inputs", 0],
        `[…, ${inF}]`,
        formatShape(x),
      );
      return undefined;
    }
    const rows = leadingRows(x);
    const macs = rows * inF * outF;
    const biasFlops = bias ? rows * outF : 0;
    return {
      outShape: [...x.slice(0, -1), outF],
      params: (tied ? 0 : inF * outF) + (bias ? outF : 0),
      fwdFlops: 2 * macs + biasFlops,
      bwdFlops: 4 * macs + biasFlops,
      savedBytes: numel(x) * (ctx.inputElemBytes[0] ?? ctx.elemBytes),
    };
  },
};

/**
 * matmul: A[…, m, k] · B[…, k, n] → […, m, n] with NumPy broadcasting of the leading dimensions.
 * FLOPs 2·batch·m·k·n; backward computes both input gradients: 2×. Saved: both inputs.
 */
export const matmul: KindDef = {
  attrNames: [],
  minInputs: 2,
  maxInputs: 2,
  derive(ctx: DeriveContext): Derived | undefined {
    const a = ctx.inputShapes[0] ?? [];
    const b = ctx.inputShapes[1] ?? [];
    if (a.length < 2 || b.length < 2 || a[a.length - 1] !== b[b.length - 2]) {
      ctx.shapeMismatch(
        "matmul expects A[…, m, k] and B[…, k, n]",
        ["inputs"],
        "[…, m, k] and […, k, n]",
        `${formatShape(a)} and ${formatShape(b)}`,
      );
      return undefined;
    }
    const lead = broadcastLead(a.slice(0, -2), b.slice(0, -2));
    if (!lead) {
      ctx.shapeMismatch(
        "matmul's leading dimensions do not broadcast",
        ["inputs"],
        "broadcastable batch dims",
        `${formatShape(a)} and ${formatShape(b)}`,
      );
      return undefined;
    }
    const m = a[a.length - 2] as number;
    const k = a[a.length - 1] as number;
    const n = b[b.length - 1] as number;
    const macs = numel(lead) * m * k * n;
    return {
      outShape: [...lead, m, n],
      params: 0,
      fwdFlops: 2 * macs,
      bwdFlops: 4 * macs,
      savedBytes:
        numel(a) * (ctx.inputElemBytes[0] ?? ctx.elemBytes) + numel(b) * (ctx.inputElemBytes[1] ?? ctx.elemBytes),
    };
  },
};

function broadcastLead(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}
