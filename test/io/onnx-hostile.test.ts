/**
 * Hostile and broken ONNX files: each one is an issue with a code and a place (byte offset and field path
 * for broken bytes, graph.node[i]… for a wrong graph), never an exception.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readOnnx } from "../../src/io/onnx/read-onnx.js";
import type { Issue } from "../../src/util/issues.js";
import { type ModelParts, mlpParts, modelBytes, node, tensor, valueInfo } from "./onnx-build.js";
import { fixtureBytes } from "./onnx-fixture-helpers.js";

function issuesOf(bytes: Uint8Array, file = "bad.onnx"): readonly Issue[] {
  const r = readOnnx(bytes, file);
  assert.equal(r.ok, false, "the file must be rejected");
  if (r.ok) return [];
  for (const i of r.issues) assert.equal(i.file, file);
  return r.issues;
}

function codesAndPaths(issues: readonly Issue[]) {
  return issues.map((i) => ({ code: i.code, path: i.path }));
}

function edit(change: (p: ModelParts) => Partial<ModelParts>): Uint8Array {
  const base = mlpParts();
  return modelBytes({ ...base, ...change(base) });
}

describe("broken bytes", () => {
  it("the valid base model loads (so every rejection below is the edit's doing)", () => {
    const r = readOnnx(modelBytes(mlpParts()), "mlp.onnx");
    assert.ok(r.ok);
    assert.equal(
      r.value.ops.reduce((s, o) => s + o.params, 0),
      16 * 8 + 16 + 4 * 16 + 4,
    );
  });

  it("an empty file", () => {
    assert.deepEqual(codesAndPaths(issuesOf(new Uint8Array(0))), [{ code: "parse-error", path: [] }]);
  });

  it("a truncated real model names the byte offset and the field being read", () => {
    const full = fixtureBytes("resnet18");
    for (const cut of [1, 3, 100, 5000, full.length - 1]) {
      const issues = issuesOf(full.subarray(0, cut));
      assert.equal(issues.length, 1);
      assert.equal(issues[0]?.code, "parse-error");
      assert.match(issues[0]?.got ?? "", /^byte offset \d+$/);
    }
    // Cut inside the graph's nodes: the path goes down to the node being read.
    const path = issuesOf(full.subarray(0, 5000))[0]?.path ?? [];
    assert.deepEqual(path.slice(0, 2), ["graph", "node"]);
    assert.equal(typeof path[2], "number");
  });

  it("a JSON document given to the ONNX reader", () => {
    const issues = issuesOf(new TextEncoder().encode('{"ops": []}'));
    assert.equal(issues[0]?.code, "parse-error");
  });

  it("a field with the wrong wire type", () => {
    // field 7 (graph) as a varint instead of a message
    assert.deepEqual(codesAndPaths(issuesOf(new Uint8Array([0x08, 0x07, 0x38, 0x01]))), [
      { code: "parse-error", path: ["graph"] },
    ]);
  });

  it("messages nested thousands deep (attribute graphs inside attribute graphs)", () => {
    // graph { node { attribute { g { node { attribute { g { … } } } } } } }, built inside out.
    let inner = new Uint8Array(0);
    const wrap = (field: number, body: Uint8Array) => {
      const len: number[] = [];
      let n = body.length;
      do {
        len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n >>>= 7;
      } while (n > 0);
      return new Uint8Array([(field << 3) | 2, ...len, ...body]);
    };
    for (let i = 0; i < 3000; i++) inner = wrap(1, wrap(5, wrap(6, inner))); // node, attribute, g
    const issues = issuesOf(wrap(7, inner));
    assert.equal(issues[0]?.code, "parse-error");
  });

  it("a protobuf that is not a model: no graph", () => {
    assert.deepEqual(codesAndPaths(issuesOf(new Uint8Array([0x08, 0x07]))), [
      { code: "missing-field", path: ["graph"] },
    ]);
  });
});

describe("wrong graphs", () => {
  it("an edge to a tensor nothing produces", () => {
    const bytes = edit((p) => ({ nodes: [p.nodes[0]!, node("Relu", ["nowhere"], ["r"]), p.nodes[2]!] }));
    assert.deepEqual(codesAndPaths(issuesOf(bytes)), [
      { code: "unknown-input", path: ["graph", "node", 1, "input", 0] },
    ]);
  });

  it("a cycle names its nodes", () => {
    const bytes = edit(() => ({
      nodes: [
        node("Add", ["x", "c"], ["a"], {}, "first"),
        node("Relu", ["a"], ["b"], {}, "second"),
        node("Relu", ["b"], ["c"], {}, "third"),
      ],
      outputs: [valueInfo("c", [1, 8])],
    }));
    const issues = issuesOf(bytes);
    assert.deepEqual(codesAndPaths(issues), [{ code: "cycle", path: ["graph", "node", 0] }]);
    assert.match(issues[0]?.message ?? "", /first.*second.*third/);
  });

  it("a tensor produced twice", () => {
    const bytes = edit((p) => ({ nodes: [...p.nodes, node("Relu", ["x"], ["h"])] }));
    assert.deepEqual(codesAndPaths(issuesOf(bytes)), [
      { code: "duplicate-id", path: ["graph", "node", 3, "output", 0] },
    ]);
  });

  it("negative and absurd sizes", () => {
    const bytes = edit((p) => ({
      inputs: [valueInfo("x", [1, -8])],
      initializers: [tensor("w1", [16, 8]), tensor("b1", [-16]), ...(p.initializers ?? []).slice(2)],
    }));
    assert.deepEqual(codesAndPaths(issuesOf(bytes)), [
      { code: "bad-number", path: ["graph", "initializer", 1, "dims", 0] },
      { code: "bad-number", path: ["graph", "input", 0, "type", "tensor_type", "shape", "dim", 1] },
    ]);
    const huge = edit((p) => ({
      initializers: [tensor("w1", [2 ** 30, 2 ** 30]), ...(p.initializers ?? []).slice(1)],
    }));
    assert.deepEqual(codesAndPaths(issuesOf(huge)), [
      { code: "bad-number", path: ["graph", "initializer", 0, "dims"] },
    ]);
  });

  it("weights whose data contradicts their dims", () => {
    const w = tensor("w1", [16, 8]);
    w.rawData = new Uint8Array(10);
    const bytes = edit((p) => ({ initializers: [w, ...(p.initializers ?? []).slice(1)] }));
    assert.deepEqual(codesAndPaths(issuesOf(bytes)), [
      { code: "shape-mismatch", path: ["graph", "initializer", 0, "raw_data"] },
    ]);
  });

  it("shapes that do not fit the operator: every one is reported, at its node", () => {
    const bytes = edit((p) => ({
      initializers: [tensor("w1", [16, 9]), tensor("b1", [16]), tensor("w2", [4, 16]), tensor("b2", [4])],
      nodes: [...p.nodes, node("Conv", ["x", "w2"], ["z"])],
    }));
    assert.deepEqual(codesAndPaths(issuesOf(bytes)), [
      { code: "shape-mismatch", path: ["graph", "node", 0, "input", 1] },
      { code: "shape-mismatch", path: ["graph", "node", 3, "input", 0] },
    ]);
  });

  it("a declared shape that contradicts the operator", () => {
    const bytes = edit(() => ({ outputs: [valueInfo("y", [1, 5])] }));
    assert.deepEqual(codesAndPaths(issuesOf(bytes)), [{ code: "shape-mismatch", path: ["graph", "output", 0] }]);
  });

  it("an attribute of the wrong type", () => {
    const bytes = edit((p) => ({
      nodes: [node("Gemm", ["x", "w1", "b1"], ["h"], { transB: "yes" }), ...p.nodes.slice(1)],
    }));
    assert.deepEqual(codesAndPaths(issuesOf(bytes)), [
      { code: "invalid-type", path: ["graph", "node", 0, "attribute", 0] },
    ]);
  });

  it("an operator asked to make an absurdly large tensor", () => {
    const bytes = modelBytes({
      nodes: [node("Expand", ["x", "s"], ["y"])],
      inputs: [valueInfo("x", [1, 8])],
      outputs: [valueInfo("y", [1, 8])],
      initializers: [tensor("s", [4], 7, [2 ** 20, 2 ** 20, 2 ** 20, 8])],
    });
    assert.deepEqual(codesAndPaths(issuesOf(bytes)), [{ code: "bad-number", path: ["graph", "node", 0] }]);
  });

  it("a Reshape to a size that does not hold the elements", () => {
    const bytes = modelBytes({
      nodes: [node("Reshape", ["x", "s"], ["y"])],
      inputs: [valueInfo("x", [1, 8])],
      outputs: [valueInfo("y", [1, 3, 3])],
      initializers: [tensor("s", [3], 7, [1, 3, 3])],
    });
    assert.deepEqual(codesAndPaths(issuesOf(bytes)), [
      { code: "shape-mismatch", path: ["graph", "node", 0, "input", 1] },
    ]);
  });

  it("nodes out of order still load (ONNX requires order; dagpipe sorts)", () => {
    const p = mlpParts();
    const r = readOnnx(modelBytes({ ...p, nodes: [...p.nodes].reverse() }), "unordered.onnx");
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.ops.map((o) => o.kind),
      ["input", "linear", "relu", "linear", "loss"],
    );
  });
});
