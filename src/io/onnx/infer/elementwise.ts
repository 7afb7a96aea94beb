/**
 * Element-wise operators: unary ones keep the shape, n-ary ones broadcast (NumPy rules). Small constant
 * inputs are folded to values, because exported shape arithmetic (Shape → Gather → Mul → Concat → Reshape)
 * runs through these same operators.
 */
import { VALUE_LIMIT } from "../const-tensor.js";
import { isFloatType, ONNX_BOOL, ONNX_FLOAT } from "../tensor-types.js";
import { broadcast, broadcastValues, fmt, type InferCtx, numel, type OpRule, type RuleOut } from "./context.js";

function sameShape(ctx: InferCtx, fn?: (x: number) => number, outType?: number): RuleOut[] {
  const shape = ctx.shape(0);
  const type = outType ?? ctx.typeOf(0);
  const v = ctx.values(0);
  return [{ shape, elemType: type, ...(fn && v ? { values: v.map(fn) } : {}) }];
}

/** A unary operator costing `perElem` FLOPs per element. */
function unary(perElem: number, saves: OpRule["saves"], fn?: (x: number) => number): OpRule {
  return {
    infer: (ctx: InferCtx) => sameShape(ctx, fn),
    flops: (_ctx, outs) => perElem * numel(outs[0]?.shape ?? []),
    saves,
    bwdFactor: 1,
  };
}

function truncIfInt(type: number, x: number): number {
  return isFloatType(type) ? x : Math.trunc(x);
}

/** Broadcasting n-ary operator; `fn` folds values when every input is a known constant. */
function nary(opts: {
  perElem: number;
  saves: OpRule["saves"];
  fn?: (args: number[], type: number) => number;
  outType?: (ctx: InferCtx) => number;
  minInputs?: number;
}): OpRule {
  return {
    infer(ctx: InferCtx) {
      const n = ctx.inputs.length;
      if (n < (opts.minInputs ?? 2)) {
        ctx.fail(`needs at least ${opts.minInputs ?? 2} inputs`, ["input"], String(opts.minInputs ?? 2), String(n));
      }
      let shape: readonly number[] = ctx.shape(0);
      for (let i = 1; i < n; i++) {
        const next = broadcast(shape, ctx.shape(i));
        if (!next) {
          ctx.fail(`input shapes ${fmt(shape)} and ${fmt(ctx.shape(i))} do not broadcast`, ["input", i]);
        }
        shape = next;
      }
      const type = opts.outType ? opts.outType(ctx) : ctx.typeOf(0);
      const inType = ctx.typeOf(0);
      const all = ctx.inputs.map((t) => t?.values);
      if (opts.fn && numel(shape) <= VALUE_LIMIT && all.every((v) => v !== undefined)) {
        const fn = opts.fn;
        const values = broadcastValues(
          ctx.inputs.map((t) => ({ shape: t?.shape ?? [], values: t?.values ?? [] })),
          shape,
          (args) => fn(args, inType),
        );
        return [{ shape, elemType: type, values }];
      }
      return [{ shape, elemType: type }];
    },
    flops: (ctx, outs) => opts.perElem * Math.max(0, ctx.inputs.length - 1) * numel(outs[0]?.shape ?? []),
    saves: opts.saves,
    bwdFactor: 1,
  };
}

const bool = () => ONNX_BOOL;
const b = (x: boolean) => (x ? 1 : 0);

export const ELEMENTWISE_RULES: Readonly<Record<string, OpRule>> = {
  Add: nary({ perElem: 1, saves: "none", fn: ([x, y]) => (x as number) + (y as number) }),
  Sub: nary({ perElem: 1, saves: "none", fn: ([x, y]) => (x as number) - (y as number) }),
  Mul: nary({ perElem: 1, saves: "inputs", fn: ([x, y]) => (x as number) * (y as number) }),
  Div: nary({ perElem: 1, saves: "inputs", fn: ([x, y], t) => truncIfInt(t, (x as number) / (y as number)) }),
  Mod: nary({ perElem: 1, saves: "none", fn: ([x, y]) => (x as number) % (y as number) }),
  Pow: nary({ perElem: 1, saves: "inputs", fn: ([x, y]) => (x as number) ** (y as number) }),
  Max: nary({ perElem: 1, saves: "inputs", minInputs: 1, fn: (a) => Math.max(...a) }),
  Min: nary({ perElem: 1, saves: "inputs", minInputs: 1, fn: (a) => Math.min(...a) }),
  Sum: nary({ perElem: 1, saves: "none", minInputs: 1, fn: (a) => a.reduce((s, x) => s + x, 0) }),
  Mean: nary({ perElem: 1, saves: "none", minInputs: 1, fn: (a) => a.reduce((s, x) => s + x, 0) / a.length }),
  PRelu: nary({ perElem: 1, saves: "inputs" }),
  Equal: nary({ perElem: 1, saves: "none", outType: bool, fn: ([x, y]) => b(x === y) }),
  Less: nary({ perElem: 1, saves: "none", outType: bool, fn: ([x, y]) => b((x as number) < (y as number)) }),
  LessOrEqual: nary({ perElem: 1, saves: "none", outType: bool, fn: ([x, y]) => b((x as number) <= (y as number)) }),
  Greater: nary({ perElem: 1, saves: "none", outType: bool, fn: ([x, y]) => b((x as number) > (y as number)) }),
  GreaterOrEqual: nary({
    perElem: 1,
    saves: "none",
    outType: bool,
    fn: ([x, y]) => b((x as number) >= (y as number)),
  }),
  And: nary({ perElem: 1, saves: "none", outType: bool, fn: ([x, y]) => b(Boolean(x) && Boolean(y)) }),
  Or: nary({ perElem: 1, saves: "none", outType: bool, fn: ([x, y]) => b(Boolean(x) || Boolean(y)) }),
  Xor: nary({ perElem: 1, saves: "none", outType: bool, fn: ([x, y]) => b(Boolean(x) !== Boolean(y)) }),
  Where: nary({
    perElem: 1,
    saves: "inputs",
    minInputs: 3,
    outType: (ctx) => ctx.typeOf(1),
    fn: ([c, x, y]) => (c ? (x as number) : (y as number)),
  }),

  Relu: unary(1, "output", (x) => Math.max(0, x)),
  LeakyRelu: unary(2, "inputs"),
  Elu: unary(3, "output"),
  Selu: unary(3, "inputs"),
  Celu: unary(3, "inputs"),
  ThresholdedRelu: unary(1, "inputs"),
  Sigmoid: unary(4, "output"),
  HardSigmoid: unary(3, "inputs"),
  HardSwish: unary(4, "inputs"),
  Tanh: unary(5, "output"),
  Softplus: unary(3, "inputs"),
  Softsign: unary(3, "inputs"),
  Mish: unary(8, "inputs"),
  Gelu: unary(8, "inputs"),
  Erf: unary(5, "inputs"),
  Exp: unary(1, "output", Math.exp),
  Log: unary(1, "inputs", Math.log),
  Sqrt: unary(1, "output", Math.sqrt),
  Reciprocal: unary(1, "output", (x) => 1 / x),
  Neg: unary(1, "none", (x) => -x),
  Abs: unary(1, "inputs", Math.abs),
  Sign: unary(1, "none", Math.sign),
  Floor: unary(1, "none", Math.floor),
  Ceil: unary(1, "none", Math.ceil),
  Round: unary(1, "none", Math.round),
  Sin: unary(1, "inputs", Math.sin),
  Cos: unary(1, "inputs", Math.cos),
  Not: { infer: (ctx: InferCtx) => sameShape(ctx, (x) => b(!x), ONNX_BOOL), saves: "none" },
  IsNaN: { infer: (ctx: InferCtx) => sameShape(ctx, (x) => b(Number.isNaN(x)), ONNX_BOOL), saves: "none" },
  IsInf: { infer: (ctx: InferCtx) => sameShape(ctx, (x) => b(!Number.isFinite(x) && !Number.isNaN(x)), ONNX_BOOL) },
  Identity: { infer: (ctx: InferCtx) => sameShape(ctx, (x) => x), saves: "none" },
  Cast: {
    infer(ctx: InferCtx) {
      const to = ctx.attrs.int("to", ONNX_FLOAT);
      return sameShape(ctx, (x) => (to === ONNX_BOOL ? b(x !== 0) : truncIfInt(to, x)), to);
    },
    saves: "none",
  },
  CastLike: {
    infer: (ctx: InferCtx) => sameShape(ctx, (x) => truncIfInt(ctx.typeOf(1), x), ctx.typeOf(1)),
    saves: "none",
  },
  Clip: {
    infer(ctx: InferCtx) {
      const lo = ctx.values(1)?.[0] ?? ctx.attrs.float("min", Number.NEGATIVE_INFINITY);
      const hi = ctx.values(2)?.[0] ?? ctx.attrs.float("max", Number.POSITIVE_INFINITY);
      return sameShape(ctx, (x) => Math.min(hi, Math.max(lo, x)));
    },
    flops: (_ctx, outs) => 2 * numel(outs[0]?.shape ?? []),
    saves: "inputs",
    bwdFactor: 1,
  },
  Dropout: {
    infer(ctx: InferCtx) {
      const shape = ctx.shape(0);
      const outs: RuleOut[] = [{ shape, elemType: ctx.typeOf(0) }];
      if (ctx.outputCount > 1) outs.push({ shape, elemType: ONNX_BOOL });
      return outs;
    },
    flops: (_ctx, outs) => numel(outs[0]?.shape ?? []),
    saves: "none",
    bwdFactor: 1,
  },
};
