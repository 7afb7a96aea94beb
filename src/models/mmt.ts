/**
 * mmt: GraphPipe's Multi-Modal Transformer (graphpipe.md §2.2): N branches, each its own input (one
 * modality, [seq, features] floats) and linear projection to the model width, then L pre-norm transformer
 * layers; the branch outputs are concatenated along the feature axis and a fusion head projects them back to
 * the model width, trained with MSE (as FlexFlow's evaluation model compiles it).
 * Defaults 4 × 8 layers, hidden 1024, seq 256, 16 heads, FFN 4096: 12,596,224 params per layer, so the 32
 * layers hold 403,079,168 ≈ 0.40 B (the paper's figure). FlexFlow's code drops norms and uses a narrow MLP
 * (CLIP example); we keep full layers so the parameter count matches the paper.
 */
import type { Dtype } from "../graph/types.js";
import { InputError } from "../util/issues.js";
import { int, num, str } from "./option-helpers.js";
import { DTYPE_OPTION, type ModelEntry, type OptionValues } from "./options.js";
import { path, SpecList } from "./spec-list.js";
import { checkTransformerOptions, type TransformerOptions, transformerLayer } from "./transformer.js";

export const mmt: ModelEntry = {
  name: "mmt",
  description: "GraphPipe's Multi-Modal Transformer: N parallel transformer branches, concatenated",
  options: [
    int("branches", 4, "parallel modality branches"),
    int("layers", 8, "transformer layers per branch"),
    int("hidden", 1024, "model width"),
    int("heads", 16, "attention heads"),
    int("seq", 256, "sequence length of every modality"),
    int("ffn", 4096, "MLP width"),
    int("features", 0, "input features per token of each modality", 0, "hidden"),
    DTYPE_OPTION,
  ],
  build(v: OptionValues) {
    const hidden = num(v, "hidden");
    const seq = num(v, "seq");
    const features = num(v, "features") || hidden;
    const o: TransformerOptions = {
      layers: num(v, "layers"),
      hidden,
      heads: num(v, "heads"),
      seq,
      vocab: 1,
      ffn: num(v, "ffn"),
      mlp: "gelu",
      norm: "layernorm",
      positions: "none",
      tiedEmbeddings: false,
      bias: true,
      causal: false,
    };
    const issues = checkTransformerOptions(o);
    if (issues.length > 0) throw new InputError(issues);
    const b = new SpecList();
    const outs: string[] = [];
    for (let br = 0; br < num(v, "branches"); br++) {
      const p = `b${br}`;
      const x = b.op(path(p, "input"), "input", [], { dtype: "float" }, { outShape: [seq, features] });
      let h = b.op(path(p, "proj"), "linear", [x], { inFeatures: features, outFeatures: hidden, bias: true });
      for (let l = 0; l < o.layers; l++) h = transformerLayer(b, o, path(p, `layer${l}`), h);
      outs.push(b.op(path(p, "norm"), "layernorm", [h], { features: hidden, eps: 1e-5 }));
    }
    const cat = b.op("concat", "concat", outs, { axis: -1 });
    const head = b.op("fusion", "linear", [cat], { inFeatures: hidden * outs.length, outFeatures: hidden, bias: true });
    b.op("loss", "loss", [head], { fn: "mse" });
    return b.build("mmt", str<Dtype>(v, "dtype"), { model: "mmt", ...v });
  },
};
