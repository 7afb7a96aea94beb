/** Table lookups: embedding (token ids → vectors, optional learned positions) and embedding-bag (DLRM). */
import { formatShape, numel } from "./shape-util.js";
import type { DeriveContext, Derived, KindDef } from "./spec.js";

/**
 * embedding: ids of any shape (normally [seq]) → […, embeddingDim]. Params (numEmbeddings + positions)·dim.
 * A lookup is a copy (0 FLOPs); the learned positional table, when present, adds one vector per token. The
 * backward scatters one gradient row per token into the table (+ the positional gradient): 1 per output
 * element each. Saved: the ids (for the scatter), at their own element size (int64 = 8 bytes).
 */
export const embedding: KindDef = {
  attrNames: ["numEmbeddings", "embeddingDim", "positions"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const num = ctx.attrs.int("numEmbeddings", { min: 1 });
    const dim = ctx.attrs.int("embeddingDim", { min: 1 });
    const positions = ctx.attrs.int("positions", { min: 0, default: 0 });
    if (ctx.attrs.failed) return undefined;
    const ids = ctx.inputShapes[0] ?? [];
    const seq = ids[ids.length - 1] ?? 1;
    if (positions > 0 && (ids.length === 0 || seq > positions)) {
      ctx.shapeMismatch(
        `embedding has ${positions} learned positions but the input holds ${seq} tokens`,
        ["inputs", 0],
        `[seq ≤ ${positions}]`,
        formatShape(ids),
      );
      return undefined;
    }
    const out = numel(ids) * dim;
    const withPos = positions > 0 ? out : 0;
    return {
      outShape: [...ids, dim],
      params: (num + positions) * dim,
      fwdFlops: withPos,
      bwdFlops: out + withPos,
      savedBytes: numel(ids) * (ctx.inputElemBytes[0] ?? 8),
    };
  },
};

/**
 * embedding-bag: [bagSize] ids → [embeddingDim], the sum (or mean) of the bag's rows. Params
 * numEmbeddings·dim. FLOPs bagSize·dim adds (+ dim divides for mean); backward scatters bagSize·dim.
 * Saved: the ids.
 */
export const embeddingBag: KindDef = {
  attrNames: ["numEmbeddings", "embeddingDim", "bagSize", "mode"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const num = ctx.attrs.int("numEmbeddings", { min: 1 });
    const dim = ctx.attrs.int("embeddingDim", { min: 1 });
    const bag = ctx.attrs.int("bagSize", { min: 1 });
    const mode = ctx.attrs.oneOf("mode", ["sum", "mean"], "sum");
    if (ctx.attrs.failed) return undefined;
    const ids = ctx.inputShapes[0] ?? [];
    if (ids.length === 0 || ids[ids.length - 1] !== bag) {
      ctx.shapeMismatch(`embedding-bag expects input [bagSize = ${bag}]`, ["inputs", 0], `[${bag}]`, formatShape(ids));
      return undefined;
    }
    const bags = numel(ids.slice(0, -1));
    return {
      outShape: [...ids.slice(0, -1), dim],
      params: num * dim,
      fwdFlops: bags * (bag * dim + (mode === "mean" ? dim : 0)),
      bwdFlops: bags * bag * dim,
      savedBytes: numel(ids) * (ctx.inputElemBytes[0] ?? 8),
    };
  },
};
