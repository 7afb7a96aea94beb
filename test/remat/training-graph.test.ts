/** dagpipe Graph → training graph with Checkmate's extractor rules (research note §1). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CostModel } from "../../src/cost/types.js";
import type { Graph, Op } from "../../src/graph/types.js";
import { buildZooModel } from "../../src/models/index.js";
import { trainingGraphFromGraph } from "../../src/remat/training-graph.js";
import { checkTrainingGraph, gradientOf } from "../../src/remat/training-graph-layout.js";
import { graphFromEdges, linearOp } from "../arbitraries.js";

const input: Op = {
  id: "x",
  kind: "input",
  inputs: [],
  attrs: { dtype: "float" },
  outShape: [64],
  outBytesPerSample: 128,
  params: 0,
  paramBytes: 0,
  fwdFlopsPerSample: 0,
  bwdFlopsPerSample: 0,
  savedBytesPerSample: 0,
};
const loss = (from: string): Op => ({
  id: "loss",
  kind: "loss",
  inputs: [from],
  attrs: { fn: "mse" },
  outShape: [1],
  outBytesPerSample: 2,
  params: 0,
  paramBytes: 0,
  fwdFlopsPerSample: 10,
  bwdFlopsPerSample: 10,
  savedBytesPerSample: 0,
});

/** x → op0 → … → op{L-1} → loss, 64 features each. */
function chain(L: number): Graph {
  const ops: Op[] = [input];
  for (let i = 0; i < L; i++)
    ops.push(linearOp(`op${i}`, [i === 0 ? "x" : `op${i - 1}`], { inFeatures: 64, outFeatures: 64 }));
  ops.push(loss(`op${L - 1}`));
  return { name: "chain", dtype: "fp16", ops };
}

describe("trainingGraphFromGraph", () => {
  test("a chain of L layers has Checkmate's 4L - 1 edges (87 for VGG16's 22 layers)", () => {
    for (const L of [1, 2, 5, 22]) {
      const r = trainingGraphFromGraph(chain(L), { batch: 4 });
      assert.ok(r.ok);
      assert.equal(r.value.nodes.length, 2 * L + 1);
      assert.equal(
        r.value.deps.reduce((s, d) => s + d.length, 0),
        4 * L - 1,
      );
      assert.deepEqual(checkTrainingGraph(r.value), []);
    }
  });

  test("memory is output bytes × batch, costs FLOPs × batch; input and parameters are fixed memory", () => {
    const r = trainingGraphFromGraph(chain(3), { batch: 4 });
    assert.ok(r.ok);
    const g = r.value;
    assert.equal(g.costUnit, "flops");
    assert.deepEqual(g.nodes[0], { name: "op0", kind: "forward", cost: 4 * 2 * 64 * 64, memBytes: 4 * 128 });
    assert.deepEqual(g.nodes[gradientOf(g, 0)], {
      name: "grad op0",
      kind: "backward",
      cost: 4 * 4 * 64 * 64,
      memBytes: 4 * 128,
    });
    assert.deepEqual(g.nodes[3], { name: "loss", kind: "loss", cost: 40, memBytes: 8 });
    // 3 layers × 4096 params × 16 B (mixed-precision Adam) + the input batch.
    assert.equal(g.fixedBytes, 3 * 4096 * 16 + 4 * 128);
    // grad(op1) reads op1 (its own output), op2 (its consumer's output) and grad(op2).
    assert.deepEqual(g.deps[gradientOf(g, 1)], [1, 2, gradientOf(g, 2)]);
  });

  test("a cost model gives seconds", () => {
    const costModel = { device: {}, opTime: (op: Op, b: number) => ({ fwdSec: b * 1e-3, bwdSec: op.params * 1e-9 }) };
    const r = trainingGraphFromGraph(chain(2), { batch: 8, costModel: costModel as unknown as CostModel });
    assert.ok(r.ok);
    assert.equal(r.value.costUnit, "sec");
    assert.equal(r.value.nodes[0]?.cost, 8e-3);
    assert.equal(r.value.nodes[4]?.cost, 4096e-9);
  });

  test("a stage (subset of ops) without the loss: outputs feed a synthetic loss, received inputs are fixed", () => {
    const r = trainingGraphFromGraph(chain(4), { batch: 2, ops: ["op1", "op2"] });
    assert.ok(r.ok);
    const g = r.value;
    assert.deepEqual(
      g.nodes.map((x) => x.name),
      ["op1", "op2", "output gradients", "grad op2", "grad op1"],
    );
    assert.equal(g.nodes[2]?.memBytes, 2 * 128);
    assert.equal(g.fixedBytes, 2 * 4096 * 16 + 2 * 128);
  });

  test("branches: every unread output joins the loss", () => {
    // 0 → {1, 2}; 1 and 2 both unread.
    const graph = graphFromEdges(3, [
      [0, 1],
      [0, 2],
    ]);
    const r = trainingGraphFromGraph(graph, { batch: 1 });
    assert.ok(r.ok);
    assert.deepEqual(r.value.deps[3], [1, 2]);
  });

  test("zoo models build valid training graphs", () => {
    for (const name of ["vgg16", "resnet50", "unet", "gpt"]) {
      const r = trainingGraphFromGraph(buildZooModel(name, []), { batch: 2 });
      assert.ok(r.ok, name);
      assert.deepEqual(checkTrainingGraph(r.value), [], name);
    }
  });

  test("bad input: batch, unknown op, cycle, two losses", () => {
    const bad = (g: Graph, opts: { batch: number; ops?: string[] }) => {
      const r = trainingGraphFromGraph(g, opts);
      assert.ok(!r.ok);
      return r.issues.map((i) => [i.code, i.path]);
    };
    assert.deepEqual(bad(chain(2), { batch: 0 }), [["bad-option", undefined]]);
    assert.deepEqual(bad(chain(2), { batch: 1, ops: ["nope"] }), [["unknown-op", ["ops", "nope"]]]);
    const cyclic = graphFromEdges(2, [[0, 1]]);
    const ops = cyclic.ops.map((op) => (op.id === "op0" ? { ...op, inputs: ["op1"] } : op));
    assert.deepEqual(bad({ ...cyclic, ops }, { batch: 1 }), [["cycle", ["ops"]]]);
    const twoLosses = chain(2);
    assert.deepEqual(bad({ ...twoLosses, ops: [...twoLosses.ops, { ...loss("op0"), id: "loss2" }] }, { batch: 1 }), [
      ["unsupported", ["ops", "loss2"]],
    ]);
  });
});
