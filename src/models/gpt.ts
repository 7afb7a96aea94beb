/**
 * gpt: a decoder-only transformer (GPT-2/3 by default; Llama-style with --norm rmsnorm --mlp swiglu
 * --kv-heads 8 --positions none --no-tied-embeddings --no-bias). Defaults are GPT-2 small (124 M).
 */
import type { Dtype } from "../graph/types.js";
import { bool, choice, flag, int, num, str } from "./option-helpers.js";
import { DTYPE_OPTION, type ModelEntry, type OptionValues } from "./options.js";
import { buildTransformer, type MlpKind, type NormKind } from "./transformer.js";

/** Llama's FFN width for a given hidden size: ⅔·4·hidden rounded up to a multiple of 256. */
export function swigluFfn(hidden: number): number {
  return Math.ceil((8 * hidden) / 3 / 256) * 256;
}

export const gpt: ModelEntry = {
  name: "gpt",
  description: "decoder-only transformer (GPT-2/3; Llama-style with rmsnorm, swiglu, kv-heads)",
  options: [
    int("layers", 12, "transformer layers"),
    int("hidden", 768, "model width"),
    int("heads", 12, "attention heads"),
    int("kvHeads", 0, "key/value heads (grouped-query attention)", 0, "heads"),
    int("seq", 1024, "sequence length (tokens per sample)"),
    int("vocab", 50257, "vocabulary size"),
    int("ffn", 0, "MLP width", 0, "4·hidden (swiglu: ⅔ of that, to 256)"),
    choice("mlp", ["gelu", "swiglu"], "gelu", "MLP type"),
    choice("norm", ["layernorm", "rmsnorm"], "layernorm", "normalisation"),
    choice("positions", ["learned", "none"], "learned", "learned positional table, or none (rotary)"),
    bool("tiedEmbeddings", true, "output projection shares the token embedding"),
    bool("bias", true, "biases in attention and MLP linears"),
    DTYPE_OPTION,
  ],
  build(v: OptionValues) {
    const mlp = str<MlpKind>(v, "mlp");
    const hidden = num(v, "hidden");
    const ffn = num(v, "ffn") || (mlp === "swiglu" ? swigluFfn(hidden) : 4 * hidden);
    return buildTransformer({
      name: "gpt",
      layers: num(v, "layers"),
      hidden,
      heads: num(v, "heads"),
      kvHeads: num(v, "kvHeads") || num(v, "heads"),
      seq: num(v, "seq"),
      vocab: num(v, "vocab"),
      ffn,
      mlp,
      norm: str<NormKind>(v, "norm"),
      positions: str<"learned" | "none">(v, "positions"),
      tiedEmbeddings: flag(v, "tiedEmbeddings"),
      bias: flag(v, "bias"),
      causal: true,
      head: "lm",
      dtype: str<Dtype>(v, "dtype"),
      source: { model: "gpt", ...v },
    });
  },
};
