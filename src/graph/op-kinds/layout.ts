/**
 * Layout ops: concat, flatten, reshape, transpose, slice. They move or view data, so they count no FLOPs
 * and save nothing for backward (their gradients are the inverse views). They pass the element size of
 * their input through, so int64 ids stay 8 bytes.
 */
import { formatShape, numel } from "./shape-util.js";
import type { DeriveContext, Derived, KindDef } from "./spec.js";

function moved(ctx: DeriveContext, outShape: readonly number[]): Derived {
  return {
    outShape,
    params: 0,
    fwdFlops: 0,
    bwdFlops: 0,
    savedBytes: 0,
    outElemBytes: ctx.inputElemBytes[0] ?? ctx.elemBytes,
  };
}

/** Normalises a possibly negative axis; undefined (and an issue) when outside the rank. */
function axisOf(ctx: DeriveContext, kind: string, axis: number, rank: number): number | undefined {
  if (axis < -rank || axis >= rank) {
    ctx.shapeMismatch(
      `${kind} axis ${axis} is outside the input's ${rank} dimensions`,
      ["attrs", "axis"],
      `-${rank} ≤ axis < ${rank}`,
      String(axis),
    );
    return undefined;
  }
  return axis < 0 ? axis + rank : axis;
}

/** concat {axis}: every input has the same rank and the same dimensions except along `axis`. */
export const concat: KindDef = {
  attrNames: ["axis"],
  minInputs: 1,
  maxInputs: Number.POSITIVE_INFINITY,
  derive(ctx: DeriveContext): Derived | undefined {
    const axisAttr = ctx.attrs.int("axis", { min: Number.MIN_SAFE_INTEGER });
    if (ctx.attrs.failed) return undefined;
    const first = ctx.inputShapes[0] ?? [];
    const axis = axisOf(ctx, "concat", axisAttr, first.length);
    if (axis === undefined) return undefined;
    let total = 0;
    for (const [i, x] of ctx.inputShapes.entries()) {
      const fits = x.length === first.length && x.every((d, j) => j === axis || d === first[j]);
      if (!fits) {
        ctx.shapeMismatch(
          `concat input ${i} does not match input 0 outside axis ${axis}`,
          ["inputs", i],
          formatShape(first.map((d, j) => (j === axis ? -1 : d))).replace("-1", "*"),
          formatShape(x),
        );
        return undefined;
      }
      total += x[axis]!;
    }
    return moved(
      ctx,
      first.map((d, j) => (j === axis ? total : d)),
    );
  },
};

/** flatten: the whole sample to one dimension. */
export const flatten: KindDef = {
  attrNames: [],
  minInputs: 1,
  maxInputs: 1,
  derive: (ctx) => moved(ctx, [numel(ctx.inputShapes[0] ?? [])]),
};

/** reshape {shape}: same element count; one entry may be −1 (inferred). */
export const reshape: KindDef = {
  attrNames: ["shape"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const shape = ctx.attrs.ints("shape", {});
    if (ctx.attrs.failed) return undefined;
    const n = numel(ctx.inputShapes[0] ?? []);
    const free = shape.filter((d) => d === -1).length;
    const known = numel(shape.filter((d) => d !== -1));
    const bad = free > 1 || shape.some((d) => d < -1 || d === 0) || (free === 0 ? known !== n : n % known !== 0);
    if (bad) {
      ctx.shapeMismatch(
        `reshape to ${formatShape(shape)} does not keep ${n} elements`,
        ["attrs", "shape"],
        `a shape with ${n} elements (at most one −1)`,
        formatShape(shape),
      );
      return undefined;
    }
    return moved(
      ctx,
      shape.map((d) => (d === -1 ? n / known : d)),
    );
  },
};

/** transpose {perm}: a permutation of the sample's dimensions. */
export const transpose: KindDef = {
  attrNames: ["perm"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const perm = ctx.attrs.ints("perm", {});
    if (ctx.attrs.failed) return undefined;
    const x = ctx.inputShapes[0] ?? [];
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x.length || sorted.some((v, i) => v !== i)) {
      ctx.shapeMismatch(
        `transpose perm ${formatShape(perm)} is not a permutation of ${x.length} dimensions`,
        ["attrs", "perm"],
        `a permutation of 0…${x.length - 1}`,
        formatShape(perm),
      );
      return undefined;
    }
    return moved(
      ctx,
      perm.map((p) => x[p]!),
    );
  },
};

/**
 * slice {axis, start, end}: Python slicing semantics (negative indices count from the end, `end` is clamped
 * to the dimension, as `x[start:end]` does in torch); the result must not be empty.
 */
export const slice: KindDef = {
  attrNames: ["axis", "start", "end"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const any = { min: Number.MIN_SAFE_INTEGER };
    const axisAttr = ctx.attrs.int("axis", any);
    const start = ctx.attrs.int("start", any);
    const end = ctx.attrs.int("end", any);
    if (ctx.attrs.failed) return undefined;
    const x = ctx.inputShapes[0] ?? [];
    const axis = axisOf(ctx, "slice", axisAttr, x.length);
    if (axis === undefined) return undefined;
    const dim = x[axis]!;
    const clamp = (v: number) => Math.min(dim, Math.max(0, v < 0 ? v + dim : v));
    const len = clamp(end) - clamp(start);
    if (len <= 0) {
      ctx.shapeMismatch(
        `slice [${start}:${end}] of a dimension of ${dim} is empty`,
        ["attrs", "end"],
        `start < end within ${dim}`,
        `${start}:${end}`,
      );
      return undefined;
    }
    return moved(
      ctx,
      x.map((d, j) => (j === axis ? len : d)),
    );
  },
};
