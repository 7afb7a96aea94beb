/**
 * Layout operators (reshape, transpose, concat, slice, gather, expand, pad, resize, …). Values of small
 * constants are folded (exported graphs compute their Reshape targets with `Shape → Gather → Concat`, and
 * those chains run through these same operators).
 */
import { VALUE_LIMIT } from "../const-tensor.js";
import { broadcast, broadcastValues, fmt, type InferCtx, numel, type OpRule, type RuleOut } from "./context.js";

function stridesOf(shape: readonly number[]): number[] {
  const s: number[] = new Array(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d] as number;
  }
  return s;
}

/** Values of an output built by mapping each output multi-index to an input offset (small tensors only). */
function gatherValues(
  outShape: readonly number[],
  offsetOf: (idx: readonly number[]) => number,
  src: readonly number[],
) {
  const total = numel(outShape);
  const out: number[] = new Array(total);
  const idx: number[] = new Array(outShape.length).fill(0);
  for (let k = 0; k < total; k++) {
    out[k] = src[offsetOf(idx)] as number;
    for (let d = outShape.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (outShape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}

function small(shape: readonly number[]): boolean {
  return numel(shape) <= VALUE_LIMIT;
}

/** Output with the input's values carried over unchanged (reshapes of every kind). */
function reshaped(ctx: InferCtx, shape: readonly number[]): RuleOut[] {
  const v = ctx.values(0);
  return [{ shape, elemType: ctx.typeOf(0), ...(v ? { values: v } : {}) }];
}

function axesFrom(ctx: InferCtx, inputIndex: number, attr: string): readonly number[] | undefined {
  return ctx.has(inputIndex) ? ctx.requireValues(inputIndex) : ctx.attrs.ints(attr);
}

const RESHAPE: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const target = ctx.has(1) ? ctx.requireValues(1) : ctx.attrs.ints("shape");
    if (!target) ctx.invalid("needs a target shape", ["input", 1], "shape");
    const allowZero = ctx.attrs.int("allowzero", 0) === 1;
    const out = target.map((d, i) => (d === 0 && !allowZero ? (x[i] ?? Number.NaN) : d));
    const minus = out.filter((d) => d === -1).length;
    const bad = out.find((d) => !Number.isInteger(d) || d < -1);
    if (minus > 1 || bad !== undefined) {
      ctx.invalid(
        `target shape ${fmt(target)} is not valid for ${fmt(x)}`,
        ["input", 1],
        "one -1 at most",
        fmt(target),
      );
    }
    const known = numel(out.filter((d) => d !== -1));
    const total = numel(x);
    if (minus === 1) {
      if (known === 0 || total % known !== 0) {
        ctx.fail(
          `cannot reshape ${fmt(x)} (${total} elements) to ${fmt(target)}`,
          ["input", 1],
          undefined,
          fmt(target),
        );
      }
      out[out.indexOf(-1)] = total / known;
    } else if (known !== total) {
      ctx.fail(`cannot reshape ${fmt(x)} (${total} elements) to ${fmt(target)}`, ["input", 1], undefined, fmt(target));
    }
    return reshaped(ctx, out);
  },
  saves: "none",
};

const FLATTEN: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const axis = ctx.axis(ctx.attrs.int("axis", 1), x.length + 1, ctx.attrs.where("axis"));
    return reshaped(ctx, [numel(x.slice(0, axis)), numel(x.slice(axis))]);
  },
  saves: "none",
};

export function transposePerm(ctx: InferCtx, rank: number): readonly number[] {
  const perm = ctx.attrs.ints("perm") ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    ctx.invalid(`perm ${fmt(perm)} is not a permutation of ${rank} axes`, ctx.attrs.where("perm"), `0..${rank - 1}`);
  }
  return perm;
}

const TRANSPOSE: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const perm = transposePerm(ctx, x.length);
    const shape = perm.map((p) => x[p] as number);
    const v = ctx.values(0);
    if (!v) return [{ shape, elemType: ctx.typeOf(0) }];
    const s = stridesOf(x);
    const values = gatherValues(
      shape,
      (idx) => idx.reduce((o, i, d) => o + i * (s[perm[d] as number] as number), 0),
      v,
    );
    return [{ shape, elemType: ctx.typeOf(0), values }];
  },
  saves: "none",
};

const SQUEEZE: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const raw = axesFrom(ctx, 1, "axes");
    const where = ctx.has(1) ? ["input", 1] : ctx.attrs.where("axes");
    const axes = raw ? raw.map((a) => ctx.axis(a, x.length, where)) : x.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const a of axes) {
      if (x[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${x[a]} in ${fmt(x)}`, where, "size 1", String(x[a]));
    }
    return reshaped(
      ctx,
      x.filter((_, i) => !axes.includes(i)),
    );
  },
  saves: "none",
};

const UNSQUEEZE: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const raw = axesFrom(ctx, 1, "axes");
    if (!raw) ctx.invalid("needs axes", ["attribute"], "axes");
    const rank = x.length + raw.length;
    const where = ctx.has(1) ? ["input", 1] : ctx.attrs.where("axes");
    const axes = raw.map((a) => ctx.axis(a, rank, where));
    if (new Set(axes).size !== axes.length) ctx.invalid(`axes ${fmt(raw)} repeat`, where);
    const out: number[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : (x[j++] as number));
    return reshaped(ctx, out);
  },
  saves: "none",
};

const CONCAT: OpRule = {
  infer(ctx: InferCtx) {
    const n = ctx.inputs.length;
    if (n === 0) ctx.fail("needs at least one input", ["input"]);
    const first = ctx.shape(0);
    const axisAttr = ctx.attrs.int("axis");
    if (axisAttr === undefined) ctx.invalid("needs the axis attribute", ["attribute"], "axis");
    const axis = ctx.axis(axisAttr, first.length, ctx.attrs.where("axis"));
    let size = 0;
    for (let i = 0; i < n; i++) {
      const s = ctx.shape(i);
      const mismatch = s.length !== first.length || s.some((d, j) => j !== axis && d !== first[j]);
      if (mismatch) {
        ctx.fail(`input ${i} ${fmt(s)} does not match ${fmt(first)} outside axis ${axis}`, ["input", i], fmt(first));
      }
      size += s[axis] as number;
    }
    const shape = first.map((d, j) => (j === axis ? size : d));
    const all = ctx.inputs.map((t) => t?.values);
    if (!small(shape) || all.some((v) => v === undefined)) return [{ shape, elemType: ctx.typeOf(0) }];
    // Concatenation along `axis`: blocks of each input's inner size, interleaved per outer index.
    const outer = numel(first.slice(0, axis));
    const values: number[] = [];
    for (let o = 0; o < outer; o++) {
      ctx.inputs.forEach((t, i) => {
        const inner = numel(ctx.shape(i).slice(axis));
        values.push(...(t?.values ?? []).slice(o * inner, (o + 1) * inner));
      });
    }
    return [{ shape, elemType: ctx.typeOf(0), values }];
  },
  saves: "none",
};

const SLICE: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const old = ctx.opset < 10;
    const starts = old ? ctx.attrs.ints("starts") : ctx.requireValues(1);
    const ends = old ? ctx.attrs.ints("ends") : ctx.requireValues(2);
    if (!starts || !ends || starts.length !== ends.length) {
      ctx.invalid("starts and ends must be given with equal lengths", ["input", 1]);
    }
    const axesRaw =
      (old ? ctx.attrs.ints("axes") : ctx.has(3) ? ctx.requireValues(3) : undefined) ?? starts.map((_, i) => i);
    const steps = (!old && ctx.has(4) ? ctx.requireValues(4) : undefined) ?? starts.map(() => 1);
    const begin = x.map(() => 0);
    const step = x.map(() => 1);
    const shape = [...x];
    axesRaw.forEach((a, i) => {
      const axis = ctx.axis(a, x.length, old ? ctx.attrs.where("axes") : ["input", 3]);
      const dim = x[axis] as number;
      const st = steps[i] as number;
      if (st === 0 || !Number.isFinite(st)) ctx.invalid("step 0", ["input", 4], "non-zero", "0");
      let s = starts[i] as number;
      let e = ends[i] as number;
      if (s < 0) s += dim;
      if (e < 0) e += dim;
      if (st > 0) {
        s = Math.min(Math.max(s, 0), dim);
        e = Math.min(Math.max(e, 0), dim);
      } else {
        s = Math.min(Math.max(s, -1), dim - 1);
        e = Math.min(Math.max(e, -1), dim - 1);
      }
      shape[axis] = Math.max(0, Math.ceil((e - s) / st));
      begin[axis] = s;
      step[axis] = st;
    });
    const v = ctx.values(0);
    if (!v) return [{ shape, elemType: ctx.typeOf(0) }];
    const s = stridesOf(x);
    const values = gatherValues(
      shape,
      (idx) => idx.reduce((o, i, d) => o + ((begin[d] as number) + i * (step[d] as number)) * (s[d] as number), 0),
      v,
    );
    return [{ shape, elemType: ctx.typeOf(0), values }];
  },
  saves: "none",
};

/** Sizes of each Split output along the axis. */
export function splitSizes(ctx: InferCtx, dim: number): readonly number[] {
  const given = (ctx.has(1) ? ctx.requireValues(1) : undefined) ?? ctx.attrs.ints("split");
  if (given) {
    const sum = given.reduce((a, b) => a + b, 0);
    if (sum !== dim || given.length !== ctx.outputCount || given.some((d) => d < 0)) {
      ctx.fail(`split ${fmt(given)} does not cover a dimension of ${dim} in ${ctx.outputCount} outputs`, ["input", 1]);
    }
    return given;
  }
  const parts = ctx.attrs.int("num_outputs", ctx.outputCount);
  const chunk = Math.ceil(dim / parts);
  return Array.from({ length: ctx.outputCount }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
}

const SPLIT: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const axis = ctx.axis(ctx.attrs.int("axis", 0), x.length, ctx.attrs.where("axis"));
    const v = ctx.values(0);
    const s = stridesOf(x);
    let begin = 0;
    return splitSizes(ctx, x[axis] as number).map((size) => {
      const shape = x.map((d, i) => (i === axis ? size : d));
      const at = begin;
      begin += size;
      if (!v) return { shape, elemType: ctx.typeOf(0) };
      // Shape arithmetic splits small constants (torch's repeat_interleave): fold each part.
      const offset = (idx: readonly number[]) =>
        idx.reduce((o, i, d) => o + (d === axis ? i + at : i) * (s[d] as number), 0);
      return { shape, elemType: ctx.typeOf(0), values: gatherValues(shape, offset, v) };
    });
  },
  saves: "none",
};

const GATHER: OpRule = {
  infer(ctx: InferCtx) {
    const data = ctx.shape(0);
    const indices = ctx.shape(1);
    const axis = ctx.axis(ctx.attrs.int("axis", 0), data.length, ctx.attrs.where("axis"));
    const dim = data[axis] as number;
    const iv = ctx.values(1);
    const bad = iv?.find((i) => !Number.isInteger(i) || i < -dim || i >= dim);
    if (bad !== undefined) {
      ctx.invalid(`index ${bad} is out of range for axis ${axis} of size ${dim}`, ["input", 1], `[${-dim}, ${dim})`);
    }
    const shape = [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
    const v = ctx.values(0);
    if (!v || !iv || !small(shape)) return [{ shape, elemType: ctx.typeOf(0) }];
    const s = stridesOf(data);
    const iStrides = stridesOf(indices);
    const values = gatherValues(
      shape,
      (idx) => {
        let off = 0;
        for (let d = 0; d < axis; d++) off += (idx[d] as number) * (s[d] as number);
        let ioff = 0;
        for (let d = 0; d < indices.length; d++) ioff += (idx[axis + d] as number) * (iStrides[d] as number);
        let i = iv[ioff] as number;
        if (i < 0) i += dim;
        off += i * (s[axis] as number);
        for (let d = axis + 1; d < data.length; d++) {
          off += (idx[d + indices.length - 1] as number) * (s[d] as number);
        }
        return off;
      },
      v,
    );
    return [{ shape, elemType: ctx.typeOf(0), values }];
  },
  saves: "none",
};

const EXPAND: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const target = ctx.requireValues(1);
    const shape = broadcast(x, target);
    if (!shape) ctx.fail(`cannot expand ${fmt(x)} to ${fmt(target)}`, ["input", 1]);
    const v = ctx.values(0);
    if (!v || !small(shape)) return [{ shape, elemType: ctx.typeOf(0) }];
    return [
      {
        shape,
        elemType: ctx.typeOf(0),
        values: broadcastValues([{ shape: x, values: v }], shape, ([a]) => a as number),
      },
    ];
  },
  saves: "none",
};

const TILE: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const reps = ctx.requireValues(1);
    if (reps.length !== x.length || reps.some((r) => !Number.isInteger(r) || r < 0)) {
      ctx.invalid(`repeats ${fmt(reps)} do not fit ${fmt(x)}`, ["input", 1]);
    }
    return [{ shape: x.map((d, i) => d * (reps[i] as number)), elemType: ctx.typeOf(0) }];
  },
  saves: "none",
};

const PAD: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    const pads = ctx.has(1) ? ctx.requireValues(1) : ctx.attrs.ints("pads");
    if (!pads) ctx.invalid("needs pads", ["input", 1]);
    const axes = ctx.has(3) ? ctx.requireValues(3).map((a) => ctx.axis(a, x.length, ["input", 3])) : x.map((_, i) => i);
    if (pads.length !== 2 * axes.length) {
      ctx.invalid(`pads ${fmt(pads)} need ${2 * axes.length} entries`, ["input", 1], String(2 * axes.length));
    }
    const shape = [...x];
    axes.forEach((a, i) => {
      shape[a] = (x[a] as number) + (pads[i] as number) + (pads[i + axes.length] as number);
      if ((shape[a] as number) < 0) ctx.fail(`padding makes axis ${a} negative`, ["input", 1]);
    });
    return [{ shape, elemType: ctx.typeOf(0) }];
  },
  saves: "none",
};

const RESIZE: OpRule = {
  infer(ctx: InferCtx) {
    const x = ctx.shape(0);
    // Resize-10 and Upsample-9: (X, scales); Resize-11+: (X, roi, scales, sizes); Upsample-7: scales attribute.
    const scalesIndex = ctx.opType === "Upsample" || ctx.opset < 11 ? 1 : 2;
    const sizes = ctx.opType === "Resize" && ctx.opset >= 11 && ctx.has(3) ? ctx.requireValues(3) : undefined;
    const scales = sizes
      ? undefined
      : ctx.has(scalesIndex)
        ? ctx.requireValues(scalesIndex)
        : ctx.attrs.floats("scales");
    const shape = sizes ? [...sizes] : scales ? x.map((d, i) => Math.floor(d * (scales[i] ?? 1))) : undefined;
    if (!shape || shape.length !== x.length)
      ctx.invalid("needs scales or sizes for every axis", ["input", scalesIndex]);
    return [{ shape, elemType: ctx.typeOf(0) }];
  },
  flops: (_ctx, outs) => 4 * numel(outs[0]?.shape ?? []),
  saves: "none",
  bwdFactor: 1,
};

export const LAYOUT_RULES: Readonly<Record<string, OpRule>> = {
  Reshape: RESHAPE,
  Flatten: FLATTEN,
  Transpose: TRANSPOSE,
  Squeeze: SQUEEZE,
  Unsqueeze: UNSQUEEZE,
  Concat: CONCAT,
  Slice: SLICE,
  Split: SPLIT,
  Gather: GATHER,
  Expand: EXPAND,
  Tile: TILE,
  Pad: PAD,
  Resize: RESIZE,
  Upsample: RESIZE,
};
