/**
 * Convolutions and pooling over N-d spatial inputs [N, C, d1, d2, …] (ONNX semantics: explicit pads as
 * [begin…, end…], or auto_pad SAME_UPPER / SAME_LOWER / VALID; ceil_mode for pools).
 */
import type { NodeAttrs } from "../node-attrs.js";
import { fmt, type InferCtx, numel, type OpRule } from "./context.js";

export interface WindowGeometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
  readonly outSpatial: readonly number[];
}

function list(attrs: NodeAttrs, name: string, n: number, fill: number): readonly number[] {
  return attrs.ints(name) ?? new Array(n).fill(fill);
}

/** Output size of a sliding window over each spatial dim, with the pads it actually uses. */
export function windowGeometry(
  ctx: InferCtx,
  spatial: readonly number[],
  kernel: readonly number[],
  ceilMode: boolean,
): WindowGeometry {
  const n = spatial.length;
  const strides = list(ctx.attrs, "strides", n, 1);
  const dilations = list(ctx.attrs, "dilations", n, 1);
  const pads = list(ctx.attrs, "pads", 2 * n, 0);
  const autoPad = ctx.attrs.string("auto_pad", "NOTSET");
  if (kernel.length !== n || strides.length !== n || dilations.length !== n || pads.length !== 2 * n) {
    ctx.fail(
      `kernel/strides/dilations/pads do not match ${n} spatial dims`,
      ["attribute"],
      `${n} spatial dims (pads ${2 * n})`,
      `kernel ${fmt(kernel)}, strides ${fmt(strides)}, pads ${fmt(pads)}`,
    );
  }
  for (const [name, v] of [
    ["kernel_shape", kernel],
    ["strides", strides],
    ["dilations", dilations],
  ] as const) {
    if (v.some((x) => !Number.isInteger(x) || x < 1)) {
      ctx.invalid(`${name} ${fmt(v)} must be positive integers`, ctx.attrs.where(name), "≥ 1", fmt(v));
    }
  }
  if (pads.some((x) => !Number.isInteger(x) || x < 0)) {
    ctx.invalid(`pads ${fmt(pads)} must be non-negative`, ctx.attrs.where("pads"), "≥ 0", fmt(pads));
  }
  const padsBegin: number[] = [];
  const padsEnd: number[] = [];
  const outSpatial: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = spatial[i] as number;
    const k = ((kernel[i] as number) - 1) * (dilations[i] as number) + 1;
    const s = strides[i] as number;
    let pb = pads[i] as number;
    let pe = pads[i + n] as number;
    let out: number;
    if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
      out = Math.ceil(size / s);
      const total = Math.max(0, (out - 1) * s + k - size);
      pb = autoPad === "SAME_UPPER" ? Math.floor(total / 2) : Math.ceil(total / 2);
      pe = total - pb;
    } else {
      if (autoPad === "VALID") {
        pb = 0;
        pe = 0;
      }
      const span = size + pb + pe - k;
      if (span < 0) {
        ctx.fail(
          `window ${k} is larger than spatial dim ${i} of size ${size} plus padding ${pb + pe}`,
          ["input", 0],
          `spatial size ≥ ${k - pb - pe}`,
          String(size),
        );
      }
      out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
      // A window that would start inside the end padding is dropped (PyTorch's and ONNX's rule).
      if (ceilMode && (out - 1) * s >= size + pb) out -= 1;
    }
    padsBegin.push(pb);
    padsEnd.push(pe);
    outSpatial.push(out);
  }
  return { kernel, strides, dilations, padsBegin, padsEnd, outSpatial };
}

function convIn(ctx: InferCtx): { x: readonly number[]; w: readonly number[]; group: number } {
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  if (x.length < 3) ctx.fail(`input ${fmt(x)} needs [N, C, spatial…]`, ["input", 0], "rank ≥ 3", String(x.length));
  if (w.length !== x.length) {
    ctx.fail(`weight ${fmt(w)} and input ${fmt(x)} differ in rank`, ["input", 1], String(x.length), String(w.length));
  }
  const group = ctx.attrs.int("group", 1);
  if (!Number.isInteger(group) || group < 1) {
    ctx.invalid(`group ${group} must be a positive integer`, ctx.attrs.where("group"), "≥ 1", String(group));
  }
  return { x, w, group };
}

function kernelOf(ctx: InferCtx, w: readonly number[]): readonly number[] {
  const fromWeight = w.slice(2);
  const attr = ctx.attrs.ints("kernel_shape");
  if (attr && fmt(attr) !== fmt(fromWeight)) {
    ctx.fail(
      `kernel_shape ${fmt(attr)} contradicts weight ${fmt(w)}`,
      ctx.attrs.where("kernel_shape"),
      fmt(fromWeight),
      fmt(attr),
    );
  }
  return fromWeight;
}

export const CONV: OpRule = {
  infer(ctx: InferCtx) {
    const { x, w, group } = convIn(ctx);
    const channels = x[1] as number;
    const outChannels = w[0] as number;
    if ((w[1] as number) * group !== channels) {
      ctx.fail(
        `weight ${fmt(w)} with group ${group} expects ${(w[1] as number) * group} input channels, input ${fmt(x)} has ${channels}`,
        ["input", 1],
        String(channels / group),
        String(w[1]),
      );
    }
    if (outChannels % group !== 0) {
      ctx.fail(`${outChannels} output channels do not split into ${group} groups`, ["input", 1]);
    }
    if (ctx.has(2) && fmt(ctx.shape(2)) !== fmt([outChannels])) {
      ctx.fail(`bias ${fmt(ctx.shape(2))} must be [${outChannels}]`, ["input", 2], fmt([outChannels]));
    }
    const g = windowGeometry(ctx, x.slice(2), kernelOf(ctx, w), false);
    return [{ shape: [x[0] as number, outChannels, ...g.outSpatial], elemType: ctx.typeOf(0) }];
  },
  flops(ctx, outs) {
    const w = ctx.shape(1);
    const out = numel(outs[0]?.shape ?? []);
    return 2 * out * numel(w.slice(1)) + (ctx.has(2) ? out : 0);
  },
  saves: "inputs",
  bwdFactor: 2,
};

export const CONV_TRANSPOSE: OpRule = {
  infer(ctx: InferCtx) {
    const { x, w, group } = convIn(ctx);
    if ((w[0] as number) !== (x[1] as number)) {
      ctx.fail(`weight ${fmt(w)} expects ${w[0]} input channels, input ${fmt(x)} has ${x[1]}`, ["input", 1]);
    }
    const n = x.length - 2;
    const kernel = kernelOf(ctx, w);
    const strides = list(ctx.attrs, "strides", n, 1);
    const dilations = list(ctx.attrs, "dilations", n, 1);
    const pads = list(ctx.attrs, "pads", 2 * n, 0);
    const outPad = list(ctx.attrs, "output_padding", n, 0);
    const explicit = ctx.attrs.ints("output_shape");
    const spatial: number[] = [];
    for (let i = 0; i < n; i++) {
      const size =
        explicit?.[explicit.length - n + i] ??
        (strides[i] ?? 1) * ((x[i + 2] as number) - 1) +
          (outPad[i] ?? 0) +
          ((kernel[i] as number) - 1) * (dilations[i] ?? 1) +
          1 -
          (pads[i] ?? 0) -
          (pads[i + n] ?? 0);
      if (!(size >= 1)) ctx.fail(`output spatial dim ${i} would be ${size}`, ["attribute"], "≥ 1", String(size));
      spatial.push(size);
    }
    return [{ shape: [x[0] as number, (w[1] as number) * group, ...spatial], elemType: ctx.typeOf(0) }];
  },
  flops: (ctx) => 2 * numel(ctx.shape(0)) * numel(ctx.shape(1).slice(1)),
  saves: "inputs",
  bwdFactor: 2,
};

function pool(kind: "max" | "avg" | "lp"): OpRule {
  return {
    infer(ctx: InferCtx) {
      const x = ctx.shape(0);
      if (x.length < 3) ctx.fail(`input ${fmt(x)} needs [N, C, spatial…]`, ["input", 0], "rank ≥ 3");
      const kernel = ctx.attrs.ints("kernel_shape");
      if (!kernel) ctx.invalid("needs kernel_shape", ["attribute"], "kernel_shape");
      const g = windowGeometry(ctx, x.slice(2), kernel, ctx.attrs.int("ceil_mode", 0) === 1);
      const shape = [x[0] as number, x[1] as number, ...g.outSpatial];
      const outs = [{ shape, elemType: ctx.typeOf(0) }];
      if (kind === "max" && ctx.outputCount > 1) outs.push({ shape, elemType: 7 });
      return outs;
    },
    flops: (ctx, outs) => numel(outs[0]?.shape ?? []) * numel(ctx.attrs.ints("kernel_shape") ?? []),
    saves: kind === "max" ? "inputs" : "none",
    bwdFactor: 1,
  };
}

function globalPool(): OpRule {
  return {
    infer(ctx: InferCtx) {
      const x = ctx.shape(0);
      if (x.length < 3) ctx.fail(`input ${fmt(x)} needs [N, C, spatial…]`, ["input", 0], "rank ≥ 3");
      return [{ shape: [x[0] as number, x[1] as number, ...x.slice(2).map(() => 1)], elemType: ctx.typeOf(0) }];
    },
    flops: (ctx) => numel(ctx.shape(0)),
    saves: "none",
    bwdFactor: 1,
  };
}

export const CONV_POOL_RULES: Readonly<Record<string, OpRule>> = {
  Conv: CONV,
  ConvTranspose: CONV_TRANSPOSE,
  MaxPool: pool("max"),
  AveragePool: pool("avg"),
  LpPool: pool("lp"),
  GlobalAveragePool: globalPool(),
  GlobalMaxPool: globalPool(),
  GlobalLpPool: globalPool(),
};
