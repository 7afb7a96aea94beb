/** 2-D convolutions over [C, H, W] samples: conv2d and conv-transpose2d (the U-Net up path). */
import { formatShape, numel } from "./shape-util.js";
import type { DeriveContext, Derived, KindDef } from "./spec.js";

interface ConvAttrs {
  readonly inC: number;
  readonly outC: number;
  readonly k: readonly number[];
  readonly s: readonly number[];
  readonly p: readonly number[];
  readonly d: readonly number[];
  readonly groups: number;
  readonly bias: boolean;
}

function readConv(ctx: DeriveContext): ConvAttrs | undefined {
  const a = ctx.attrs;
  const inC = a.int("inChannels", { min: 1 });
  const outC = a.int("outChannels", { min: 1 });
  const k = a.ints("kernel", { length: 2, min: 1 });
  const s = a.ints("stride", { length: 2, min: 1, default: [1, 1] });
  const p = a.ints("padding", { length: 2, min: 0, default: [0, 0] });
  const d = a.ints("dilation", { length: 2, min: 1, default: [1, 1] });
  const groups = a.int("groups", { min: 1, default: 1 });
  const bias = a.bool("bias", true);
  if (a.failed) return undefined;
  if (inC % groups !== 0 || outC % groups !== 0) {
    ctx.shapeMismatch(
      `groups (${groups}) must divide inChannels (${inC}) and outChannels (${outC})`,
      ["attrs", "groups"],
      `a common divisor of ${inC} and ${outC}`,
      String(groups),
    );
    return undefined;
  }
  return { inC, outC, k, s, p, d, groups, bias };
}

function checkInput(ctx: DeriveContext, kind: string, inC: number): readonly number[] | undefined {
  const x = ctx.inputShapes[0] ?? [];
  if (x.length !== 3 || x[0] !== inC) {
    ctx.shapeMismatch(
      `${kind} expects input [inChannels = ${inC}, H, W]`,
      ["inputs", 0],
      `[${inC}, H, W]`,
      formatShape(x),
    );
    return undefined;
  }
  return x;
}

/**
 * conv2d: out = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 per spatial dimension. Params outC·(inC/groups)·kh·kw (+ outC).
 * FLOPs 2·outC·Ho·Wo·(inC/groups)·kh·kw (+ outC·Ho·Wo for the bias). Backward: input gradient and weight
 * gradient, each a convolution of the forward's size: 2×. Saved: the input (for the weight gradient).
 */
export const conv2d: KindDef = {
  attrNames: ["inChannels", "outChannels", "kernel", "stride", "padding", "dilation", "groups", "bias"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const c = readConv(ctx);
    if (!c) return undefined;
    const x = checkInput(ctx, "conv2d", c.inC);
    if (!x) return undefined;
    const out = [0, 1].map(
      (i) => Math.floor((x[i + 1]! + 2 * c.p[i]! - c.d[i]! * (c.k[i]! - 1) - 1) / c.s[i]!) + 1,
    ) as [number, number];
    if (out[0] < 1 || out[1] < 1) {
      ctx.shapeMismatch(
        `conv2d kernel ${formatShape(c.k)} does not fit input ${formatShape(x)}`,
        ["inputs", 0],
        "a spatial size ≥ the dilated kernel",
        formatShape(x),
      );
      return undefined;
    }
    const kernelParams = c.outC * (c.inC / c.groups) * c.k[0]! * c.k[1]!;
    const positions = out[0] * out[1];
    const macs = positions * kernelParams;
    const biasFlops = c.bias ? c.outC * positions : 0;
    return {
      outShape: [c.outC, out[0], out[1]],
      params: kernelParams + (c.bias ? c.outC : 0),
      fwdFlops: 2 * macs + biasFlops,
      bwdFlops: 4 * macs + biasFlops,
      savedBytes: numel(x) * (ctx.inputElemBytes[0] ?? ctx.elemBytes),
    };
  },
};

/**
 * conv-transpose2d: out = (H − 1)s − 2p + d(k−1) + outputPadding + 1. Params inC·(outC/groups)·kh·kw (+ outC).
 * Every input element is scattered through the kernel: FLOPs 2·inC·H·W·(outC/groups)·kh·kw (+ bias).
 * Backward 2× (input and weight gradients); saved: the input.
 */
export const convTranspose2d: KindDef = {
  attrNames: [...(conv2d.attrNames as readonly string[]), "outputPadding"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const c = readConv(ctx);
    const op = ctx.attrs.ints("outputPadding", { length: 2, min: 0, default: [0, 0] });
    if (!c || ctx.attrs.failed) return undefined;
    const x = checkInput(ctx, "conv-transpose2d", c.inC);
    if (!x) return undefined;
    if (op[0]! >= Math.max(c.s[0]!, c.d[0]!) || op[1]! >= Math.max(c.s[1]!, c.d[1]!)) {
      ctx.shapeMismatch(
        "outputPadding must be smaller than stride or dilation",
        ["attrs", "outputPadding"],
        "< stride",
        formatShape(op),
      );
      return undefined;
    }
    const out = [0, 1].map((i) => (x[i + 1]! - 1) * c.s[i]! - 2 * c.p[i]! + c.d[i]! * (c.k[i]! - 1) + op[i]! + 1) as [
      number,
      number,
    ];
    if (out[0] < 1 || out[1] < 1) {
      ctx.shapeMismatch(
        "conv-transpose2d padding leaves no output",
        ["attrs", "padding"],
        "a positive output size",
        formatShape(out),
      );
      return undefined;
    }
    const kernelParams = c.inC * (c.outC / c.groups) * c.k[0]! * c.k[1]!;
    const macs = x[1]! * x[2]! * kernelParams;
    const biasFlops = c.bias ? c.outC * out[0] * out[1] : 0;
    return {
      outShape: [c.outC, out[0], out[1]],
      params: kernelParams + (c.bias ? c.outC : 0),
      fwdFlops: 2 * macs + biasFlops,
      bwdFlops: 4 * macs + biasFlops,
      savedBytes: numel(x) * (ctx.inputElemBytes[0] ?? ctx.elemBytes),
    };
  },
};
