/** Normalisations: layernorm and rmsnorm over the last dimension, batchnorm over channels (dimension 0). */
import { formatShape, numel } from "./shape-util.js";
import type { DeriveContext, Derived, KindDef } from "./spec.js";

/**
 * FLOPs per element. layernorm: mean, subtract, square, variance sum, normalise, scale, shift = 7;
 * rmsnorm drops the mean and the shift (square, sum, normalise, scale) = 4; batchnorm as layernorm.
 * These ops have weights, so backward ≈ 2× (input gradient + the per-feature weight gradients).
 * Saved: torch keeps the input (and per-row mean / reciprocal std, negligible beside it).
 */
const FWD_FLOPS_PER_ELEM = { layernorm: 7, rmsnorm: 4, batchnorm: 7 } as const;

function lastDimNorm(kind: "layernorm" | "rmsnorm"): KindDef {
  return {
    attrNames: ["features", "eps"],
    minInputs: 1,
    maxInputs: 1,
    derive(ctx: DeriveContext): Derived | undefined {
      const features = ctx.attrs.int("features", { min: 1 });
      ctx.attrs.num("eps", { min: 0, default: 1e-5 });
      if (ctx.attrs.failed) return undefined;
      const x = ctx.inputShapes[0] ?? [];
      if (x.length === 0 || x[x.length - 1] !== features) {
        ctx.shapeMismatch(
          `${kind} expects its input's last dimension to be features = ${features}`,
          ["inputs", 0],
          `[…, ${features}]`,
          formatShape(x),
        );
        return undefined;
      }
      const n = numel(x);
      const f = FWD_FLOPS_PER_ELEM[kind];
      return {
        outShape: [...x],
        params: (kind === "layernorm" ? 2 : 1) * features,
        fwdFlops: f * n,
        bwdFlops: 2 * f * n,
        savedBytes: n * (ctx.inputElemBytes[0] ?? ctx.elemBytes),
      };
    },
  };
}

export const layernorm = lastDimNorm("layernorm");
export const rmsnorm = lastDimNorm("rmsnorm");

/** batchnorm over dimension 0 (channels of [C, H, W] or features of [C] / [C, L]); running stats are buffers. */
export const batchnorm: KindDef = {
  attrNames: ["features", "eps", "momentum"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const features = ctx.attrs.int("features", { min: 1 });
    ctx.attrs.num("eps", { min: 0, default: 1e-5 });
    ctx.attrs.num("momentum", { min: 0, default: 0.1 });
    if (ctx.attrs.failed) return undefined;
    const x = ctx.inputShapes[0] ?? [];
    if (x.length === 0 || x[0] !== features) {
      ctx.shapeMismatch(
        `batchnorm expects its input's first dimension to be features = ${features}`,
        ["inputs", 0],
        `[${features}, …]`,
        formatShape(x),
      );
      return undefined;
    }
    const n = numel(x);
    const f = FWD_FLOPS_PER_ELEM.batchnorm;
    return {
      outShape: [...x],
      params: 2 * features,
      fwdFlops: f * n,
      bwdFlops: 2 * f * n,
      savedBytes: n * (ctx.inputElemBytes[0] ?? ctx.elemBytes),
    };
  },
};
