/**
 * bert: a bidirectional encoder, post-norm, with learned positions, token types and an embedding norm.
 * Defaults are BERT-large (24 layers, 1024 wide, 16 heads, vocab 30522, seq 512): 335,141,888 parameters
 * in the encoder + pooler (Hugging Face's BertModel for bert-large-uncased).
 */
import type { Dtype } from "../graph/types.js";
import { choice, int, num, str } from "./option-helpers.js";
import { DTYPE_OPTION, type ModelEntry, type OptionValues } from "./options.js";
import { buildTransformer, type TransformerHead } from "./transformer.js";

export const bert: ModelEntry = {
  name: "bert",
  description: "BERT encoder (defaults: BERT-large, 335 M params) with a classifier or masked-LM head",
  options: [
    int("layers", 24, "transformer layers"),
    int("hidden", 1024, "model width"),
    int("heads", 16, "attention heads"),
    int("seq", 512, "sequence length (tokens per sample)"),
    int("vocab", 30522, "vocabulary size"),
    int("ffn", 0, "MLP width", 0, "4·hidden"),
    choice("head", ["cls", "mlm"], "cls", "pooler + classifier, or the masked-LM head (tied decoder)"),
    int("classes", 2, "classes of the cls head"),
    DTYPE_OPTION,
  ],
  build(v: OptionValues) {
    const hidden = num(v, "hidden");
    return buildTransformer({
      name: "bert",
      layers: num(v, "layers"),
      hidden,
      heads: num(v, "heads"),
      seq: num(v, "seq"),
      maxPositions: Math.max(512, num(v, "seq")),
      vocab: num(v, "vocab"),
      ffn: num(v, "ffn") || 4 * hidden,
      mlp: "gelu",
      norm: "layernorm",
      normPlacement: "post",
      normEps: 1e-12,
      positions: "learned",
      tiedEmbeddings: true,
      bias: true,
      causal: false,
      tokenTypes: 2,
      embeddingNorm: true,
      head: str<TransformerHead>(v, "head"),
      classes: num(v, "classes"),
      dtype: str<Dtype>(v, "dtype"),
      source: { model: "bert", ...v },
    });
  },
};
