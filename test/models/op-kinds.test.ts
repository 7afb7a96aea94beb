import assert from "node:assert/strict";
import { test } from "node:test";
import { buildGraph, deriveOp, type OpSpec } from "../../src/graph/op-kinds/index.js";
import type { Op } from "../../src/graph/types.js";
import type { Result } from "../../src/util/issues.js";

function spec(kind: OpSpec["kind"], attrs: OpSpec["attrs"], inputs = ["x"], extra: Partial<OpSpec> = {}): OpSpec {
  return { id: "op", kind, inputs, attrs, ...extra };
}

function value(r: Result<Op>): Op {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.value;
}

function codes(r: Result<unknown>): string[] {
  assert.equal(r.ok, false, "expected issues");
  return r.ok ? [] : r.issues.map((i) => `${i.code}@${(i.path ?? []).join(".")}`);
}

test("linear: params in·out + out, 2 FLOPs per MAC, backward 2×, keeps its input", () => {
  const op = value(
    deriveOp(spec("linear", { inFeatures: 1024, outFeatures: 4096, bias: true }), [[256, 1024]], "fp16"),
  );
  assert.deepEqual(op.outShape, [256, 4096]);
  assert.equal(op.params, 1024 * 4096 + 4096);
  assert.equal(op.paramBytes, 2 * op.params);
  assert.equal(op.fwdFlopsPerSample, 2 * 256 * 1024 * 4096 + 256 * 4096);
  assert.equal(op.bwdFlopsPerSample, 4 * 256 * 1024 * 4096 + 256 * 4096);
  assert.equal(op.savedBytesPerSample, 256 * 1024 * 2);
  assert.equal(op.outBytesPerSample, 256 * 4096 * 2);
});

test("linear tied to an embedding counts only its bias", () => {
  const op = value(
    deriveOp(spec("linear", { inFeatures: 8, outFeatures: 50, bias: false, tiedTo: "emb" }), [[8]], "fp32"),
  );
  assert.equal(op.params, 0);
  assert.equal(op.fwdFlopsPerSample, 2 * 8 * 50);
});

test("attention params follow the brief's formula, with grouped-query K/V", () => {
  const [h, heads, d, kv, seq] = [4096, 32, 128, 8, 2048];
  const op = value(
    deriveOp(
      spec("attention", { hidden: h, heads, headDim: d, kvHeads: kv, causal: true, bias: false }),
      [[seq, h]],
      "bf16",
    ),
  );
  assert.equal(op.params, h * heads * d + 2 * h * kv * d + heads * d * h);
  const proj = seq * op.params;
  const core = 2 * heads * seq * seq * d;
  assert.equal(op.fwdFlopsPerSample, 2 * (proj + core) + 6 * heads * seq * seq);
  assert.equal(op.bwdFlopsPerSample, 4 * (proj + core) + 3 * heads * seq * seq);
  // input, Q, K, V, pre-projection output and the softmax probabilities
  assert.equal(op.savedBytesPerSample, 2 * (seq * h + seq * (heads * d + 2 * kv * d + heads * d) + heads * seq * seq));
  assert.equal(op.workspaceBytesPerSample, 2 * heads * seq * seq);
  const withBias = value(deriveOp(spec("attention", { hidden: 64, heads: 4, headDim: 16 }), [[10, 64]], "fp16"));
  assert.equal(withBias.params, 4 * 64 * 64 + 4 * 64);
  assert.equal(withBias.attrs.kvHeads, 4, "kvHeads defaults to heads and is written into attrs");
});

test("conv2d: torchvision's first ResNet conv (7×7/2, 3→64, no bias) on 224²", () => {
  const op = value(
    deriveOp(
      spec("conv2d", { inChannels: 3, outChannels: 64, kernel: [7, 7], stride: [2, 2], padding: [3, 3], bias: false }),
      [[3, 224, 224]],
      "fp32",
    ),
  );
  assert.deepEqual(op.outShape, [64, 112, 112]);
  assert.equal(op.params, 9408);
  assert.equal(op.fwdFlopsPerSample / 2, 118013952); // 112²·64·3·49 MACs
  assert.deepEqual(op.attrs.dilation, [1, 1]);
  assert.equal(op.attrs.groups, 1);
});

test("conv2d groups and conv-transpose2d output size", () => {
  const dw = value(
    deriveOp(
      spec("conv2d", { inChannels: 32, outChannels: 32, kernel: [3, 3], padding: [1, 1], groups: 32 }),
      [[32, 8, 8]],
      "fp32",
    ),
  );
  assert.equal(dw.params, 32 * 9 + 32);
  const up = value(
    deriveOp(
      spec("conv-transpose2d", { inChannels: 128, outChannels: 64, kernel: [2, 2], stride: [2, 2], bias: true }),
      [[128, 28, 28]],
      "fp32",
    ),
  );
  assert.deepEqual(up.outShape, [64, 56, 56]);
  assert.equal(up.params, 128 * 64 * 4 + 64);
  assert.equal(up.fwdFlopsPerSample, 2 * 28 * 28 * 128 * 64 * 4 + 64 * 56 * 56);
});

test("pooling follows torch's output size, ceil mode included", () => {
  const ceil = value(
    deriveOp(spec("maxpool2d", { kernel: [3, 3], stride: [2, 2], ceilMode: true }), [[64, 112, 112]], "fp32"),
  );
  assert.deepEqual(ceil.outShape, [64, 56, 56]);
  const floor = value(deriveOp(spec("maxpool2d", { kernel: [3, 3], stride: [2, 2] }), [[64, 112, 112]], "fp32"));
  assert.deepEqual(floor.outShape, [64, 55, 55]);
  const resnet = value(
    deriveOp(spec("maxpool2d", { kernel: [3, 3], stride: [2, 2], padding: [1, 1] }), [[64, 112, 112]], "fp32"),
  );
  assert.deepEqual(resnet.outShape, [64, 56, 56]);
  assert.equal(resnet.savedBytesPerSample, 64 * 112 * 112 * 4 + 64 * 56 * 56 * 8);
  const stride = value(deriveOp(spec("avgpool2d", { kernel: [2, 2] }), [[3, 9, 9]], "fp32"));
  assert.deepEqual(stride.outShape, [3, 4, 4], "stride defaults to the kernel");
  const g = value(deriveOp(spec("global-avgpool", {}), [[2048, 7, 7]], "fp32"));
  assert.deepEqual(g.outShape, [2048, 1, 1]);
});

test("embedding: int64 ids are saved at 8 bytes, learned positions add a table", () => {
  const op = value(
    deriveOp(spec("embedding", { numEmbeddings: 50257, embeddingDim: 768, positions: 1024 }), [[1024]], "fp16", [8]),
  );
  assert.deepEqual(op.outShape, [1024, 768]);
  assert.equal(op.params, (50257 + 1024) * 768);
  assert.equal(op.savedBytesPerSample, 1024 * 8);
  const bag = value(
    deriveOp(
      spec("embedding-bag", { numEmbeddings: 1_000_000, embeddingDim: 64, bagSize: 100, mode: "sum" }),
      [[100]],
      "fp32",
      [8],
    ),
  );
  assert.deepEqual(bag.outShape, [64]);
  assert.equal(bag.params, 64_000_000);
});

test("layout ops: concat, reshape with −1, transpose, slice with Python semantics", () => {
  const cat = value(
    deriveOp(
      spec("concat", { axis: -1 }, ["a", "b"]),
      [
        [4, 8],
        [4, 3],
      ],
      "fp16",
    ),
  );
  assert.deepEqual(cat.outShape, [4, 11]);
  assert.equal(cat.fwdFlopsPerSample, 0);
  assert.deepEqual(value(deriveOp(spec("reshape", { shape: [-1, 4] }), [[2, 3, 4]], "fp16")).outShape, [6, 4]);
  assert.deepEqual(value(deriveOp(spec("transpose", { perm: [1, 0] }), [[2, 3]], "fp16")).outShape, [3, 2]);
  assert.deepEqual(
    value(deriveOp(spec("slice", { axis: 0, start: 0, end: 1 }), [[512, 1024]], "fp16")).outShape,
    [1, 1024],
  );
  assert.deepEqual(value(deriveOp(spec("slice", { axis: 0, start: -2, end: 1e9 }), [[5, 2]], "fp16")).outShape, [2, 2]);
  assert.deepEqual(value(deriveOp(spec("flatten", {}), [[512, 7, 7]], "fp16")).outShape, [25088]);
});

test("elementwise ops broadcast; mul keeps both inputs, add keeps nothing", () => {
  const add = value(deriveOp(spec("add", {}, ["a", "b"]), [[4, 8], [8]], "fp16"));
  assert.deepEqual(add.outShape, [4, 8]);
  assert.equal(add.savedBytesPerSample, 0);
  const mul = value(
    deriveOp(
      spec("mul", {}, ["a", "b"]),
      [
        [4, 8],
        [4, 8],
      ],
      "fp16",
    ),
  );
  assert.equal(mul.savedBytesPerSample, 2 * 2 * 32);
  assert.deepEqual(codes(deriveOp(spec("add", {}, ["a", "b"]), [[4, 8], [3]], "fp16")), ["shape-mismatch@inputs"]);
});

test("activations keep what autograd keeps; dropout p = 0 is free", () => {
  assert.equal(value(deriveOp(spec("relu", {}), [[10]], "fp16")).savedBytesPerSample, 20);
  assert.equal(value(deriveOp(spec("gelu", {}), [[10]], "fp16")).savedBytesPerSample, 20);
  const d0 = value(deriveOp(spec("dropout", { p: 0 }), [[10]], "fp16"));
  assert.equal(d0.savedBytesPerSample + d0.fwdFlopsPerSample, 0);
  assert.equal(value(deriveOp(spec("dropout", { p: 0.1 }), [[10]], "fp16")).savedBytesPerSample, 10);
});

test("loss: cross-entropy checks classes against the logits", () => {
  const op = value(deriveOp(spec("loss", { fn: "cross-entropy", classes: 10 }), [[1, 10]], "fp16"));
  assert.deepEqual(op.outShape, [1]);
  assert.deepEqual(codes(deriveOp(spec("loss", { fn: "cross-entropy", classes: 9 }), [[1, 10]], "fp16")), [
    "shape-mismatch@inputs.0",
  ]);
});

test("explicit numbers win over derived ones; a contradicting outShape is an issue", () => {
  const op = value(
    deriveOp(
      spec("linear", { inFeatures: 4, outFeatures: 2, bias: false }, ["x"], {
        fwdFlopsPerSample: 7,
        params: 1,
        outShape: [2],
      }),
      [[4]],
      "fp16",
    ),
  );
  assert.equal(op.fwdFlopsPerSample, 7);
  assert.equal(op.params, 1);
  assert.equal(op.paramBytes, 2, "paramBytes follows the explicit params");
  assert.equal(op.bwdFlopsPerSample, 32);
  const bad = deriveOp(spec("linear", { inFeatures: 4, outFeatures: 2 }, ["x"], { outShape: [3] }), [[4]], "fp16");
  assert.deepEqual(codes(bad), ["shape-mismatch@outShape"]);
});

test("bad attributes and arity come back as issues with paths", () => {
  assert.deepEqual(codes(deriveOp(spec("linear", { inFeatures: 4, outFeature: 2 }), [[4]], "fp16")), [
    "unknown-field@attrs.outFeature",
  ]);
  assert.deepEqual(codes(deriveOp(spec("linear", { inFeatures: 4 }), [[4]], "fp16")), [
    "missing-field@attrs.outFeatures",
  ]);
  assert.deepEqual(codes(deriveOp(spec("linear", { inFeatures: "4", outFeatures: 2.5 }), [[4]], "fp16")), [
    "invalid-type@attrs.inFeatures",
    "invalid-type@attrs.outFeatures",
  ]);
  assert.deepEqual(codes(deriveOp(spec("linear", { inFeatures: 5, outFeatures: 2 }), [[4]], "fp16")), [
    "shape-mismatch@inputs.0",
  ]);
  assert.deepEqual(codes(deriveOp(spec("matmul", {}, ["a"]), [[2, 2]], "fp16")), ["invalid-value@inputs"]);
  assert.deepEqual(codes(deriveOp(spec("input", {}, []), [], "fp16")), ["shape-mismatch@outShape"]);
  assert.deepEqual(codes(deriveOp({ ...spec("relu", {}), kind: "swish" as OpSpec["kind"] }, [[2]], "fp16")), [
    "unknown-kind@kind",
  ]);
  assert.deepEqual(
    codes(deriveOp(spec("conv2d", { inChannels: 3, outChannels: 8, kernel: [3] }), [[3, 8, 8]], "fp16")),
    ["invalid-value@attrs.kernel"],
  );
});

test("buildGraph: derives in topological order, keeps spec order, tracks int64 through layout ops", () => {
  const r = buildGraph("g", "fp16", [
    { id: "emb", kind: "embedding", inputs: ["first"], attrs: { numEmbeddings: 10, embeddingDim: 4 } },
    { id: "first", kind: "slice", inputs: ["ids"], attrs: { axis: 0, start: 0, end: 2 } },
    { id: "ids", kind: "input", inputs: [], attrs: { dtype: "int64", high: 10 }, outShape: [5] },
  ]);
  assert.ok(r.ok);
  assert.deepEqual(
    r.value.ops.map((o) => o.id),
    ["emb", "first", "ids"],
  );
  assert.equal(r.value.ops[1]!.outBytesPerSample, 16);
  assert.equal(r.value.ops[0]!.savedBytesPerSample, 16);
});

test("buildGraph reports duplicate ids, unknown inputs, cycles and per-op issues with ops[i] paths", () => {
  const dup = buildGraph("g", "fp16", [
    { id: "a", kind: "input", inputs: [], attrs: {}, outShape: [2] },
    { id: "a", kind: "relu", inputs: ["zz"], attrs: {} },
  ]);
  assert.deepEqual(codes(dup), ["duplicate-id@ops.1.id", "unknown-input@ops.1.inputs.0"]);
  const cyc = buildGraph("g", "fp16", [
    { id: "x", kind: "input", inputs: [], attrs: {}, outShape: [2] },
    { id: "p", kind: "add", inputs: ["x", "r"], attrs: {} },
    { id: "q", kind: "relu", inputs: ["p"], attrs: {} },
    { id: "r", kind: "relu", inputs: ["q"], attrs: {} },
    { id: "bad", kind: "linear", inputs: ["x"], attrs: { inFeatures: 3, outFeatures: 1 } },
  ]);
  assert.deepEqual(codes(cyc), ["shape-mismatch@ops.4.inputs.0", "cycle@ops.1"]);
  assert.ok(!cyc.ok && cyc.issues[1]!.message.includes("p → q → r → p"));
  assert.deepEqual(codes(buildGraph("g", "fp16", [])), ["empty-graph@ops"]);
});
