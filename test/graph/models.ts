/** Small model-shaped graphs for graph tests (structure only; numbers come from linearOp). */
import type { Graph } from "../../src/graph/types.js";
import { graphOf } from "./build.js";

/** GPT-like: emb → L × [ln1 → attn → add1(x, attn) → ln2 → fc1 → gelu → fc2 → add2(add1, fc2)] → lnf → head → loss. */
export function gptLike(layers: number): Graph {
  const inputs: Record<string, string[]> = { tokens: [], emb: ["tokens"] };
  let x = "emb";
  for (let l = 0; l < layers; l++) {
    const p = `l${l}.`;
    inputs[`${p}ln1`] = [x];
    inputs[`${p}attn`] = [`${p}ln1`];
    inputs[`${p}add1`] = [x, `${p}attn`];
    inputs[`${p}ln2`] = [`${p}add1`];
    inputs[`${p}fc1`] = [`${p}ln2`];
    inputs[`${p}gelu`] = [`${p}fc1`];
    inputs[`${p}fc2`] = [`${p}gelu`];
    inputs[`${p}add2`] = [`${p}add1`, `${p}fc2`];
    x = `${p}add2`;
  }
  inputs["lnf"] = [x];
  inputs["head"] = ["lnf"];
  inputs["loss"] = ["head"];
  return graphOf(inputs, `gpt-like-${layers}`);
}

/** DLRM-like: `dense` + `sparse` towers, each from its own input, concatenated into a top MLP. */
export function dlrmLike(dense: number, sparse: number, depth = 4): Graph {
  const inputs: Record<string, string[]> = {};
  const tops: string[] = [];
  const tower = (name: string, n: number) => {
    inputs[`${name}.in`] = [];
    let x = `${name}.in`;
    for (let k = 0; k < n; k++) {
      inputs[`${name}.${k}`] = [x];
      x = `${name}.${k}`;
    }
    tops.push(x);
  };
  for (let d = 0; d < dense; d++) tower(`dense${d}`, depth);
  for (let s = 0; s < sparse; s++) tower(`sparse${s}`, 1);
  inputs["concat"] = tops;
  inputs["top0"] = ["concat"];
  inputs["top1"] = ["top0"];
  inputs["loss"] = ["top1"];
  return graphOf(inputs, "dlrm-like");
}

/** Inception-like block: x → 4 branches of lengths 1, 2, 2, 2 (the last starts with a pool) → concat. */
export function inceptionBlock(): Graph {
  return graphOf({
    x: [],
    b1: ["x"],
    b2a: ["x"],
    b2b: ["b2a"],
    b3a: ["x"],
    b3b: ["b3a"],
    pool: ["x"],
    b4: ["pool"],
    cat: ["b1", "b2b", "b3b", "b4"],
  });
}
