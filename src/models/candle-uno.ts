/**
 * candle-uno: GraphPipe's CANDLE-Uno (graphpipe.md §2.2; FlexFlow `examples/cpp/candle_uno/candle_uno.cc`):
 * 7 feature branches (cell RNA-seq, 3 drug descriptors, 3 drug fingerprints in the original), each its own
 * float input of 4096 features (the paper's setting) → 4 linear+relu layers of 4096, concatenated, then a
 * deep MLP (`topLayers` linear+relu of 4096) and one regression output, MSE. Linears have no bias, as in
 * FlexFlow. The original's two raw dose scalars, concatenated without any layer, are left out: they carry no
 * compute and would count as extra branches. ≈ 0.47 B params in the branches.
 */
import type { Dtype } from "../graph/types.js";
import { mlpChain } from "./mlp-branches.js";
import { bool, flag, int, num, str } from "./option-helpers.js";
import { DTYPE_OPTION, type ModelEntry, type OptionValues } from "./options.js";
import { path, SpecList } from "./spec-list.js";

export const candleUno: ModelEntry = {
  name: "candle-uno",
  description: "GraphPipe's CANDLE-Uno: 7 feature-encoder MLP branches, concatenated into a deep MLP",
  options: [
    int("branches", 7, "feature-encoder branches"),
    int("branchLayers", 4, "linear layers per branch"),
    int("width", 4096, "width of every layer"),
    int("features", 4096, "input features of each branch"),
    int("topLayers", 4, "linear layers of the merged MLP (before the output)", 0),
    bool("bias", false, "biases in the linears (FlexFlow's have none)"),
    DTYPE_OPTION,
  ],
  build(v: OptionValues) {
    const b = new SpecList();
    const width = num(v, "width");
    const bias = flag(v, "bias");
    const outs: string[] = [];
    for (let i = 0; i < num(v, "branches"); i++) {
      const p = `branch${i}`;
      const x = b.op(path(p, "input"), "input", [], { dtype: "float" }, { outShape: [num(v, "features")] });
      outs.push(mlpChain(b, p, x, num(v, "features"), new Array<number>(num(v, "branchLayers")).fill(width), bias));
    }
    const cat = b.op("concat", "concat", outs, { axis: -1 });
    const top = [...new Array<number>(num(v, "topLayers")).fill(width), 1];
    const y = mlpChain(b, "top", cat, width * outs.length, top, bias, "none");
    b.op("loss", "loss", [y], { fn: "mse" });
    return b.build("candle-uno", str<Dtype>(v, "dtype"), { model: "candle-uno", ...v });
  },
};
