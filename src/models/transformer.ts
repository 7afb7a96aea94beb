/**
 * Transformer graphs at the granularity pipeline planners cut at: one op per norm, attention, residual add,
 * linear and activation. Shared by the zoo (gpt, bert, mmt) and the Hugging Face importer.
 *
 * Layer (pre-norm, GPT-2 / Llama):  x → norm → attention → add(x) → norm → MLP → add
 * Layer (post-norm, BERT):          x → attention → add(x) → norm → MLP → add → norm
 * MLP gelu:   linear(h→ffn) → gelu → linear(ffn→h)
 * MLP swiglu: linear gate(h→ffn), linear up(h→ffn) → silu(gate) · up → linear down(ffn→h)
 * Rotary position embeddings (Llama) have no parameters and ~no FLOPs, so `positions: "none"` models them.
 */
import type { Dtype, Graph, OpAttrs } from "../graph/types.js";
import { InputError, type Issue } from "../util/issues.js";
import { path, SpecList } from "./spec-list.js";

export type MlpKind = "gelu" | "swiglu";
export type NormKind = "layernorm" | "rmsnorm";
export type NormPlacement = "pre" | "post";
/** lm: next-token logits over the vocabulary; mlm: BERT's masked-LM head; cls: BERT's pooler + classifier. */
export type TransformerHead = "lm" | "mlm" | "cls";

export interface TransformerOptions {
  readonly name?: string;
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  /** Key/value heads (grouped-query attention); default = heads. */
  readonly kvHeads?: number;
  /** Default hidden / heads. */
  readonly headDim?: number;
  readonly seq: number;
  readonly vocab: number;
  readonly ffn: number;
  readonly mlp: MlpKind;
  readonly norm: NormKind;
  readonly normPlacement?: NormPlacement;
  readonly normEps?: number;
  readonly positions: "learned" | "none";
  /** Rows of the learned positional table (default seq; GPT-2 / BERT have more rows than a short seq uses). */
  readonly maxPositions?: number;
  /** Output projection shares the token embedding's weight. */
  readonly tiedEmbeddings: boolean;
  /** Biases in attention and MLP linears. */
  readonly bias: boolean;
  /** Causal (decoder) or bidirectional (encoder) attention. */
  readonly causal: boolean;
  /** BERT's token-type (segment) embedding rows; 0 = none. */
  readonly tokenTypes?: number;
  /** Norm right after the embeddings (BERT). */
  readonly embeddingNorm?: boolean;
  readonly head?: TransformerHead;
  /** Classes of the `cls` head. */
  readonly classes?: number;
  readonly dtype?: Dtype;
  /** Recorded as the graph's source. */
  readonly source?: Readonly<Record<string, string | number | boolean>>;
}

/** Options inconsistent with each other, as `bad-option` issues (empty when fine). */
export function checkTransformerOptions(o: TransformerOptions): Issue[] {
  const issues: Issue[] = [];
  const bad = (option: string, message: string, expected: string, got: unknown) =>
    issues.push({ code: "bad-option", message, path: [option], expected, got: String(got) });
  for (const k of ["layers", "hidden", "heads", "seq", "vocab", "ffn"] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) bad(k, `${k} must be a positive integer`, "an integer ≥ 1", o[k]);
  }
  if (issues.length > 0) return issues;
  const kv = o.kvHeads ?? o.heads;
  if (o.headDim === undefined && o.hidden % o.heads !== 0) {
    bad("heads", `hidden (${o.hidden}) must be a multiple of heads (${o.heads})`, `a divisor of ${o.hidden}`, o.heads);
  }
  if (!Number.isInteger(kv) || kv < 1 || o.heads % kv !== 0) {
    bad("kvHeads", `kvHeads must divide heads (${o.heads})`, `a divisor of ${o.heads}`, kv);
  }
  const maxPos = o.maxPositions ?? o.seq;
  if (o.positions === "learned" && maxPos < o.seq) {
    bad("seq", `seq (${o.seq}) exceeds the ${maxPos} learned positions`, `≤ ${maxPos}`, o.seq);
  }
  return issues;
}

export function buildTransformer(o: TransformerOptions): Graph {
  const issues = checkTransformerOptions(o);
  if (issues.length > 0) throw new InputError(issues);
  const b = new SpecList();
  const head = o.head ?? "lm";
  const tokens = b.op("tokens", "input", [], { dtype: "int64", high: o.vocab }, { outShape: [o.seq] });
  const emb = b.op("embed", "embedding", [tokens], {
    numEmbeddings: o.vocab,
    embeddingDim: o.hidden,
    ...(o.positions === "learned" ? { positions: o.maxPositions ?? o.seq } : {}),
  });
  let x = emb;
  if ((o.tokenTypes ?? 0) > 0) {
    const types = b.op("token_types", "input", [], { dtype: "int64", high: o.tokenTypes! }, { outShape: [o.seq] });
    const typeEmb = b.op("type_embed", "embedding", [types], {
      numEmbeddings: o.tokenTypes!,
      embeddingDim: o.hidden,
    });
    x = b.op("embed_sum", "add", [emb, typeEmb]);
  }
  if (o.embeddingNorm) x = norm(b, o, "embed_norm", x);
  for (let i = 0; i < o.layers; i++) x = transformerLayer(b, o, `layer${i}`, x);
  if ((o.normPlacement ?? "pre") === "pre") x = norm(b, o, "final_norm", x);
  x = addHead(b, o, head, x, emb);
  b.op("loss", "loss", [x], { fn: "cross-entropy", classes: head === "cls" ? (o.classes ?? 2) : o.vocab });
  return b.build(o.name ?? "transformer", o.dtype ?? "fp16", o.source ?? {});
}

/** One transformer layer over [seq, hidden]; returns its output id. Also used by the branchy zoo models. */
export function transformerLayer(b: SpecList, o: TransformerOptions, prefix: string, x: string): string {
  const post = (o.normPlacement ?? "pre") === "post";
  const attnIn = post ? x : norm(b, o, path(prefix, "attn_norm"), x);
  const attn = b.op(path(prefix, "attn"), "attention", [attnIn], {
    hidden: o.hidden,
    heads: o.heads,
    headDim: o.headDim ?? o.hidden / o.heads,
    kvHeads: o.kvHeads ?? o.heads,
    causal: o.causal,
    bias: o.bias,
  });
  let r = b.op(path(prefix, "attn_add"), "add", [x, attn]);
  if (post) r = norm(b, o, path(prefix, "attn_norm"), r);
  const mlpIn = post ? r : norm(b, o, path(prefix, "mlp_norm"), r);
  const mlpOut = mlp(b, o, prefix, mlpIn);
  const out = b.op(path(prefix, "mlp_add"), "add", [r, mlpOut]);
  return post ? norm(b, o, path(prefix, "mlp_norm"), out) : out;
}

function mlp(b: SpecList, o: TransformerOptions, prefix: string, x: string): string {
  const lin = (name: string, input: string, inF: number, outF: number) =>
    b.op(path(prefix, name), "linear", [input], { inFeatures: inF, outFeatures: outF, bias: o.bias });
  if (o.mlp === "gelu") {
    const up = lin("fc1", x, o.hidden, o.ffn);
    const act = b.op(path(prefix, "gelu"), "gelu", [up]);
    return lin("fc2", act, o.ffn, o.hidden);
  }
  const gate = lin("gate", x, o.hidden, o.ffn);
  const up = lin("up", x, o.hidden, o.ffn);
  const act = b.op(path(prefix, "silu"), "silu", [gate]);
  const prod = b.op(path(prefix, "glu"), "mul", [act, up]);
  return lin("down", prod, o.ffn, o.hidden);
}

function norm(b: SpecList, o: TransformerOptions, id: string, x: string): string {
  return b.op(id, o.norm, [x], { features: o.hidden, eps: o.normEps ?? (o.norm === "rmsnorm" ? 1e-6 : 1e-5) });
}

function addHead(b: SpecList, o: TransformerOptions, head: TransformerHead, x: string, emb: string): string {
  const tied: OpAttrs = o.tiedEmbeddings ? { tiedTo: emb } : {};
  if (head === "lm") {
    return b.op("lm_head", "linear", [x], { inFeatures: o.hidden, outFeatures: o.vocab, bias: false, ...tied });
  }
  if (head === "mlm") {
    // BERT's prediction head: dense + gelu + norm, then a decoder tied to the embeddings with its own bias.
    const dense = b.op("mlm.dense", "linear", [x], { inFeatures: o.hidden, outFeatures: o.hidden, bias: true });
    const act = b.op("mlm.gelu", "gelu", [dense]);
    const n = norm(b, o, "mlm.norm", act);
    return b.op("mlm.decoder", "linear", [n], { inFeatures: o.hidden, outFeatures: o.vocab, bias: true, ...tied });
  }
  // cls: BERT's pooler (dense + tanh on the first token) and a classifier.
  const first = b.op("pooler.first", "slice", [x], { axis: 0, start: 0, end: 1 });
  const dense = b.op("pooler.dense", "linear", [first], { inFeatures: o.hidden, outFeatures: o.hidden, bias: true });
  const act = b.op("pooler.tanh", "tanh", [dense]);
  return b.op("classifier", "linear", [act], { inFeatures: o.hidden, outFeatures: o.classes ?? 2, bias: true });
}
