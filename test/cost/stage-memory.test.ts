import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findOptimizer, OPTIMIZERS } from "../../src/cost/optimizers.js";
import { stageBoundary, stageMemory, stageMemoryFromTotals, stageTotals } from "../../src/cost/stage-memory.js";
import type { Graph } from "../../src/graph/types.js";
import { mkOp } from "./helpers.js";

// A 3-op stage cut from a 5-op chain: in → a → b → c → out. Stage = {a, b, c}.
const input = mkOp("in", "input", { outBytesPerSample: 100 });
const a = mkOp("a", "linear", {
  inputs: ["in"],
  outBytesPerSample: 400,
  params: 1000,
  paramBytes: 2000,
  savedBytesPerSample: 100,
  workspaceBytesPerSample: 50,
});
const b = mkOp("b", "relu", { inputs: ["a"], outBytesPerSample: 400, savedBytesPerSample: 400 });
const c = mkOp("c", "linear", {
  inputs: ["b"],
  outBytesPerSample: 200,
  params: 3000,
  paramBytes: 6000,
  savedBytesPerSample: 400,
  workspaceBytesPerSample: 80,
});
const out = mkOp("out", "loss", { inputs: ["c"], outBytesPerSample: 4 });
const graph: Graph = { name: "chain", dtype: "fp16", ops: [input, a, b, c, out] };
const stage = [a, b, c];

describe("stage memory (hand-computed)", () => {
  it("boundary: the stage reads 'in' and sends 'c'", () => {
    assert.deepEqual(stageBoundary(graph, stage), { inputBytesPerSample: 100, outputBytesPerSample: 200 });
    assert.deepEqual(stageTotals(stage, graph), {
      params: 4000,
      paramBytes: 8000,
      savedBytesPerSample: 900,
      maxWorkspaceBytesPerSample: 80,
      inputBytesPerSample: 100,
      outputBytesPerSample: 200,
    });
  });

  it("no recompute, mixed-precision Adam: 16 B/param and saved bytes per in-flight micro-batch", () => {
    const m = stageMemory(stage, { graph, samplesPerDevice: 4, inFlight: 3 });
    assert.deepEqual(m, {
      weightsBytes: 8000,
      gradientsBytes: 8000,
      optimizerBytes: 4000 * 16 - 16000,
      weightVersionsBytes: 0,
      activationsBytes: 900 * 4 * 3,
      workspaceBytes: 80 * 4,
      commBuffersBytes: 2 * (100 + 200) * 4,
      totalBytes: 64000 + 10800 + 320 + 2400,
    });
  });

  it("full recompute keeps only the stage input per in-flight micro-batch plus one micro-batch in full", () => {
    const m = stageMemory(stage, { graph, samplesPerDevice: 4, inFlight: 3, recompute: "full" });
    assert.equal(m.activationsBytes, 100 * 4 * 3 + 900 * 4);
  });

  it("remat keeps its schedule's bytes per waiting micro-batch and its peak for the one in backward", () => {
    const m = stageMemory(stage, {
      graph,
      samplesPerDevice: 4,
      inFlight: 3,
      recompute: "remat",
      rematSavedBytesPerSample: 300,
      rematPeakBytesPerSample: 500,
    });
    assert.equal(m.activationsBytes, 300 * 4 * 2 + 500 * 4);
    const noPeak = stageMemory(stage, {
      graph,
      samplesPerDevice: 4,
      inFlight: 3,
      recompute: "remat",
      rematSavedBytesPerSample: 300,
    });
    assert.equal(noPeak.activationsBytes, 300 * 4 * 3);
  });

  it("extra weight versions: 2BW keeps 2, async stashing one per in-flight micro-batch", () => {
    assert.equal(stageMemory(stage, { samplesPerDevice: 1, inFlight: 1, weightVersions: 2 }).weightVersionsBytes, 8000);
    assert.equal(
      stageMemory(stage, { samplesPerDevice: 1, inFlight: 4, weightVersions: 4 }).weightVersionsBytes,
      3 * 8000,
    );
  });

  it("other optimizers", () => {
    assert.equal(
      stageMemory(stage, { samplesPerDevice: 1, inFlight: 1, optimizer: OPTIMIZERS.sgd }).optimizerBytes,
      4000 * 8 - 16000,
    );
    assert.equal(
      stageMemory(stage, { samplesPerDevice: 1, inFlight: 1, optimizer: OPTIMIZERS["sgd-momentum"] }).optimizerBytes,
      4000 * 12 - 16000,
    );
    const f = findOptimizer("SGD");
    assert.ok(f.ok && f.value.bytesPerParam === 8);
    const miss = findOptimizer("lamb");
    assert.ok(!miss.ok);
    assert.equal(miss.issues[0]!.code, "bad-option");
  });

  it("without the graph the boundary is unknown (0); an explicit buffer size wins", () => {
    const m = stageMemory(stage, { samplesPerDevice: 2, inFlight: 1 });
    assert.equal(m.commBuffersBytes, 0);
    assert.equal(stageMemory(stage, { samplesPerDevice: 2, inFlight: 1, commBufferBytes: 123 }).commBuffersBytes, 123);
  });

  it("data parallelism: half the samples per device, the same weights", () => {
    const t = stageTotals(stage, graph);
    const one = stageMemoryFromTotals(t, { samplesPerDevice: 8, inFlight: 2 });
    const two = stageMemoryFromTotals(t, { samplesPerDevice: 4, inFlight: 2 });
    assert.equal(two.activationsBytes * 2, one.activationsBytes);
    assert.equal(two.weightsBytes, one.weightsBytes);
  });

  it("the total is the sum of the parts", () => {
    const m = stageMemory(stage, { graph, samplesPerDevice: 3, inFlight: 5, weightVersions: 2, recompute: "full" });
    const { totalBytes, ...parts } = m;
    assert.equal(
      totalBytes,
      Object.values(parts).reduce((s, v) => s + v, 0),
    );
  });
});
