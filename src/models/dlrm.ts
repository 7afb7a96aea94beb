/**
 * dlrm: GraphPipe's DLRM (graphpipe.md §2.2; FlexFlow `examples/cpp/DLRM/dlrm.cc`): `dense` dense branches
 * (own float input → 4 linear+relu layers, 4096 wide) and `sparse` sparse branches (own int64 bag of ids →
 * embedding-bag sum, 1 M rows × 64, bag 100), concatenated ("cat" interaction), then the top MLP
 * (4096-wide layers, then one output with sigmoid) and MSE, as FlexFlow compiles it. Linears have no bias,
 * as in FlexFlow's `create_mlp`. Defaults: 7 + 7 branches; ≈ 0.45 B embedding + ≈ 0.47 B branch params.
 */
import type { Dtype } from "../graph/types.js";
import { mlpChain } from "./mlp-branches.js";
import { bool, flag, int, num, str } from "./option-helpers.js";
import { DTYPE_OPTION, type ModelEntry, type OptionValues } from "./options.js";
import { path, SpecList } from "./spec-list.js";

export const dlrm: ModelEntry = {
  name: "dlrm",
  description: "GraphPipe's DLRM: 7 dense MLP branches + 7 embedding-bag branches, concatenated, top MLP",
  options: [
    int("dense", 7, "dense (MLP) branches", 0),
    int("sparse", 7, "sparse (embedding-bag) branches", 0),
    int("denseLayers", 4, "linear layers per dense branch"),
    int("width", 4096, "width of every dense and top-MLP layer"),
    int("denseFeatures", 4096, "input features of each dense branch"),
    int("rows", 1_000_000, "embedding rows per sparse branch"),
    int("embeddingDim", 64, "embedding width"),
    int("bagSize", 100, "ids per bag"),
    int("topLayers", 2, "hidden layers of the top MLP (before the 1-wide output)", 0),
    bool("bias", false, "biases in the linears (FlexFlow's have none)"),
    DTYPE_OPTION,
  ],
  build(v: OptionValues) {
    const b = new SpecList();
    const width = num(v, "width");
    const bias = flag(v, "bias");
    const outs: string[] = [];
    let catFeatures = 0;
    // Interleaved sparse/dense per index as in FlexFlow, so op order follows the branches.
    const n = Math.max(num(v, "dense"), num(v, "sparse"));
    for (let i = 0; i < n; i++) {
      if (i < num(v, "sparse")) {
        const p = `sparse${i}`;
        const ids = b.op(
          path(p, "ids"),
          "input",
          [],
          { dtype: "int64", high: num(v, "rows") },
          {
            outShape: [num(v, "bagSize")],
          },
        );
        outs.push(
          b.op(path(p, "bag"), "embedding-bag", [ids], {
            numEmbeddings: num(v, "rows"),
            embeddingDim: num(v, "embeddingDim"),
            bagSize: num(v, "bagSize"),
            mode: "sum",
          }),
        );
        catFeatures += num(v, "embeddingDim");
      }
      if (i < num(v, "dense")) {
        const p = `dense${i}`;
        const x = b.op(path(p, "input"), "input", [], { dtype: "float" }, { outShape: [num(v, "denseFeatures")] });
        const widths = new Array<number>(num(v, "denseLayers")).fill(width);
        outs.push(mlpChain(b, p, x, num(v, "denseFeatures"), widths, bias));
        catFeatures += width;
      }
    }
    const cat = b.op("interact", "concat", outs, { axis: -1 });
    const top = [...new Array<number>(num(v, "topLayers")).fill(width), 1];
    const y = mlpChain(b, "top", cat, catFeatures, top, bias, "sigmoid");
    b.op("loss", "loss", [y], { fn: "mse" });
    return b.build("dlrm", str<Dtype>(v, "dtype"), { model: "dlrm", ...v });
  },
};
