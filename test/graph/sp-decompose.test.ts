import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seriesParallelDecompose } from "../../src/graph/sp-decompose.js";
import { spLeaves } from "../../src/graph/sp-tree.js";
import type { Graph } from "../../src/graph/types.js";
import { graphOf } from "./build.js";
import { dlrmLike, gptLike, inceptionBlock } from "./models.js";
import { lostEdges, orderMismatches, shapeProblems, spText } from "./sp-check.js";

function decompose(g: Graph) {
  const d = seriesParallelDecompose(g);
  assert.deepEqual(shapeProblems(d.tree, g), []);
  assert.deepEqual(lostEdges(d.tree, g), []);
  if (g.ops.length <= 60) assert.deepEqual(orderMismatches(d.tree, g, d.addedEdges), []);
  return { text: spText(d.tree), added: d.addedEdges };
}

describe("seriesParallelDecompose on series-parallel graphs", () => {
  it("a single op is a leaf", () => {
    assert.deepEqual(decompose(graphOf({ a: [] })), { text: "a", added: [] });
  });
  it("a chain is one series, whatever the listing order", () => {
    assert.deepEqual(decompose(graphOf({ c: ["b"], a: [], b: ["a"] })), { text: "s(a,b,c)", added: [] });
  });
  it("a diamond is series(a, parallel(b, c), d)", () => {
    assert.deepEqual(decompose(graphOf({ a: [], b: ["a"], c: ["a"], d: ["b", "c"] })), {
      text: "s(a,p(b,c),d)",
      added: [],
    });
  });
  it("a residual block is a series: the skip edge is implied, not a branch", () => {
    const g = graphOf({ x: [], ln: ["x"], attn: ["ln"], add: ["x", "attn"], out: ["add"] });
    assert.deepEqual(decompose(g), { text: "s(x,ln,attn,add,out)", added: [] });
  });
  it("a GPT-like stack of residual blocks is one flat series of every op", () => {
    const g = gptLike(6);
    const d = seriesParallelDecompose(g);
    assert.equal(d.tree.kind, "series");
    assert.deepEqual(d.addedEdges, []);
    assert.deepEqual(
      spLeaves(d.tree),
      g.ops.map((op) => op.id),
    );
    assert.deepEqual(lostEdges(d.tree, g), []);
  });
  it("an inception-like 4-way block keeps its branches", () => {
    assert.deepEqual(decompose(inceptionBlock()), {
      text: "s(x,p(b1,s(b2a,b2b),s(b3a,b3b),s(pool,b4)),cat)",
      added: [],
    });
  });
  it("several sources need no added dependency: they form the parallel node at the start", () => {
    const { text, added } = decompose(dlrmLike(2, 2, 2));
    assert.equal(
      text,
      "s(p(s(dense0.in,dense0.0,dense0.1),s(dense1.in,dense1.0,dense1.1),s(sparse0.in,sparse0.0),s(sparse1.in,sparse1.0)),concat,top0,top1,loss)",
    );
    assert.deepEqual(added, []);
  });
  it("several sinks form the parallel node at the end; disconnected graphs are parallel at the top", () => {
    assert.deepEqual(decompose(graphOf({ a: [], b: ["a"], c: ["a"] })), { text: "s(a,p(b,c))", added: [] });
    assert.deepEqual(decompose(graphOf({ a: [], b: ["a"], x: [], y: ["x"] })), { text: "p(s(a,b),s(x,y))", added: [] });
  });
  it("a series of parallels with complete bipartite joins is recognised (K2,2)", () => {
    const g = graphOf({ a: [], b: [], c: ["a", "b"], d: ["a", "b"] });
    assert.deepEqual(decompose(g), { text: "s(p(a,b),p(c,d))", added: [] });
  });
  it("throws on an empty graph", () => {
    assert.throws(() => seriesParallelDecompose({ name: "e", dtype: "fp16", ops: [] }), /no ops/);
  });
});

describe("seriesParallelDecompose SP-izes graphs that are not series-parallel", () => {
  it("the N graph (a→c, a→d, b→d, two sources) gets the one dependency b→c that keeps its depth 2", () => {
    const { text, added } = decompose(graphOf({ a: [], b: [], c: ["a"], d: ["a", "b"] }));
    assert.deepEqual(added, [["b", "c"]]);
    assert.equal(text, "s(p(a,b),p(c,d))");
  });
  it("the cut follows the weights: two heavy ops are not serialised behind each other", () => {
    // With b and c heavy, adding b→c (the unit-weight choice) would give a critical path of 20; a→b gives 12.
    const g = graphOf({ a: [], b: [], c: ["a"], d: ["a", "b"] });
    const w: Record<string, number> = { a: 1, b: 10, c: 10, d: 1 };
    const d = seriesParallelDecompose(g, { weight: (op) => w[op.id]! });
    assert.deepEqual(d.addedEdges, [["a", "b"]]);
    assert.equal(spText(d.tree), "s(a,p(s(b,d),c))");
    assert.deepEqual(orderMismatches(d.tree, g, d.addedEdges), []);
  });
  it("a non-SP wart inside one branch leaves the other branches untouched", () => {
    // Two towers joined by a cross edge t1a → t2b (an N), next to an independent tower t3.
    const g = graphOf({
      x: [],
      t1a: ["x"],
      t1b: ["t1a"],
      t2a: ["x"],
      t2b: ["t2a", "t1a"],
      t3a: ["x"],
      t3b: ["t3a"],
      cat: ["t1b", "t2b", "t3b"],
    });
    const { text, added } = decompose(g);
    assert.deepEqual(added, [["t2a", "t1b"]]);
    assert.equal(text, "s(x,p(s(p(t1a,t2a),p(t1b,t2b)),s(t3a,t3b)),cat)");
  });
  it("a ladder (two chains with rungs, like stacked LSTMs) is SP-ized without duplicating ops", () => {
    const inputs: Record<string, string[]> = {};
    const L = 8;
    for (let k = 0; k < L; k++) {
      inputs[`a${k}`] = k === 0 ? [] : [`a${k - 1}`];
      inputs[`b${k}`] = k === 0 ? [`a0`] : [`b${k - 1}`, `a${k}`];
    }
    const { added } = decompose(graphOf(inputs));
    assert.ok(added.length > 0);
  });
  it("is deterministic", () => {
    const g = graphOf({ a: [], b: [], c: ["a"], d: ["a", "b"], e: ["c", "b"], f: ["d"] });
    assert.deepEqual(seriesParallelDecompose(g), seriesParallelDecompose(g));
  });
});
