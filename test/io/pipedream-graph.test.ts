import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { topologicalOrder } from "../../src/graph/topo-order.js";
import type { Graph } from "../../src/graph/types.js";
import { validateGraph } from "../../src/graph/validate.js";
import { looksLikePipeDreamGraph, readPipeDreamGraph } from "../../src/io/pipedream-graph.js";
import type { Issue } from "../../src/util/issues.js";

const fixture = (model: string) => `test/fixtures/pipedream/${model}/graph.txt`;
const text = (model: string) => readFileSync(fixture(model), "utf8");

function read(model: string, batch?: number): Graph {
  const r = readPipeDreamGraph(text(model), fixture(model), batch === undefined ? {} : { batch });
  assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.issues));
  return r.value;
}

function issuesOf(src: string, options: { batch?: number } = { batch: 8 }): Issue[] {
  const r = readPipeDreamGraph(src, "bad.txt", options);
  assert.ok(!r.ok, "expected the reader to fail");
  for (const i of r.issues) assert.equal(i.file, "bad.txt");
  return [...r.issues];
}
const codesAndLines = (issues: readonly Issue[]) => issues.map((i) => [i.code, i.line]);

const sum = (g: Graph, f: (op: Graph["ops"][number]) => number) => g.ops.reduce((s, op) => s + f(op), 0);
const fwdMs = (g: Graph) => sum(g, (op) => op.profile!.points[0]!.fwdSec * 1000);
const bwdMs = (g: Graph) => sum(g, (op) => op.profile!.points[0]!.bwdSec * 1000);
const paramMB = (g: Graph) => sum(g, (op) => op.paramBytes) / 1e6;
const edgeCount = (g: Graph) => sum(g, (op) => op.inputs.length);

/**
 * pipedream.md §2 table (nodes, edges, Σfwd ms, Σbwd ms, params MB, inferred batch). Σfwd there includes the
 * `Input` node's own forward time (data loading), which PipeDream's optimizer zeroes and so does the reader:
 * `inputFwdMs` is that node's time in the file.
 */
const TABLE = [
  { model: "vgg16", nodes: 41, edges: 41, fwd: 251.9, inputFwdMs: 17.972, bwd: 438.6, mb: 553.4, batch: 128 },
  { model: "resnet50", nodes: 177, edges: 193, fwd: 201.5, inputFwdMs: 18.962, bwd: 260.9, mb: 102.2, batch: 128 },
  { model: "resnet101", nodes: 347, edges: 380, fwd: 207.7, inputFwdMs: 10.417, bwd: 213.8, mb: 178.2, batch: 64 },
  { model: "inception_v3", nodes: 326, edges: 362, fwd: 311.0, inputFwdMs: 21.7, bwd: 399.8, mb: 108.6, batch: 128 },
] as const;

describe("readPipeDreamGraph on PipeDream's published profiles", () => {
  for (const row of TABLE) {
    it(`${row.model}: counts, Σ times, parameters and inferred batch match pipedream.md §2`, () => {
      const g = read(row.model);
      assert.equal(g.name, row.model);
      assert.equal(g.ops.length, row.nodes); // no __getitem__ sinks in image models; Input kept as an input op
      assert.equal(edgeCount(g), row.edges);
      assert.ok(Math.abs(fwdMs(g) + row.inputFwdMs - row.fwd) < 0.05, `Σfwd ${fwdMs(g)}`);
      assert.ok(Math.abs(bwdMs(g) - row.bwd) < 0.05, `Σbwd ${bwdMs(g)}`);
      assert.ok(Math.abs(paramMB(g) - row.mb) < 0.05, `params ${paramMB(g)} MB`);
      assert.equal(g.source?.["profiledBatch"], row.batch);
      assert.match(String(g.source?.["batchAssumed"]), /inferred/);
      assert.equal(g.dtype, "fp32");
      assert.deepEqual(validateGraph(g), []);
      assert.deepEqual(topologicalOrder(g), g.ops, "ops come in topological order");
      assert.equal(g.ops[0]!.kind, "input");
    });
  }

  it("inception_v3's batch is inferred from a 299×299 image, vgg16's from 224×224", () => {
    assert.match(String(read("inception_v3").source?.["batchAssumed"]), /299×299×3/);
    assert.match(String(read("vgg16").source?.["batchAssumed"]), /224×224×3/);
  });

  it("maps a node's numbers: Conv2d(128, 256, 3×3) of vgg16", () => {
    const g = read("vgg16");
    const conv = g.ops.find((op) => op.id === "node12")!;
    assert.equal(conv.kind, "opaque");
    assert.equal(conv.attrs["op"], "Conv2d");
    assert.equal(conv.name, "Conv2d(128, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
    assert.equal(conv.params, 128 * 256 * 9 + 256);
    assert.equal(conv.paramBytes, 1_180_672);
    assert.equal(conv.outBytesPerSample, 411_041_792 / 128);
    assert.equal(conv.savedBytesPerSample, conv.outBytesPerSample);
    assert.deepEqual(conv.profile, {
      device: "V100",
      points: [{ microBatch: 128, fwdSec: 0.010814, bwdSec: 0.018335 }],
    });
    assert.deepEqual(conv.inputs, ["node11"]);
  });

  it("zeroes the Input source as PipeDream's optimizer does, keeping it as an input op", () => {
    const input = read("vgg16").ops[0]!;
    assert.equal(input.id, "node1");
    assert.equal(input.kind, "input");
    assert.deepEqual([input.outBytesPerSample, input.params, input.profile!.points[0]!.fwdSec], [0, 0, 0]);
  });

  it("GNMT: needs the batch, drops its 8 __getitem__ sinks (48 nodes / 58 edges → 40 / 50), sums list activations", () => {
    const missing = issuesOf(text("gnmt"), {});
    assert.deepEqual(codesAndLines(missing), [["missing-field", 2]]); // line 2: the Embedding, the first layer
    const g = read("gnmt", 128);
    assert.equal(g.ops.length, 40);
    assert.equal(edgeCount(g), 50);
    assert.ok(
      g.ops.every((op) => !(op.name!.startsWith("__getitem__") && !g.ops.some((c) => c.inputs.includes(op.id)))),
    );
    assert.ok(
      g.ops.some((op) => op.name!.startsWith("__getitem__")),
      "getitem nodes with consumers are kept",
    );
    const lstm = g.ops.find((op) => op.id === "node7")!;
    assert.equal(lstm.outBytesPerSample, (6_291_456 + 131_072 + 131_072) / 128);
    assert.ok(
      Math.abs(fwdMs(g) - 33.5) < 0.05 && Math.abs(bwdMs(g) - 55.9) < 0.05 && Math.abs(paramMB(g) - 775.1) < 0.05,
    );
    const inputs = g.ops.filter((op) => op.kind === "input");
    assert.deepEqual(
      inputs.map((op) => [op.name, op.attrs["dtype"]]),
      [
        ["Input0", "int64"],
        ["Input1", "float"],
        ["Input2", "int64"],
      ],
    );
    assert.equal(g.source?.["batchAssumed"], "given by the user");
    assert.deepEqual(validateGraph(g), []);
  });

  it("GNMT-16: 96 nodes / 122 edges, 16 __getitem__ sinks dropped", () => {
    const g = read("gnmt_large", 128);
    assert.equal(g.ops.length, 96 - 16);
    assert.equal(edgeCount(g), 122 - 16);
    assert.ok(Math.abs(fwdMs(g) - 182.6) < 0.05 && Math.abs(paramMB(g) - 1110.9) < 0.05);
  });

  it("is picked by content", () => {
    for (const m of ["vgg16", "gnmt"]) assert.ok(looksLikePipeDreamGraph(text(m)));
    assert.ok(!looksLikePipeDreamGraph('{"ops": []}'));
    assert.ok(!looksLikePipeDreamGraph(""));
  });
});

const M = "forward_compute_time=1.0, backward_compute_time=2.0, activation_size=80.0, parameter_size=40.0";

describe("readPipeDreamGraph on small and bad inputs", () => {
  it("reads CRLF text, stage_id fields and a user batch", () => {
    const src = [`a -- Input0 -- ${M}`, `b -- Linear(2, 3) -- ${M} -- stage_id=0`, "\ta -- b", ""].join("\r\n");
    const r = readPipeDreamGraph(src, "tiny.txt", { batch: 4 });
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.ops.map((op) => [op.id, op.kind, op.outBytesPerSample]),
      [
        ["a", "input", 0],
        ["b", "opaque", 20],
      ],
    );
    assert.equal(r.value.name, "tiny");
    assert.deepEqual(r.value.ops[1]!.attrs, { op: "Linear", stageId: 0 });
  });

  it("keeps an Input-named node that has inputs as a normal op", () => {
    const src = [`a -- Conv -- ${M}`, `b -- InputLike -- ${M}`, "\ta -- b"].join("\n");
    const r = readPipeDreamGraph(src, "x.txt", { batch: 1 });
    assert.ok(r.ok);
    assert.equal(r.value.ops[1]!.kind, "opaque");
  });

  it("reports every bad line with its line number and code", () => {
    const src = [
      `a -- Conv -- ${M}`, // 1 ok
      "b -- only two fields", // 2 parse-error
      "c -- X -- forward_compute_time=abc, backward_compute_time=2, activation_size=1, parameter_size=1", // 3 bad-number
      "d -- X -- forward_compute_time=1, backward_compute_time=2, activation_size=1", // 4 missing-field
      `e -- X -- ${M}, flops=3`, // 5 unknown-field
      "f -- X -- forward_compute_time=-1, backward_compute_time=2, activation_size=[1; x], parameter_size=1", // 6 two bad numbers
      `g -- X -- ${M} -- stage=1`, // 7 parse-error (stage field)
      "\ta", // 8 parse-error (edge)
      "", // 9 blank: ignored
      `a -- Dup -- ${M}`, // 10 duplicate-id
      "\ta -- zz", // 11 unknown-input
    ].join("\n");
    assert.deepEqual(codesAndLines(issuesOf(src)), [
      ["parse-error", 2],
      ["bad-number", 3],
      ["missing-field", 4],
      ["unknown-field", 5],
      ["bad-number", 6],
      ["bad-number", 6],
      ["parse-error", 7],
      ["parse-error", 8],
    ]);
    // Once the lines parse, identity problems are reported (with their lines) before structure.
    const src2 = [`a -- Conv -- ${M}`, `a -- Dup -- ${M}`, "\ta -- zz", "\tyy -- a"].join("\n");
    assert.deepEqual(codesAndLines(issuesOf(src2)), [
      ["duplicate-id", 2],
      ["unknown-input", 3],
      ["unknown-input", 4],
    ]);
  });

  it("reports a cycle and a self-loop at the edge lines that close them", () => {
    const src = [`a -- X -- ${M}`, `b -- X -- ${M}`, `c -- X -- ${M}`, "\ta -- b", "\tb -- a", "\tc -- c"].join("\n");
    const issues = issuesOf(src);
    assert.deepEqual(codesAndLines(issues), [
      ["cycle", 6],
      ["cycle", 5],
    ]);
    assert.match(issues[1]!.message, /a → b → a/);
  });

  it("reports an empty file, a file of blanks and a bad batch option", () => {
    assert.deepEqual(codesAndLines(issuesOf("")), [["empty-graph", 1]]);
    assert.deepEqual(codesAndLines(issuesOf("\n \n")), [["empty-graph", 1]]);
    assert.deepEqual(
      issuesOf(`a -- X -- ${M}`, { batch: 0 }).map((i) => i.code),
      ["bad-option"],
    );
  });

  it("asks for the batch when the first layer is not an image conv", () => {
    const src = [`a -- Input0 -- ${M}`, `b -- Linear(2, 3) -- ${M}`, "\ta -- b"].join("\n");
    assert.deepEqual(codesAndLines(issuesOf(src, {})), [["missing-field", 2]]);
    // A 3-channel conv whose activation bytes are not a whole number of 224² or 299² outputs: not guessed.
    const odd = `a -- Conv2d(3, 8, kernel_size=(3, 3)) -- forward_compute_time=1, backward_compute_time=1, activation_size=1000, parameter_size=0`;
    assert.deepEqual(codesAndLines(issuesOf(odd, {})), [["missing-field", 1]]);
  });
});
