/** Reader of Checkmate's node-link training graphs: the stored MLSys graphs and hostile input. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { looksLikeCheckmateGraph, readCheckmateGraph } from "../../src/io/checkmate-graph.js";
import { totalCost } from "../../src/remat/training-graph-layout.js";
import { CHECKMATE_DIR, CHECKMATE_FILES, checkmateGraph, skipWithoutCheckmate } from "../remat/checkmate-graphs.js";

/** A tiny valid training graph: forward a → b, loss, gradients (the Checkmate extractor's edges). */
function tiny(): Record<string, unknown> {
  const node = (id: number, name: string, backward: boolean, cpu = 10, ram = 100) => ({
    id,
    name,
    backward,
    cost_cpu: cpu,
    cost_ram: ram,
  });
  return {
    directed: true,
    multigraph: false,
    graph: { name: "tiny_8_(4,)_train" },
    nodes: [
      node(0, "a", false),
      node(1, "b", false),
      node(2, "Loss", true, 0, 4),
      node(3, "gb", true),
      node(4, "ga", true),
    ],
    links: [
      [0, 1],
      [1, 2],
      [2, 3],
      [1, 3],
      [3, 4],
      [1, 4],
      [0, 4],
    ].map(([source, target]) => ({ source, target })),
  };
}

const read = (doc: unknown) => readCheckmateGraph(JSON.stringify(doc), "g.json");

describe("readCheckmateGraph", () => {
  test("a small valid graph: layout, edges, units, batch from the name", () => {
    const r = read(tiny());
    assert.ok(r.ok);
    const g = r.value;
    assert.deepEqual(
      g.nodes.map((x) => x.kind),
      ["forward", "forward", "loss", "backward", "backward"],
    );
    assert.deepEqual(g.deps[4], [0, 1, 3]);
    assert.deepEqual(g.users[1], [2, 3, 4]);
    assert.equal(g.costUnit, "profiled");
    assert.equal(g.batch, 8);
    assert.equal(g.fixedBytes, 0);
    assert.ok(looksLikeCheckmateGraph(tiny()));
    assert.ok(!looksLikeCheckmateGraph({ ops: [] }));
  });

  test("costs that are not multiples of 5 are read as FLOPs", () => {
    const doc = tiny();
    (doc["nodes"] as { cost_cpu: number }[])[0]!.cost_cpu = 12345678;
    const r = read(doc);
    assert.ok(r.ok);
    assert.equal(r.value.costUnit, "flops");
  });

  test("bad JSON is a parse error with its line", () => {
    const r = readCheckmateGraph('{\n  "nodes": [\n  }', "bad.json");
    assert.ok(!r.ok);
    assert.equal(r.issues[0]?.code, "parse-error");
    assert.equal(r.issues[0]?.file, "bad.json");
    assert.equal(typeof r.issues[0]?.line, "number");
  });

  test("every bad node and link is reported with its path", () => {
    const doc = tiny();
    const nodes = doc["nodes"] as Record<string, unknown>[];
    nodes[1]!["cost_ram"] = -5;
    delete nodes[3]!["backward"];
    (doc["links"] as Record<string, unknown>[]).push({ source: 4, target: 9 }, { source: 3, target: 1 });
    const r = read(doc);
    assert.ok(!r.ok);
    const found = r.issues.map((i) => [i.code, i.path]);
    assert.deepEqual(found, [
      ["bad-number", ["nodes", 1, "cost_ram"]],
      ["missing-field", ["nodes", 3, "backward"]],
      ["unknown-input", ["links", 7, "target"]],
      ["cycle", ["links", 8]],
    ]);
  });

  test("duplicate and out-of-range ids", () => {
    const doc = tiny();
    const nodes = doc["nodes"] as Record<string, unknown>[];
    nodes[2]!["id"] = 1;
    nodes[4]!["id"] = 17;
    const r = read(doc);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.path]),
      [
        ["duplicate-id", ["nodes", 2, "id"]],
        ["invalid-value", ["nodes", 4, "id"]],
      ],
    );
  });

  test("a forward-only (inference) graph is unsupported, not a crash", () => {
    const doc = {
      directed: true,
      nodes: [0, 1].map((id) => ({ id, name: `l${id}`, backward: false, cost_cpu: 5, cost_ram: 8 })),
      links: [{ source: 0, target: 1 }],
    };
    const r = read(doc);
    assert.ok(!r.ok);
    assert.equal(r.issues[0]?.code, "unsupported");
    assert.deepEqual(r.issues[0]?.path, ["nodes"]);
  });

  test("a layout other than forward / Loss / gradients is refused", () => {
    const doc = tiny();
    (doc["nodes"] as Record<string, unknown>[])[1]!["backward"] = true;
    const r = read(doc);
    assert.ok(!r.ok);
    assert.deepEqual(r.issues[0]?.path, ["nodes", 1, "backward"]);
  });

  test("hostile shapes never throw", () => {
    for (const text of ["null", "[]", '"x"', "{}", '{"nodes": 3, "links": []}', '{"nodes": [1, null], "links": [7]}']) {
      const r = readCheckmateGraph(text, "h.json");
      assert.ok(!r.ok, text);
      assert.ok(r.issues.length > 0);
    }
  });
});

describe("Checkmate's MLSys graphs", { skip: skipWithoutCheckmate }, () => {
  // n, m and Σ cost from research note §7 / §8.1.
  const expected = {
    vgg16: { n: 45, m: 87, cost: 15_500, unit: "profiled", fixed: 8 * 138_357_544 },
    vgg19: { n: 51, m: 99, cost: 9_493_135, unit: "profiled", fixed: 8 * 143_667_240 },
    mobilenet: { n: 185, m: 367, cost: 162_080, unit: "profiled", fixed: 8 * 4_253_864 },
    resnet50: { n: 353, m: 751, cost: 405_670, unit: "profiled", fixed: 8 * 25_636_712 },
    unet: { n: 71, m: 148, cost: 31_005, unit: "profiled", fixed: 0 },
    fcn8: { n: 73, m: 149, cost: 10_275_337_746_048, unit: "flops", fixed: 0 },
    segnet: { n: 77, m: 151, cost: 4_933_130, unit: "profiled", fixed: 0 },
  } as const;
  for (const [model, want] of Object.entries(expected)) {
    test(`${model}: size, edges, total cost, units, fixed memory`, () => {
      const g = checkmateGraph(model as keyof typeof CHECKMATE_FILES);
      assert.equal(g.nodes.length, want.n);
      assert.equal(
        g.deps.reduce((s, d) => s + d.length, 0),
        want.m,
      );
      assert.equal(totalCost(g), want.cost);
      assert.equal(g.costUnit, want.unit);
      assert.equal(g.fixedBytes, want.fixed);
    });
  }

  test("VGG16 block1_conv1 holds 224·224·64·256·4 bytes", () => {
    const g = checkmateGraph("vgg16");
    assert.equal(g.nodes[0]?.name, "block1_conv1");
    assert.equal(g.nodes[0]?.memBytes, 224 * 224 * 64 * 256 * 4);
    assert.equal(g.batch, 256);
  });

  test("the forward-only _test graphs are refused as unsupported", () => {
    const file = CHECKMATE_FILES.vgg16.replace("_train_", "_test_");
    const r = readCheckmateGraph(readFileSync(CHECKMATE_DIR + file, "utf8"), file);
    assert.ok(!r.ok);
    assert.equal(r.issues[0]?.code, "unsupported");
  });
});
