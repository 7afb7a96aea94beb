import assert from "node:assert/strict";
import { test } from "node:test";
import { parallelWidth, seriesParallelDecompose, validateGraph } from "../../src/graph/index.js";
import type { Graph } from "../../src/graph/types.js";
import { buildZooModel, lookupModel, parseModelArgs, ZOO } from "../../src/models/index.js";
import { InputError } from "../../src/util/issues.js";

const params = (g: Graph, keep: (id: string) => boolean = () => true) =>
  g.ops.filter((o) => keep(o.id)).reduce((s, o) => s + o.params, 0);
/** Multiply-adds of the conv and linear ops (how published MAC counts are taken; bias adds are negligible). */
const macs = (g: Graph) =>
  g.ops.filter((o) => o.kind === "conv2d" || o.kind === "linear").reduce((s, o) => s + o.fwdFlopsPerSample / 2, 0);
const width = (g: Graph) => parallelWidth(seriesParallelDecompose(g).tree, g);

function within(actual: number, expected: number, rel: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) <= rel * expected,
    `${what}: ${actual} not within ${rel * 100}% of ${expected}`,
  );
}

test("every zoo model builds with its defaults, validates, and ends in a loss", () => {
  for (const [name, entry] of Object.entries(ZOO)) {
    const g = buildZooModel(name);
    assert.deepEqual(validateGraph(g), [], name);
    const consumed = new Set(g.ops.flatMap((o) => o.inputs));
    const sinks = g.ops.filter((o) => !consumed.has(o.id));
    assert.deepEqual(
      sinks.map((o) => o.kind),
      ["loss"],
      `${name} has one sink and it is the loss`,
    );
    assert.ok(!g.ops.some((o) => o.kind === "dropout" && o.attrs.p !== 0), `${name}: no active dropout`);
    assert.equal(g.source?.model, entry.name);
  }
});

test("GPT-3 175B config: ≈174.6 B params (within 1 %), exactly 12h²+13h per layer", () => {
  const g = buildZooModel("gpt", [
    "--layers",
    "96",
    "--hidden",
    "12288",
    "--heads",
    "96",
    "--seq",
    "2048",
    "--vocab",
    "50257",
  ]);
  const h = 12288;
  within(params(g), 174.6e9, 0.01, "GPT-3");
  assert.equal(
    params(g, (id) => id.startsWith("layer0.")),
    12 * h * h + 13 * h,
  );
  assert.equal(params(g), 96 * (12 * h * h + 13 * h) + (50257 + 2048) * h + 2 * h);
});

test("GPT-2 small defaults: 124,439,808 params (Hugging Face gpt2)", () => {
  assert.equal(params(buildZooModel("gpt")), 124_439_808);
});

test("Llama-2-7B shape through gpt options: 6,738,415,616 params (published 6.74 B)", () => {
  const g = buildZooModel("gpt", [
    "--layers=32",
    "--hidden=4096",
    "--heads=32",
    "--seq=4096",
    "--vocab=32000",
    "--mlp=swiglu",
    "--norm=rmsnorm",
    "--positions=none",
    "--no-tied-embeddings",
    "--no-bias",
  ]);
  assert.equal(params(g), 6_738_415_616);
  assert.ok(g.ops.some((o) => o.id === "layer0.glu" && o.kind === "mul"));
  const gqa = buildZooModel("gpt", [
    "--layers=1",
    "--hidden=64",
    "--heads=8",
    "--kv-heads=2",
    "--seq=16",
    "--vocab=10",
  ]);
  const attn = gqa.ops.find((o) => o.kind === "attention")!;
  assert.equal(attn.params, 64 * 64 + 2 * 64 * 16 + 64 * 64 + (64 + 2 * 16 + 64));
});

test("BERT-large: 335,141,888 params in encoder + pooler (≈335 M), plus the 2-class classifier", () => {
  const g = buildZooModel("bert");
  assert.equal(
    params(g, (id) => id !== "classifier"),
    335_141_888,
  );
  assert.equal(params(g), 335_141_888 + 1024 * 2 + 2);
  const mlm = buildZooModel("bert", ["--head", "mlm"]);
  // encoder without pooler + transform dense/norm + decoder bias (decoder weight tied to the embedding)
  assert.equal(params(mlm), 335_141_888 - (1024 * 1024 + 1024) + (1024 * 1024 + 1024) + 2048 + 30522);
  assert.ok(!g.ops.some((o) => o.kind === "attention" && o.attrs.causal), "bidirectional");
});

test("ResNet-50: 25,557,032 params exactly, ≈4.1 G multiply-adds per 224² image (within 3 %)", () => {
  const g = buildZooModel("resnet50");
  assert.equal(params(g), 25_557_032);
  within(macs(g), 4.1e9, 0.03, "ResNet-50 MACs");
  // torchvision's other depths (checked with torchvision 0.14)
  const depths: [string, number][] = [
    ["18", 11_689_512],
    ["34", 21_797_672],
    ["101", 44_549_160],
    ["152", 60_192_808],
  ];
  for (const [d, n] of depths) assert.equal(params(buildZooModel("resnet50", ["--depth", d])), n, `resnet${d}`);
});

test("VGG-16: 138,357,544 params exactly; GoogLeNet 6,624,904 and ≈1.5 G MACs; U-Net 31,030,658", () => {
  const vgg = buildZooModel("vgg16");
  assert.equal(params(vgg), 138_357_544);
  within(macs(vgg), 15.47e9, 0.01, "VGG-16 MACs (torchvision: 15.47 G)");
  const inception = buildZooModel("inception");
  assert.equal(params(inception), 6_624_904);
  within(macs(inception), 1.5e9, 0.03, "GoogLeNet MACs");
  const concat = inception.ops.find((o) => o.id === "inception3a.concat")!;
  assert.equal(concat.inputs.length, 4, "an Inception module has 4 branches");
  assert.equal(params(buildZooModel("unet")), 31_030_658);
  const unet = buildZooModel("unet", ["--depth", "2", "--image", "64"]);
  assert.ok(unet.ops.some((o) => o.kind === "conv-transpose2d"));
  assert.equal(unet.ops.filter((o) => o.kind === "concat").length, 2, "one skip concat per level");
});

test("mmt defaults: 4 branches of 8 layers; the 32 transformer layers hold ≈0.40 B params", () => {
  const g = buildZooModel("mmt");
  assert.equal(g.ops.filter((o) => o.kind === "input").length, 4);
  assert.equal(g.ops.filter((o) => o.kind === "attention").length, 32);
  const layerParams = params(g, (id) => /^b\d+\.layer\d+\./.test(id));
  assert.equal(layerParams, 32 * 12_596_224);
  within(layerParams, 0.4e9, 0.01, "MMT layers");
  assert.equal(width(g), 4);
  assert.equal(width(buildZooModel("mmt", ["--branches", "6", "--layers", "2"])), 6);
});

test("dlrm: 7 dense + 7 sparse branches (14), 7 × 64 M embedding rows, 4096-wide MLPs", () => {
  const g = buildZooModel("dlrm");
  assert.equal(width(g), 14);
  assert.equal(
    params(g, (id) => id.startsWith("sparse")),
    7 * 1_000_000 * 64,
  );
  assert.equal(
    params(g, (id) => id.startsWith("dense")),
    7 * 4 * 4096 * 4096,
  );
  const cat = g.ops.find((o) => o.id === "interact")!;
  assert.deepEqual(cat.outShape, [7 * 4096 + 7 * 64]);
});

test("candle-uno: 7 branches × 4 layers of 4096; nbranch: the branch count is an option", () => {
  const c = buildZooModel("candle-uno");
  assert.equal(width(c), 7);
  assert.equal(
    params(c, (id) => id.startsWith("branch")),
    7 * 4 * 4096 * 4096,
  );
  const n = buildZooModel("nbranch");
  assert.equal(width(n), 2);
  assert.equal(n.ops.filter((o) => o.kind === "attention").length, 8);
  assert.equal(n.ops.filter((o) => o.kind === "linear").length, 16);
  assert.equal(width(buildZooModel("nbranch", ["--branches", "5"])), 5);
});

test("gpt is a chain (1 branch) and --layers 2000 gives tens of thousands of fine-grained ops", () => {
  assert.equal(width(buildZooModel("gpt", ["--layers", "4"])), 1);
  const big = buildZooModel("gpt", ["--layers", "2000", "--hidden", "256", "--heads", "4", "--seq", "128"]);
  assert.ok(big.ops.length >= 16_000, `${big.ops.length} ops`);
  const kinds = new Set(big.ops.filter((o) => o.id.startsWith("layer7.")).map((o) => o.kind));
  assert.deepEqual([...kinds].sort(), ["add", "attention", "gelu", "layernorm", "linear"]);
});

test("lookup ignores case; a miss lists every model", () => {
  const r = lookupModel("ResNet50");
  assert.ok(r.ok && r.value.name === "resnet50");
  const miss = lookupModel("gpt5");
  assert.ok(!miss.ok);
  assert.equal(miss.issues[0]!.code, "unknown-model");
  for (const name of Object.keys(ZOO)) assert.ok(miss.issues[0]!.expected!.includes(name));
});

test("model options: kebab or camel flags, booleans, enums; bad ones are bad-option issues naming the option", () => {
  const gpt = ZOO.gpt!;
  const r = parseModelArgs(gpt, ["--kv-heads", "4", "--tiedEmbeddings", "false", "--bias", "--mlp=swiglu"]);
  assert.ok(r.ok);
  assert.equal(r.value.kvHeads, 4);
  assert.equal(r.value.tiedEmbeddings, false);
  assert.equal(r.value.bias, true);
  assert.equal(r.value.mlp, "swiglu");
  const bad = parseModelArgs(gpt, ["--layerz", "3", "--heads", "x", "--mlp", "relu", "--seq"]);
  assert.ok(!bad.ok);
  assert.deepEqual(
    bad.issues.map((i) => [i.code, i.path?.[0]]),
    [
      ["bad-option", "layerz"],
      ["bad-option", "heads"],
      ["bad-option", "mlp"],
      ["bad-option", "seq"],
    ],
  );
  assert.ok(bad.issues[0]!.expected!.includes("--layers") && bad.issues[0]!.expected!.includes("--kv-heads"));
  assert.throws(
    () => buildZooModel("gpt", ["--hidden", "100", "--heads", "3"]),
    (e: unknown) => e instanceof InputError && e.issues[0]!.code === "bad-option" && e.issues[0]!.path?.[0] === "heads",
  );
});
