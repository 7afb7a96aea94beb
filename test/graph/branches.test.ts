import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { criticalPathShare, parallelWidth } from "../../src/graph/branches.js";
import { seriesParallelDecompose } from "../../src/graph/sp-decompose.js";
import type { Graph, Op } from "../../src/graph/types.js";
import { graphOf } from "./build.js";
import { dlrmLike, gptLike, inceptionBlock } from "./models.js";

const width = (g: Graph) => parallelWidth(seriesParallelDecompose(g).tree, g);

describe("parallelWidth", () => {
  it("GPT-like: residual skip edges are not branches → 1", () => {
    assert.equal(width(gptLike(4)), 1);
  });
  it("DLRM-like: 7 dense + 7 sparse towers → 14", () => {
    assert.equal(width(dlrmLike(7, 7)), 14);
  });
  it("CANDLE-Uno-like: 7 towers of 4 layers merged into a deep MLP → 7", () => {
    assert.equal(width(dlrmLike(7, 0, 4)), 7);
  });
  it("inception-like block → 4; nested parallel inside a branch adds up", () => {
    assert.equal(width(inceptionBlock()), 4);
    const nested = graphOf({ x: [], a: ["x"], b1: ["a"], b2: ["a"], bj: ["b1", "b2"], c: ["x"], out: ["bj", "c"] });
    assert.equal(width(nested), 3);
  });
  it("a leaf is 1 and a tree naming an op outside the graph throws", () => {
    const g = graphOf({ a: [] });
    assert.equal(parallelWidth({ kind: "leaf", op: "a" }, g), 1);
    assert.throws(() => parallelWidth({ kind: "leaf", op: "zz" }, g), /not in graph/);
  });
});

describe("criticalPathShare", () => {
  it("is 1 for a chain", () => {
    assert.equal(criticalPathShare(graphOf({ a: [], b: ["a"], c: ["b"] })), 1);
  });
  it("is the heaviest branch's share of fwd + bwd FLOPs in a diamond", () => {
    // linearOp(8→8): fwd 128 + bwd 256 = 384 FLOPs per op; path a-b-d carries 3 of the 4 ops.
    assert.equal(criticalPathShare(graphOf({ a: [], b: ["a"], c: ["a"], d: ["b", "c"] })), 3 / 4);
  });
  it("falls back to profile seconds without FLOPs, and is 0 with neither", () => {
    const timed = (op: Op, sec: number): Op => ({
      ...op,
      fwdFlopsPerSample: 0,
      bwdFlopsPerSample: 0,
      profile: { points: [{ microBatch: 8, fwdSec: sec, bwdSec: sec }] },
    });
    const g = graphOf({ a: [], b: ["a"], c: ["a"] });
    const sec: Record<string, number> = { a: 1, b: 3, c: 1 };
    assert.equal(criticalPathShare({ ...g, ops: g.ops.map((op) => timed(op, sec[op.id]!)) }), 8 / 10);
    const none = { ...g, ops: g.ops.map((op) => ({ ...op, fwdFlopsPerSample: 0, bwdFlopsPerSample: 0 })) };
    assert.equal(criticalPathShare(none), 0);
  });
});
