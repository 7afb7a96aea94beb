import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { criticalPath } from "../../src/graph/critical-path.js";
import { indexGraph } from "../../src/graph/graph-index.js";
import { forEachInTopologicalOrder, topologicalGenerations, topologicalOrder } from "../../src/graph/topo-order.js";
import type { Graph } from "../../src/graph/types.js";
import { linearOp } from "../arbitraries.js";
import { graphOf, ids } from "./build.js";

const diamond = graphOf({ d: ["b", "c"], c: ["a"], b: ["a"], a: [] });

describe("indexGraph", () => {
  it("maps ids to indices and deduplicates repeated inputs, sorted ascending", () => {
    const g = graphOf({ a: [], b: ["a"], c: ["b", "a", "b"] });
    const index = indexGraph(g);
    assert.equal(index.byId.get("c"), 2);
    assert.deepEqual(index.preds, [[], [0], [0, 1]]);
    assert.deepEqual(index.succs, [[1, 2], [2], []]);
  });
  it("throws on an unknown input instead of dropping the edge", () => {
    assert.throws(() => indexGraph(graphOf({ a: ["zz"] })), /unknown input "zz"/);
  });
});

describe("topologicalOrder", () => {
  it("sorts a graph listed backwards and breaks ties by original index", () => {
    assert.deepEqual(ids(topologicalOrder(diamond)), ["a", "c", "b", "d"]);
  });
  it("keeps a graph already in topological order unchanged", () => {
    const g = graphOf({ x: [], y: [], z: ["x"], w: ["y", "z"] });
    assert.deepEqual(ids(topologicalOrder(g)), ["x", "y", "z", "w"]);
  });
  it("callback form visits the same order with indices into g.ops", () => {
    const seen: [string, number][] = [];
    forEachInTopologicalOrder(diamond, (op, i) => seen.push([op.id, i]));
    assert.deepEqual(seen, [
      ["a", 3],
      ["c", 1],
      ["b", 2],
      ["d", 0],
    ]);
  });
  it("throws on a cycle", () => {
    assert.throws(() => topologicalOrder(graphOf({ a: ["b"], b: ["a"] })), /not acyclic/);
  });
  it("generations are independent layers listed by index", () => {
    const gens = topologicalGenerations(graphOf({ a: [], b: [], c: ["a"], d: ["c", "b"], e: ["a"] }));
    assert.deepEqual(gens.map(ids), [["a", "b"], ["c", "e"], ["d"]]);
  });
  it("handles 100k ops in a long chain with skip edges (no recursion, no quadratic work)", () => {
    const n = 100_000;
    const ops = Array.from({ length: n }, (_, i) =>
      linearOp(`op${i}`, i === 0 ? [] : i % 3 === 0 && i >= 2 ? [`op${i - 1}`, `op${i - 2}`] : [`op${i - 1}`], {
        inFeatures: 1,
        outFeatures: 1,
      }),
    );
    const g: Graph = { name: "long", dtype: "fp16", ops: [...ops].reverse() };
    const order = topologicalOrder(g);
    assert.equal(order.length, n);
    assert.equal(order[0]!.id, "op0");
    assert.equal(order[n - 1]!.id, `op${n - 1}`);
    assert.equal(topologicalGenerations(g).length, n);
  });
});

describe("criticalPath", () => {
  it("follows the heaviest branch of a diamond", () => {
    const w: Record<string, number> = { a: 1, b: 5, c: 2, d: 1 };
    assert.deepEqual(
      criticalPath(diamond, (op) => w[op.id]!),
      { opIds: ["a", "b", "d"], length: 7 },
    );
  });
  it("breaks ties toward the smallest op index, deterministically", () => {
    assert.deepEqual(
      criticalPath(diamond, () => 1),
      { opIds: ["a", "c", "d"], length: 3 },
    );
  });
  it("returns the heaviest of several components, and nothing for an empty graph", () => {
    const g = graphOf({ a: [], b: ["a"], x: [] });
    const w: Record<string, number> = { a: 1, b: 1, x: 3 };
    assert.deepEqual(
      criticalPath(g, (op) => w[op.id]!),
      { opIds: ["x"], length: 3 },
    );
    assert.deepEqual(
      criticalPath({ name: "e", dtype: "fp16", ops: [] }, () => 1),
      { opIds: [], length: 0 },
    );
  });
});
