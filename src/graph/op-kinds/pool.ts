/** Spatial pooling and resizing over [C, H, W] samples. */
import { formatShape, numel } from "./shape-util.js";
import type { DeriveContext, Derived, KindDef } from "./spec.js";

/** torch's pooling_output_shape: floor or ceil division, and a ceil window must start inside the input. */
export function pooledSize(size: number, k: number, s: number, p: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * p - k + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out -= 1;
  return out;
}

function pool(kind: "maxpool2d" | "avgpool2d"): KindDef {
  return {
    attrNames: ["kernel", "stride", "padding", "ceilMode"],
    minInputs: 1,
    maxInputs: 1,
    derive(ctx: DeriveContext): Derived | undefined {
      const a = ctx.attrs;
      const k = a.ints("kernel", { length: 2, min: 1 });
      const s = a.ints("stride", { length: 2, min: 1, ...(k.length === 2 ? { default: k } : {}) });
      const p = a.ints("padding", { length: 2, min: 0, default: [0, 0] });
      const ceil = a.bool("ceilMode", false);
      if (a.failed) return undefined;
      if (p[0]! * 2 > k[0]! || p[1]! * 2 > k[1]!) {
        ctx.shapeMismatch(
          `${kind} padding must be at most half the kernel`,
          ["attrs", "padding"],
          `≤ ${formatShape(k.map((v) => Math.floor(v / 2)))}`,
          formatShape(p),
        );
        return undefined;
      }
      const x = ctx.inputShapes[0] ?? [];
      const out = x.length === 3 ? [0, 1].map((i) => pooledSize(x[i + 1]!, k[i]!, s[i]!, p[i]!, ceil)) : [0, 0];
      if (x.length !== 3 || out[0]! < 1 || out[1]! < 1) {
        ctx.shapeMismatch(
          `${kind} expects input [C, H, W] at least as large as the kernel`,
          ["inputs", 0],
          `[C, ≥${k[0]}, ≥${k[1]}]`,
          formatShape(x),
        );
        return undefined;
      }
      const outShape = [x[0]!, out[0]!, out[1]!];
      const outN = numel(outShape);
      const window = k[0]! * k[1]!;
      const eb = ctx.inputElemBytes[0] ?? ctx.elemBytes;
      // max: one comparison per window element; backward routes each output gradient to its argmax. torch
      // keeps the input and an int64 argmax index per output element. avg: one add per window element;
      // backward spreads each output gradient over its window; nothing is saved but shapes.
      return kind === "maxpool2d"
        ? { outShape, params: 0, fwdFlops: outN * window, bwdFlops: outN, savedBytes: numel(x) * eb + outN * 8 }
        : { outShape, params: 0, fwdFlops: outN * window, bwdFlops: outN * window, savedBytes: 0 };
    },
  };
}

export const maxpool2d = pool("maxpool2d");
export const avgpool2d = pool("avgpool2d");

/** global-avgpool: [C, H, W] → [C, 1, 1]; one add per element each way; nothing saved. */
export const globalAvgpool: KindDef = {
  attrNames: [],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const x = ctx.inputShapes[0] ?? [];
    if (x.length !== 3) {
      ctx.shapeMismatch("global-avgpool expects input [C, H, W]", ["inputs", 0], "[C, H, W]", formatShape(x));
      return undefined;
    }
    const n = numel(x);
    return { outShape: [x[0]!, 1, 1], params: 0, fwdFlops: n, bwdFlops: n, savedBytes: 0 };
  },
};

/**
 * upsample: [C, H, W] → [C, ⌊H·scale⌋, ⌊W·scale⌋]. nearest copies (0 FLOPs); bilinear blends 4 neighbours
 * (≈ 8 FLOPs per output element), and its backward scatters the same. Nothing saved but shapes.
 */
export const upsample: KindDef = {
  attrNames: ["scale", "mode"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const scale = ctx.attrs.num("scale", { min: Number.MIN_VALUE });
    const mode = ctx.attrs.oneOf("mode", ["nearest", "bilinear"], "nearest");
    if (ctx.attrs.failed) return undefined;
    const x = ctx.inputShapes[0] ?? [];
    const h = Math.floor((x[1] ?? 0) * scale);
    const w = Math.floor((x[2] ?? 0) * scale);
    if (x.length !== 3 || h < 1 || w < 1) {
      ctx.shapeMismatch("upsample expects input [C, H, W]", ["inputs", 0], "[C, H, W]", formatShape(x));
      return undefined;
    }
    const outN = x[0]! * h * w;
    const flops = mode === "bilinear" ? 8 * outN : 0;
    return { outShape: [x[0]!, h, w], params: 0, fwdFlops: flops, bwdFlops: flops, savedBytes: 0 };
  },
};
