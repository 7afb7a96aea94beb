/**
 * nbranch: GraphPipe's case-study model (graphpipe.md §2.5; FlexFlow `synthetic_n_branches.cc`): each
 * branch takes its own [seq, hidden] input through `layers` blocks of [attention → linear+relu → linear]
 * (no residuals or norms, as in the original), the branches are concatenated on the feature axis and trained
 * with MSE. Defaults: 2 branches × 4 blocks; hidden 1024, seq 256, 16 heads — MMT's sizes (the original file
 * ships 512 wide / 8 heads / seq 256 as its active config and 1024 / 16 / 256 as an alternative; we pick the
 * latter so the case study and MMT share per-op costs).
 */
import type { Dtype } from "../graph/types.js";
import { bool, flag, int, num, str } from "./option-helpers.js";
import { DTYPE_OPTION, type ModelEntry, type OptionValues } from "./options.js";
import { path, SpecList } from "./spec-list.js";

export const nbranch: ModelEntry = {
  name: "nbranch",
  description: "GraphPipe's case-study model: N branches × [attention + 2 linear] blocks, concatenated",
  options: [
    int("branches", 2, "parallel branches"),
    int("layers", 4, "[attention + 2 linear] blocks per branch"),
    int("hidden", 1024, "width"),
    int("heads", 16, "attention heads"),
    int("seq", 256, "sequence length"),
    bool("bias", false, "biases in the linears (the original has none)"),
    DTYPE_OPTION,
  ],
  build(v: OptionValues) {
    const hidden = num(v, "hidden");
    const heads = num(v, "heads");
    const seq = num(v, "seq");
    const bias = flag(v, "bias");
    const b = new SpecList();
    const outs: string[] = [];
    for (let br = 0; br < num(v, "branches"); br++) {
      const p = `b${br}`;
      let h = b.op(path(p, "input"), "input", [], { dtype: "float" }, { outShape: [seq, hidden] });
      for (let l = 0; l < num(v, "layers"); l++) {
        const q = path(p, `block${l}`);
        h = b.op(path(q, "attn"), "attention", [h], {
          hidden,
          heads,
          headDim: Math.floor(hidden / heads),
          kvHeads: heads,
          causal: false,
          bias: true,
        });
        h = b.op(path(q, "fc1"), "linear", [h], { inFeatures: hidden, outFeatures: hidden, bias });
        h = b.op(path(q, "relu"), "relu", [h]);
        h = b.op(path(q, "fc2"), "linear", [h], { inFeatures: hidden, outFeatures: hidden, bias });
      }
      outs.push(h);
    }
    const cat = b.op("concat", "concat", outs, { axis: -1 });
    b.op("loss", "loss", [cat], { fn: "mse" });
    return b.build("nbranch", str<Dtype>(v, "dtype"), { model: "nbranch", ...v });
  },
};
