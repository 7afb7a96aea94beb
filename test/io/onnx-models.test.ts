/**
 * Real exported CNNs (torchvision's ResNet-18, MobileNetV2, GoogLeNet, weight-stripped) and small
 * models the project exports itself: parameter counts exact, multiply-adds against the published MACs,
 * the batch of the file removed, the exporter's split patterns joined back into dagpipe kinds.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { Graph } from "../../src/graph/types.js";
import { validateGraph } from "../../src/graph/validate.js";
import { analyzeOnnx } from "../../src/io/onnx/analyze.js";
import { decodeOnnxModel } from "../../src/io/onnx/decode-model.js";
import {
  ModelProtoSchema,
  SparseTensorProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataLocation,
} from "../../src/io/onnx/generated/onnx_pb.js";
import { readOnnx } from "../../src/io/onnx/read-onnx.js";
import { toOpSpecs } from "../../src/io/onnx/to-op-specs.js";
import { mlpParts, modelBytes, node, tensor, valueInfo } from "./onnx-build.js";
import { EXPECTED, fixtureBytes, loadFixture, macs, sum } from "./onnx-fixture-helpers.js";

function fallbacksOf(name: string) {
  const m = decodeOnnxModel(fixtureBytes(name), name);
  assert.ok(m.ok);
  return toOpSpecs(analyzeOnnx(m.value, name).analysis, "fp32").fallbacks;
}

describe("real exported CNNs", () => {
  for (const name of ["resnet18", "mobilenet_v2", "googlenet"]) {
    const published = EXPECTED[name]?.published;
    it(`${name}: torchvision's parameter count exactly, MACs within 3 % of the published value`, () => {
      assert.ok(published);
      const g = loadFixture(name);
      assert.deepEqual(validateGraph(g), []);
      assert.equal(
        sum(g, (op) => op.params),
        published.params,
      );
      const rel = Math.abs(macs(g) - published.macs) / published.macs;
      assert.ok(
        rel < 0.03,
        `${name}: ${macs(g)} multiply-adds vs ${published.macs} published (${(rel * 100).toFixed(2)} %)`,
      );
      // torch's own forward hooks on the same model agree with the importer to the multiply-add.
      assert.equal(macs(g), EXPECTED[name]?.convLinearMacsPerSample);
      // Every node became a dagpipe kind that derives; nothing fell back to opaque.
      assert.deepEqual(fallbacksOf(name), []);
      assert.equal(g.dtype, "fp32");
      assert.equal(g.ops.at(-1)?.kind, "loss");
      assert.deepEqual(g.ops.at(-1)?.attrs, { fn: "cross-entropy", classes: 1000 });
    });
  }

  it("all forward FLOPs (element-wise ops too) halved: within 3 % of the published MACs for ResNet-18 and GoogLeNet", () => {
    // Published MACs count convolutions and linears only. ResNet-18 and GoogLeNet are dominated by them;
    // MobileNetV2's cheap depthwise convolutions leave its BatchNorms and ReLU6s a tenth of the total.
    const ratio = (name: string) =>
      sum(loadFixture(name), (op) => op.fwdFlopsPerSample) / 2 / (EXPECTED[name]?.published?.macs ?? 1);
    assert.ok(Math.abs(ratio("resnet18") - 1) < 0.03, String(ratio("resnet18")));
    assert.ok(Math.abs(ratio("googlenet") - 1) < 0.03, String(ratio("googlenet")));
    assert.ok(ratio("mobilenet_v2") > 1.05 && ratio("mobilenet_v2") < 1.15, String(ratio("mobilenet_v2")));
  });

  it("resnet18 maps every node onto a kind (no opaque ops) and keeps the 20 BatchNorms of a training graph", () => {
    const g = loadFixture("resnet18");
    const kinds = new Map<string, number>();
    for (const op of g.ops) kinds.set(op.kind, (kinds.get(op.kind) ?? 0) + 1);
    assert.equal(kinds.get("opaque"), undefined);
    assert.equal(kinds.get("conv2d"), 20);
    assert.equal(kinds.get("batchnorm"), 20);
    assert.equal(kinds.get("add"), 8);
    const stem = g.ops.find((op) => op.kind === "conv2d");
    assert.deepEqual(stem?.attrs, {
      inChannels: 3,
      outChannels: 64,
      kernel: [7, 7],
      stride: [2, 2],
      padding: [3, 3],
      dilation: [1, 1],
      groups: 1,
      bias: false,
    });
    assert.deepEqual(stem?.outShape, [64, 112, 112]);
    assert.deepEqual(g.ops[0]?.outShape, [3, 224, 224]);
  });

  it("googlenet keeps its four-branch Inception blocks: concat ops with four inputs", () => {
    const g = loadFixture("googlenet");
    const concats = g.ops.filter((op) => op.kind === "concat");
    assert.equal(concats.length, 9);
    assert.ok(concats.every((op) => op.inputs.length === 4 && op.attrs["axis"] === 0));
  });

  it("mobilenet_v2's ReLU6 (Clip) stays opaque with its element-wise cost, not zero", () => {
    const g = loadFixture("mobilenet_v2");
    const clips = g.ops.filter((op) => op.kind === "opaque" && op.attrs["op"] === "Clip");
    assert.equal(clips.length, 35);
    for (const op of clips) {
      const n = op.outShape.reduce((a, b) => a * b, 1);
      assert.equal(op.fwdFlopsPerSample, 2 * n);
      assert.equal(op.outBytesPerSample, 4 * n);
    }
  });
});

describe("the file's batch is removed: costs are per sample", () => {
  it("branch-cnn exported with batch 4 gives the same graph as with batch 1", () => {
    const one = loadFixture("branch-cnn");
    const four = loadFixture("branch-cnn-batch4");
    assert.deepEqual(four.ops, one.ops);
    assert.equal(four.source?.["batchInFile"], 4);
  });

  it("a symbolic batch dimension reads as one sample", () => {
    assert.deepEqual(loadFixture("tiny-mlp-dynamic-batch").ops, loadFixture("tiny-mlp").ops);
    const dyn = loadFixture("tiny-gpt-dynamic-batch");
    const fixed = loadFixture("tiny-gpt");
    assert.equal(
      sum(dyn, (op) => op.fwdFlopsPerSample),
      sum(fixed, (op) => op.fwdFlopsPerSample),
    );
    assert.equal(
      sum(dyn, (op) => op.params),
      EXPECTED["tiny-gpt"]?.params,
    );
  });

  it("tiny-gpt with batch 2 (opset 17) has the same multiply-adds per sample as with batch 1", () => {
    const b2 = loadFixture("tiny-gpt-batch2-opset17");
    const b1 = loadFixture("tiny-gpt");
    assert.equal(macs(b2), macs(b1));
    assert.equal(
      sum(b2, (op) => op.params),
      sum(b1, (op) => op.params),
    );
    assert.equal(b2.ops.filter((op) => op.kind === "layernorm").length, 5);
    const ln = b2.ops.find((op) => op.kind === "layernorm");
    assert.deepEqual(ln?.outShape, [16, 32]);
  });
});

describe("the exporter's patterns become the ops torch had", () => {
  it("tiny-gpt: token + learned positions is one embedding op; MatMul + Add(bias) is linear with bias", () => {
    const g = loadFixture("tiny-gpt");
    const emb = g.ops.filter((op) => op.kind === "embedding");
    assert.equal(emb.length, 1);
    assert.deepEqual(emb[0]?.attrs, { numEmbeddings: 100, embeddingDim: 32, positions: 16 });
    assert.equal(emb[0]?.params, (100 + 16) * 32);
    const input = g.ops[0];
    assert.deepEqual(input?.attrs, { dtype: "int64", high: 100 });
    assert.deepEqual(input?.outShape, [16]);
    const linears = g.ops.filter((op) => op.kind === "linear");
    // qkv, proj, fc, out per layer (bias), plus the bias-free head.
    assert.equal(linears.filter((op) => op.attrs["bias"] === true).length, 8);
    assert.deepEqual(linears.at(-1)?.attrs, { inFeatures: 32, outFeatures: 100, bias: false });
    assert.deepEqual(g.ops.at(-1)?.attrs, { fn: "cross-entropy", classes: 100 });
    assert.equal(g.ops.filter((op) => op.kind === "matmul").length, 4);
    assert.deepEqual(fallbacksOf("tiny-gpt"), []);
  });

  it("spelled-out norms and activations become the op torch had: opset 14 reads like opset 17", () => {
    const kinds = (g: Graph) => g.ops.map((op) => (op.kind === "opaque" ? `opaque:${op.attrs["op"]}` : op.kind));
    const decomposed = loadFixture("tiny-gpt");
    // opset 14 writes LayerNorm as ReduceMean…Sqrt…Div…Mul…Add and GELU as Div…Erf…Add…Mul…Mul.
    assert.deepEqual(kinds(decomposed), kinds(loadFixture("tiny-gpt-batch2-opset17")));
    const ln = decomposed.ops.filter((op) => op.kind === "layernorm");
    assert.equal(ln.length, 5);
    assert.equal(ln[0]?.attrs["features"], 32);
    assert.ok(Math.abs((ln[0]?.attrs["eps"] as number) - 1e-5) < 1e-9);
    assert.ok(ln.every((op) => op.params === 64));
    assert.equal(decomposed.ops.filter((op) => op.kind === "gelu").length, 2);
    // What stays opaque: the attention scale (Div) and the causal mask (Where).
    assert.deepEqual([...new Set(kinds(decomposed).filter((k) => k.startsWith("opaque")))].sort(), [
      "opaque:Div",
      "opaque:Where",
    ]);
    assert.equal(
      sum(decomposed, (op) => op.params),
      EXPECTED["tiny-gpt"]?.params,
    );
  });

  it("tiny-llama: RMSNorm, SiLU and grouped-query attention written out by torch map back to rmsnorm, silu, linear", () => {
    const g = loadFixture("tiny-llama");
    assert.deepEqual(validateGraph(g), []);
    assert.deepEqual(fallbacksOf("tiny-llama"), []);
    assert.equal(
      sum(g, (op) => op.params),
      EXPECTED["tiny-llama"]?.params,
    );
    const norms = g.ops.filter((op) => op.kind === "rmsnorm");
    assert.equal(norms.length, 5);
    assert.ok(norms.every((op) => op.params === 32 && op.attrs["features"] === 32));
    assert.equal(g.ops.filter((op) => op.kind === "silu").length, 2);
    // q (32→32), k and v (32→16: two KV heads of 8), o, gate, up, down per layer, and the head.
    assert.deepEqual(
      g.ops.filter((op) => op.kind === "linear").map((op) => op.attrs["outFeatures"]),
      [32, 16, 16, 32, 64, 64, 32, 32, 16, 16, 32, 64, 64, 32, 100],
    );
    // repeat_interleave of the KV heads (Expand) is the one operator left opaque besides scale and mask.
    assert.deepEqual([...new Set(g.ops.filter((op) => op.kind === "opaque").map((op) => op.attrs["op"]))].sort(), [
      "Div",
      "Expand",
      "Where",
    ]);
  });

  it("weights are never copied: decoded raw_data are views into the file's bytes", () => {
    const p = mlpParts();
    const w = p.initializers?.[0];
    assert.ok(w);
    w.rawData = new Uint8Array(16 * 8 * 4).fill(7);
    const bytes = modelBytes(p);
    const m = decodeOnnxModel(bytes, "mlp.onnx");
    assert.ok(m.ok);
    const raw = m.value.graph?.initializer[0]?.rawData;
    assert.equal(raw?.length, 16 * 8 * 4);
    assert.equal(raw?.buffer, bytes.buffer);
    assert.ok(readOnnx(bytes, "mlp.onnx").ok);
  });

  it("weights stored in an external file or as a sparse tensor count by their dims and stored values", () => {
    const p = mlpParts();
    const external = p.initializers?.[0];
    assert.ok(external);
    external.dataLocation = TensorProto_DataLocation.EXTERNAL;
    external.externalData = [create(StringStringEntryProtoSchema, { key: "location", value: "weights.bin" })];
    const sparse = create(SparseTensorProtoSchema, {
      dims: [4n, 16n],
      values: tensor("w2", [10]),
      indices: tensor("w2_idx", [10], 7),
    });
    const withoutW2 = { ...p, initializers: (p.initializers ?? []).filter((t) => t.name !== "w2") };
    const m = fromBinary(ModelProtoSchema, modelBytes(withoutW2));
    m.graph?.sparseInitializer.push(sparse);
    const r = readOnnx(toBinary(ModelProtoSchema, m), "external.onnx");
    assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.issues));
    // w1 (16·8) + b1 (16) + the 10 stored values of the sparse w2 + b2 (4).
    assert.equal(
      sum(r.value, (op) => op.params),
      16 * 8 + 16 + 10 + 4,
    );
  });

  it("weights stored as Constant nodes count like initializers", () => {
    assert.deepEqual(loadFixture("tiny-mlp-constants").ops, loadFixture("tiny-mlp").ops);
  });

  it("value_info written by ONNX's shape inference agrees with dagpipe's, so the file reads the same", () => {
    const r = readOnnx(fixtureBytes("branch-cnn-shapes"), "branch-cnn-shapes.onnx");
    assert.ok(r.ok);
    assert.equal(r.warnings, undefined);
    assert.deepEqual(r.value.ops, loadFixture("branch-cnn").ops);
  });

  it("an operator nobody knows is kept as opaque with zero cost and one warning naming it", () => {
    const r = readOnnx(fixtureBytes("tiny-mlp-custom-op"), "custom.onnx");
    assert.ok(r.ok);
    assert.equal(r.warnings?.length, 1);
    const w = r.warnings?.[0];
    assert.equal(w?.code, "unsupported");
    assert.equal(w?.file, "custom.onnx");
    assert.deepEqual(w?.path, ["graph", "node", 2]);
    assert.match(w?.message ?? "", /FancyNorm/);
    const op = r.value.ops.find((o) => o.kind === "opaque");
    assert.deepEqual(op?.attrs, { op: "FancyNorm", domain: "com.example" });
    assert.equal(op?.fwdFlopsPerSample, 0);
    assert.deepEqual(op?.outShape, [64]);
    // Its output shape was assumed equal to its input, so the next layer is still costed.
    assert.equal(
      sum(r.value, (o) => o.params),
      EXPECTED["tiny-mlp"]?.params,
    );
    assert.equal(macs(r.value), EXPECTED["tiny-mlp"]?.convLinearMacsPerSample);
  });

  it("torch's TransformerEncoder loads with exact parameters (MHA's merged batch falls back to opaque only for two transposes)", () => {
    const g = loadFixture("tiny-encoder");
    assert.deepEqual(validateGraph(g), []);
    assert.equal(
      sum(g, (op) => op.params),
      EXPECTED["tiny-encoder"]?.params,
    );
    assert.deepEqual(
      fallbacksOf("tiny-encoder").map((f) => f.opType),
      ["Transpose", "Transpose"],
    );
  });
});

describe("a real-world paddle2onnx model and symbolic sizes", () => {
  it("PaddleOCR's classifier (weights in Constant nodes, opset 9, symbolic image size) loads with every node shaped", () => {
    const r = readOnnx(fixtureBytes("paddle-ocr-cls"), "cls.onnx");
    assert.ok(r.ok);
    assert.deepEqual(validateGraph(r.value), []);
    assert.deepEqual(fallbacksOf("paddle-ocr-cls"), []);
    // Height and width are symbolic: each symbol is named once, at the input, with the size taken.
    assert.deepEqual(
      r.warnings?.map((w) => [w.code, w.path, w.got]),
      [
        ["unsupported", ["graph", "input", 0], "p2o.DynamicDimension.1"],
        ["unsupported", ["graph", "input", 0], "p2o.DynamicDimension.2"],
      ],
    );
    assert.deepEqual(r.value.ops[0]?.outShape, [3, 224, 224]);
    assert.equal(r.value.ops.filter((op) => op.kind === "conv2d").length, 53);
    assert.equal(r.value.ops.filter((op) => op.outShape.length === 0).length, 0, "no op with an unknown shape");
  });

  it("a size for a symbol can be given; a guessed one that does not fit an operator is a warning, not an error", () => {
    const bytes = modelBytes({
      nodes: [node("MaxPool", ["x"], ["y"], { kernel_shape: [300, 300], strides: [300, 300] })],
      inputs: [valueInfo("x", ["batch", 3, "h", "w"])],
      outputs: [valueInfo("y", ["batch", 3, "oh", "ow"])],
    });
    const guessed = readOnnx(bytes, "pool.onnx");
    assert.ok(guessed.ok);
    assert.ok(guessed.warnings?.some((w) => w.code === "shape-mismatch"));
    const given = readOnnx(bytes, "pool.onnx", { dims: { h: 600, w: 300 } });
    assert.ok(given.ok);
    assert.deepEqual(given.value.ops[1]?.outShape, [3, 2, 1]);
    assert.equal(given.warnings, undefined);
  });
});
