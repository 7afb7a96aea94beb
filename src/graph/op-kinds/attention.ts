/** Self-attention including its Q, K, V and output projections (grouped-query when kvHeads < heads). */
import { formatShape, leadingRows, numel } from "./shape-util.js";
import type { DeriveContext, Derived, KindDef } from "./spec.js";

/** FLOPs per score element of the softmax (max, subtract, exp, sum, divide) and of its backward. */
const SOFTMAX_FWD_FLOPS = 5;
const SOFTMAX_BWD_FLOPS = 3;

/**
 * attention: in [seq, hidden] → [seq, hidden] (extra leading dims are treated as more sequences).
 * With q = heads·headDim and kv = kvHeads·headDim:
 * - params: hidden·q (Q) + 2·hidden·kv (K, V) + q·hidden (O), + q + 2·kv + hidden biases when `bias`.
 * - forward FLOPs: projections 2·seq·(weights) (+ biases), scores QKᵀ 2·seq²·heads·headDim and A·V the
 *   same (4·seq²·heads·headDim together), the scaled softmax 5 per score (+1 for the causal mask). Scores
 *   are counted in full even when causal: the plain (non-flash) kernels compute the whole square.
 * - backward: 2× every matmul (input and weight / both operand gradients) + 3 per score for the softmax.
 * - saved (what torch autograd keeps for the unfused path): the input x (for the Q/K/V weight gradients),
 *   Q, K, V, the softmax probabilities heads·seq², and the attention output before the O projection.
 * - workspace: the raw scores heads·seq², alive until the softmax has consumed them.
 */
export const attention: KindDef = {
  attrNames: ["hidden", "heads", "headDim", "kvHeads", "causal", "bias"],
  minInputs: 1,
  maxInputs: 1,
  derive(ctx: DeriveContext): Derived | undefined {
    const a = ctx.attrs;
    const hidden = a.int("hidden", { min: 1 });
    const heads = a.int("heads", { min: 1 });
    const headDim = a.int("headDim", { min: 1 });
    const kvHeads = a.int("kvHeads", { min: 1, default: Number.isInteger(heads) ? heads : 1 });
    const causal = a.bool("causal", false);
    const bias = a.bool("bias", true);
    if (a.failed) return undefined;
    if (heads % kvHeads !== 0) {
      ctx.shapeMismatch(
        `attention needs heads (${heads}) to be a multiple of kvHeads (${kvHeads})`,
        ["attrs", "kvHeads"],
        `a divisor of ${heads}`,
        String(kvHeads),
      );
      return undefined;
    }
    const x = ctx.inputShapes[0] ?? [];
    if (x.length < 2 || x[x.length - 1] !== hidden) {
      ctx.shapeMismatch(
        `attention expects input [seq, hidden = ${hidden}]`,
        ["inputs", 0],
        `[seq, ${hidden}]`,
        formatShape(x),
      );
      return undefined;
    }
    const seq = x[x.length - 2] as number;
    const seqs = leadingRows(x, 2);
    const q = heads * headDim;
    const kv = kvHeads * headDim;
    const weights = hidden * q + 2 * hidden * kv + q * hidden;
    const biases = bias ? q + 2 * kv + hidden : 0;
    const tokens = seqs * seq;
    const scores = seqs * heads * seq * seq;
    const projMacs = tokens * weights;
    const coreMacs = 2 * scores * headDim;
    const eb = ctx.elemBytes;
    return {
      outShape: [...x],
      params: weights + biases,
      fwdFlops: 2 * (projMacs + coreMacs) + tokens * biases + scores * (SOFTMAX_FWD_FLOPS + (causal ? 1 : 0)),
      bwdFlops: 4 * (projMacs + coreMacs) + tokens * biases + scores * SOFTMAX_BWD_FLOPS,
      savedBytes: numel(x) * (ctx.inputElemBytes[0] ?? eb) + tokens * (q + 2 * kv + q) * eb + scores * eb,
      workspaceBytes: scores * eb,
    };
  },
};
