/** Matrix products, normalizations, softmax and reductions. */
import { ONNX_INT64 } from "../tensor-types.js";
import { broadcast, fmt, type InferCtx, numel, type OpRule, type RuleOut } from "./context.js";

/** The three sizes of a (batched) matrix product and the output shape, with NumPy's 1-D promotion. */
export function matmulDims(
  ctx: InferCtx,
  a: readonly number[],
  b: readonly number[],
): { m: number; k: number; n: number; batch: number; shape: number[] } {
  if (a.length === 0 || b.length === 0) ctx.fail("inputs must not be scalars", ["input"], "rank ≥ 1", "rank 0");
  const a2 = a.length === 1 ? [1, a[0] as number] : a;
  const b2 = b.length === 1 ? [b[0] as number, 1] : b;
  const m = a2[a2.length - 2] as number;
  const k = a2[a2.length - 1] as number;
  const k2 = b2[b2.length - 2] as number;
  const n = b2[b2.length - 1] as number;
  if (k !== k2) {
    ctx.fail(`inner dimensions differ: ${fmt(a)} × ${fmt(b)}`, ["input", 1], `[…, ${k}, N]`, fmt(b));
  }
  const batchShape = broadcast(a2.slice(0, -2), b2.slice(0, -2));
  if (!batchShape) ctx.fail(`batch dimensions of ${fmt(a)} and ${fmt(b)} do not broadcast`, ["input", 1]);
  const shape = [...batchShape, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])];
  return { m, k, n, batch: numel(batchShape), shape };
}

const MATMUL: OpRule = {
  infer(ctx: InferCtx) {
    return [{ shape: matmulDims(ctx, ctx.shape(0), ctx.shape(1)).shape, elemType: ctx.typeOf(0) }];
  },
  flops(ctx) {
    const d = matmulDims(ctx, ctx.shape(0), ctx.shape(1));
    return 2 * d.batch * d.m * d.n * d.k;
  },
  saves: "inputs",
  bwdFactor: 2,
};

function gemmDims(ctx: InferCtx): { m: number; k: number; n: number } {
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (a.length !== 2 || b.length !== 2) {
    ctx.fail(`Gemm takes 2-D inputs, got ${fmt(a)} and ${fmt(b)}`, ["input"], "rank 2");
  }
  const ta = ctx.attrs.int("transA", 0) === 1;
  const tb = ctx.attrs.int("transB", 0) === 1;
  const [m, k] = ta ? [a[1] as number, a[0] as number] : [a[0] as number, a[1] as number];
  const [k2, n] = tb ? [b[1] as number, b[0] as number] : [b[0] as number, b[1] as number];
  if (k !== k2) {
    ctx.fail(
      `inner dimensions differ: A ${fmt(a)}${ta ? "ᵀ" : ""} × B ${fmt(b)}${tb ? "ᵀ" : ""}`,
      ["input", 1],
      String(k),
      String(k2),
    );
  }
  return { m, k, n };
}

const GEMM: OpRule = {
  infer(ctx: InferCtx) {
    const { m, n } = gemmDims(ctx);
    if (ctx.has(2) && !broadcast(ctx.shape(2), [m, n])?.every((d, i) => d === [m, n][i])) {
      ctx.fail(`C ${fmt(ctx.shape(2))} does not broadcast to [${m}, ${n}]`, ["input", 2], `[${m}, ${n}]`);
    }
    return [{ shape: [m, n], elemType: ctx.typeOf(0) }];
  },
  flops(ctx) {
    const { m, k, n } = gemmDims(ctx);
    return 2 * m * n * k + (ctx.has(2) ? m * n : 0);
  },
  saves: "inputs",
  bwdFactor: 2,
};

function checkPerChannel(ctx: InferCtx, from: number, to: number, channels: number): void {
  for (let i = from; i <= to; i++) {
    if (ctx.has(i) && fmt(ctx.shape(i)) !== fmt([channels])) {
      ctx.fail(`input ${i} ${fmt(ctx.shape(i))} must be [${channels}]`, ["input", i], `[${channels}]`);
    }
  }
}

const BATCH_NORM: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    if (x.length < 2) ctx.fail(`input ${fmt(x)} needs [N, C, …]`, ["input", 0], "rank ≥ 2");
    const c = x[1] as number;
    checkPerChannel(ctx, 1, 4, c);
    const outs: RuleOut[] = [{ shape: x, elemType: ctx.typeOf(0) }];
    for (let i = 1; i < ctx.outputCount; i++) outs.push({ shape: [c], elemType: ctx.typeOf(0) });
    return outs;
  },
  // Training: mean, variance, normalize, scale and shift.
  flops: (ctx) => 5 * numel(ctx.shape(0)),
  saves: "inputs",
  bwdFactor: 1,
};

function normOverTrailing(axisDefault: number, flopsPerElem: number): OpRule {
  return {
    infer(ctx: InferCtx) {
      const x = ctx.shape(0);
      const axis = ctx.axis(ctx.attrs.int("axis", axisDefault), x.length, ctx.attrs.where("axis"));
      const normShape = x.slice(axis);
      for (const i of [1, 2]) {
        if (ctx.has(i) && !broadcast(ctx.shape(i), normShape)?.every((d, j) => d === normShape[j])) {
          ctx.fail(`input ${i} ${fmt(ctx.shape(i))} does not fit normalized shape ${fmt(normShape)}`, ["input", i]);
        }
      }
      const outs: RuleOut[] = [{ shape: x, elemType: ctx.typeOf(0) }];
      const stat = [...x.slice(0, axis), ...normShape.map(() => 1)];
      for (let i = 1; i < ctx.outputCount; i++) outs.push({ shape: stat, elemType: ctx.typeOf(0) });
      return outs;
    },
    flops: (ctx) => flopsPerElem * numel(ctx.shape(0)),
    saves: "inputs",
    bwdFactor: 1,
  };
}

const CHANNEL_NORM: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    if (x.length < 2) ctx.fail(`input ${fmt(x)} needs [N, C, …]`, ["input", 0], "rank ≥ 2");
    return [{ shape: x, elemType: ctx.typeOf(0) }];
  },
  flops: (ctx) => 5 * numel(ctx.shape(0)),
  saves: "inputs",
  bwdFactor: 1,
};

function softmaxLike(flopsPerElem: number): OpRule {
  return {
    infer(ctx: InferCtx) {
      const x = ctx.shape(0);
      ctx.axis(ctx.attrs.int("axis", ctx.opset >= 13 ? -1 : 1), x.length, ctx.attrs.where("axis"));
      return [{ shape: x, elemType: ctx.typeOf(0) }];
    },
    flops: (ctx) => flopsPerElem * numel(ctx.shape(0)),
    saves: "output",
    bwdFactor: 1,
  };
}

/** Axes of a Reduce* node: from the attribute (older opsets) or the second input (newer ones). */
function reduceAxes(ctx: InferCtx, rank: number): readonly number[] {
  const fromInput = ctx.has(1) ? ctx.requireValues(1) : undefined;
  const raw = fromInput ?? ctx.attrs.ints("axes") ?? [];
  if (raw.length === 0) {
    return ctx.attrs.int("noop_with_empty_axes", 0) === 1 ? [] : Array.from({ length: rank }, (_, i) => i);
  }
  const where = fromInput ? ["input", 1] : ctx.attrs.where("axes");
  return raw.map((a) => ctx.axis(a, rank, where));
}

function reduce(perElem: number, saves: OpRule["saves"], outType?: number): OpRule {
  return {
    infer(ctx: InferCtx) {
      const x = ctx.shape(0);
      const single = ctx.attrs.has("axis");
      const axes = single
        ? [ctx.axis(ctx.attrs.int("axis", 0), x.length, ctx.attrs.where("axis"))]
        : reduceAxes(ctx, x.length);
      const keep = ctx.attrs.int("keepdims", 1) === 1;
      const shape: number[] = [];
      x.forEach((d, i) => {
        if (!axes.includes(i)) shape.push(d);
        else if (keep) shape.push(1);
      });
      return [{ shape, elemType: outType ?? ctx.typeOf(0) }];
    },
    flops: (ctx) => perElem * numel(ctx.shape(0)),
    saves,
    bwdFactor: 1,
  };
}

const SAME_SHAPE: OpRule = {
  infer: (ctx: InferCtx) => [{ shape: ctx.shape(0), elemType: ctx.typeOf(0) }],
  flops: (ctx) => numel(ctx.shape(0)),
  saves: "none",
  bwdFactor: 1,
};

export const DENSE_RULES: Readonly<Record<string, OpRule>> = {
  MatMul: MATMUL,
  Gemm: GEMM,
  BatchNormalization: BATCH_NORM,
  LayerNormalization: normOverTrailing(-1, 5),
  SimplifiedLayerNormalization: normOverTrailing(-1, 4),
  RMSNormalization: normOverTrailing(-1, 4),
  InstanceNormalization: CHANNEL_NORM,
  GroupNormalization: CHANNEL_NORM,
  LRN: CHANNEL_NORM,
  Softmax: softmaxLike(4),
  LogSoftmax: softmaxLike(4),
  Hardmax: softmaxLike(2),
  ReduceMean: reduce(1, "none"),
  ReduceSum: reduce(1, "none"),
  ReduceMax: reduce(1, "inputs"),
  ReduceMin: reduce(1, "inputs"),
  ReduceProd: reduce(1, "inputs"),
  ReduceL1: reduce(2, "inputs"),
  ReduceL2: reduce(2, "inputs"),
  ReduceSumSquare: reduce(2, "inputs"),
  ReduceLogSum: reduce(2, "inputs"),
  ReduceLogSumExp: reduce(3, "inputs"),
  ArgMax: reduce(1, "none", ONNX_INT64),
  ArgMin: reduce(1, "none", ONNX_INT64),
  CumSum: SAME_SHAPE,
  Trilu: { ...SAME_SHAPE, flops: () => 0 },
};
