import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Op, OpKind } from "../../src/graph/types.js";
import { validateGraph } from "../../src/graph/validate.js";
import type { Issue } from "../../src/util/issues.js";
import { graphOf, withOp } from "./build.js";

const where = (issues: readonly Issue[]) => issues.map((i) => [i.code, i.path]);

describe("validateGraph", () => {
  it("accepts a valid graph", () => {
    assert.deepEqual(validateGraph(graphOf({ a: [], b: ["a"], c: ["a", "b"] })), []);
  });

  it("reports an empty graph", () => {
    assert.deepEqual(where(validateGraph({ name: "e", dtype: "fp16", ops: [] })), [["empty-graph", ["ops"]]]);
  });

  it("reports duplicate ids at the later op and unknown inputs at the input slot", () => {
    const g = graphOf({ a: [], b: ["a", "nope"] });
    const dup = { ...g, ops: [...g.ops, { ...g.ops[0]!, inputs: ["ghost"] }] };
    assert.deepEqual(where(validateGraph(dup)), [
      ["duplicate-id", ["ops", 2, "id"]],
      ["unknown-input", ["ops", 1, "inputs", 1]],
      ["unknown-input", ["ops", 2, "inputs", 0]],
    ]);
  });

  it("reports an empty id and an unknown kind", () => {
    const g = withOp(
      withOp(graphOf({ a: [], b: ["a"] }), 0, (op) => ({ ...op, id: "" })),
      1,
      (op) => ({ ...op, kind: "convolution" as OpKind, inputs: [] }),
    );
    assert.deepEqual(where(validateGraph(g)), [
      ["invalid-value", ["ops", 0, "id"]],
      ["unknown-kind", ["ops", 1, "kind"]],
    ]);
  });

  it("reports a self-loop as a cycle at the input that closes it", () => {
    const issues = validateGraph(graphOf({ a: [], b: ["a", "b"] }));
    assert.deepEqual(where(issues), [["cycle", ["ops", 1, "inputs", 1]]]);
  });

  it("prints each cycle once, through its lowest-index op, deterministically", () => {
    // Two cycles: a → b → c → a and x → y → x, plus an acyclic tail d.
    const g = graphOf({ a: ["c"], b: ["a"], c: ["b"], d: ["c"], x: ["y"], y: ["x"] });
    const issues = validateGraph(g);
    assert.deepEqual(where(issues), [
      ["cycle", ["ops", 0, "inputs", 0]],
      ["cycle", ["ops", 4, "inputs", 0]],
    ]);
    assert.match(issues[0]!.message, /a → b → c → a/);
    assert.match(issues[1]!.message, /x → y → x/);
    assert.deepEqual(validateGraph(g), issues);
  });

  it("prints the shortest cycle of a component with several cycles", () => {
    // a → b → c → d → a and a → b → a share a and b; one issue for the component, the short cycle.
    const issues = validateGraph(graphOf({ a: ["d", "b"], b: ["a"], c: ["b"], d: ["c"] }));
    assert.equal(issues.length, 1);
    assert.match(issues[0]!.message, /cycle: a → b → a$/);
    assert.deepEqual(issues[0]!.path, ["ops", 0, "inputs", 1]);
  });

  it("finds a cycle at the end of a 100k-op chain without overflowing the stack", () => {
    const inputs: Record<string, string[]> = {};
    const n = 100_000;
    for (let i = 0; i < n; i++) inputs[`o${i}`] = i === 0 ? [`o${n - 1}`] : [`o${i - 1}`];
    const issues = validateGraph(graphOf(inputs));
    assert.deepEqual(where(issues), [["cycle", ["ops", 0, "inputs", 0]]]);
  });

  it("reports negative, NaN and infinite numbers in every numeric field, shape and attribute", () => {
    const bad = (op: Op): Op => ({
      ...op,
      outBytesPerSample: -1,
      params: Number.NaN,
      paramBytes: Number.POSITIVE_INFINITY,
      fwdFlopsPerSample: -0.5,
      bwdFlopsPerSample: Number.NEGATIVE_INFINITY,
      savedBytesPerSample: Number.NaN,
      workspaceBytesPerSample: -2,
      outShape: [4, -1],
      attrs: { inFeatures: Number.NaN, kernel: [3, -3], bias: false, axis: -1, shape: [-1, 4], eps: Number.NaN },
    });
    const issues = validateGraph(withOp(graphOf({ a: [], b: ["a"] }), 1, bad));
    assert.ok(issues.every((i) => i.code === "bad-number"));
    assert.deepEqual(
      issues.map((i) => i.path),
      [
        ["ops", 1, "outBytesPerSample"],
        ["ops", 1, "params"],
        ["ops", 1, "paramBytes"],
        ["ops", 1, "fwdFlopsPerSample"],
        ["ops", 1, "bwdFlopsPerSample"],
        ["ops", 1, "savedBytesPerSample"],
        ["ops", 1, "workspaceBytesPerSample"],
        ["ops", 1, "outShape", 1],
        ["ops", 1, "attrs", "eps"],
        ["ops", 1, "attrs", "inFeatures"],
        ["ops", 1, "attrs", "kernel", 1],
      ],
    );
  });

  it("reports a number field of the wrong type", () => {
    const g = withOp(graphOf({ a: [] }), 0, (op) => ({ ...op, params: "12" as unknown as number }));
    assert.deepEqual(where(validateGraph(g)), [["invalid-type", ["ops", 0, "params"]]]);
  });

  it("reports profile points that are not positive or not sorted, and bad times", () => {
    const g = withOp(graphOf({ a: [], b: ["a"] }), 0, (op) => ({
      ...op,
      profile: {
        points: [
          { microBatch: 2, fwdSec: 0.1, bwdSec: 0.2 },
          { microBatch: 1, fwdSec: -0.1, bwdSec: 0.2 },
          { microBatch: 0, fwdSec: 0.1, bwdSec: Number.NaN },
          { microBatch: 1.5, fwdSec: 0, bwdSec: 0 },
        ],
      },
    }));
    const empty = withOp(graphOf({ a: [] }), 0, (op) => ({ ...op, profile: { points: [] } }));
    assert.deepEqual(where(validateGraph(g)), [
      ["invalid-value", ["ops", 0, "profile", "points", 1, "microBatch"]],
      ["bad-number", ["ops", 0, "profile", "points", 1, "fwdSec"]],
      ["bad-number", ["ops", 0, "profile", "points", 2, "microBatch"]],
      ["bad-number", ["ops", 0, "profile", "points", 2, "bwdSec"]],
      ["bad-number", ["ops", 0, "profile", "points", 3, "microBatch"]],
    ]);
    assert.deepEqual(where(validateGraph(empty)), [["invalid-value", ["ops", 0, "profile", "points"]]]);
  });

  it("collects every problem of a graph at once", () => {
    const g = graphOf({ a: ["b"], b: ["a"], c: ["zz"], d: ["d"] });
    const broken = withOp(g, 2, (op) => ({ ...op, params: -1 }));
    assert.deepEqual(
      where(validateGraph(broken)).map(([code]) => code),
      ["unknown-input", "bad-number", "cycle", "cycle"],
    );
  });
});
