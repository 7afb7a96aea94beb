/** Every op kind's derivation, keyed by kind. Explicit and total: the compiler checks that no kind is missing. */
import type { OpKind } from "../types.js";
import { dropout, gelu, identity, relu, sigmoid, silu, softmax, tanh } from "./activation.js";
import { attention } from "./attention.js";
import { conv2d, convTranspose2d } from "./conv.js";
import { linear, matmul } from "./dense.js";
import { add, mul } from "./elementwise.js";
import { embedding, embeddingBag } from "./embedding.js";
import { input, loss, opaque } from "./io.js";
import { concat, flatten, reshape, slice, transpose } from "./layout.js";
import { batchnorm, layernorm, rmsnorm } from "./norm.js";
import { avgpool2d, globalAvgpool, maxpool2d, upsample } from "./pool.js";
import type { KindDef } from "./spec.js";

export const KINDS: Readonly<Record<OpKind, KindDef>> = {
  input,
  embedding,
  "embedding-bag": embeddingBag,
  linear,
  matmul,
  attention,
  layernorm,
  rmsnorm,
  batchnorm,
  conv2d,
  "conv-transpose2d": convTranspose2d,
  maxpool2d,
  avgpool2d,
  "global-avgpool": globalAvgpool,
  upsample,
  relu,
  gelu,
  silu,
  sigmoid,
  tanh,
  softmax,
  dropout,
  add,
  mul,
  concat,
  flatten,
  reshape,
  transpose,
  slice,
  identity,
  loss,
  opaque,
};
