import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCostModel } from "../../src/cost/create-cost-model.js";
import { profiledOpTime, profileMatchesDevice } from "../../src/cost/profiled.js";
import { createRooflineCostModel } from "../../src/cost/roofline.js";
import type { Graph } from "../../src/graph/types.js";
import { DEVICE_PRESETS } from "../../src/hardware/presets.js";
import { flatCurves, flatDevice, mkOp } from "./helpers.js";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);
const profile = {
  device: "V100",
  points: [
    { microBatch: 2, fwdSec: 0.002, bwdSec: 0.005 },
    { microBatch: 4, fwdSec: 0.003, bwdSec: 0.007 },
    { microBatch: 16, fwdSec: 0.009, bwdSec: 0.019 },
  ],
};

describe("profiled op times", () => {
  it("are the measured values at measured sizes", () => {
    for (const p of profile.points)
      assert.deepEqual(profiledOpTime(profile, p.microBatch), { fwdSec: p.fwdSec, bwdSec: p.bwdSec });
  });

  it("interpolate linearly between measured sizes", () => {
    const t = profiledOpTime(profile, 3);
    close(t.fwdSec, 0.0025);
    close(t.bwdSec, 0.006);
    const u = profiledOpTime(profile, 10); // halfway between 4 and 16
    close(u.fwdSec, 0.006);
    close(u.bwdSec, 0.013);
  });

  it("scale in proportion to the samples outside the measured range, from the nearest point", () => {
    const below = profiledOpTime(profile, 1);
    close(below.fwdSec, 0.001);
    close(below.bwdSec, 0.0025);
    const above = profiledOpTime(profile, 64);
    close(above.fwdSec, 0.009 * 4);
    close(above.bwdSec, 0.019 * 4);
    const single = profiledOpTime({ points: [{ microBatch: 8, fwdSec: 0.8, bwdSec: 1.6 }] }, 2);
    close(single.fwdSec, 0.2);
    close(single.bwdSec, 0.4);
  });

  it("match devices by normalised name or prefix", () => {
    const v100 = DEVICE_PRESETS.get("V100-16GB")!;
    assert.ok(profileMatchesDevice(profile, v100));
    assert.ok(profileMatchesDevice({ points: [] }, v100));
    assert.ok(profileMatchesDevice({ device: "v100-16gb", points: [] }, v100));
    assert.ok(!profileMatchesDevice({ device: "A100", points: [] }, v100));
    assert.ok(!profileMatchesDevice({ device: "cpu", points: [] }, v100));
  });
});

describe("createCostModel", () => {
  const op = mkOp("fc", "linear", {
    attrs: { inFeatures: 10, outFeatures: 10 },
    fwdFlopsPerSample: 1e9,
    bwdFlopsPerSample: 2e9,
    outBytesPerSample: 1000,
    profile,
  });
  const v100 = DEVICE_PRESETS.get("V100-16GB")!;
  const h100 = DEVICE_PRESETS.get("H100-80GB")!;

  it("uses a matching profile, else the roofline", () => {
    assert.deepEqual(createCostModel(v100).opTime(op, 4), { fwdSec: 0.003, bwdSec: 0.007 });
    const roof = createRooflineCostModel(h100).opTime(op, 4);
    assert.deepEqual(createCostModel(h100).opTime(op, 4), roof);
    assert.notDeepEqual(roof, { fwdSec: 0.003, bwdSec: 0.007 });
  });

  it("an opaque op keeps its profile even from another device (the roofline would say 0)", () => {
    const opaque = mkOp("o", "opaque", { profile });
    assert.deepEqual(createCostModel(h100).opTime(opaque, 4), { fwdSec: 0.003, bwdSec: 0.007 });
    assert.deepEqual(createCostModel(h100, { profiles: "none" }).opTime(opaque, 4), { fwdSec: 0, bwdSec: 0 });
  });

  it("profiles: 'all' trusts every profile, 'none' ignores them", () => {
    assert.deepEqual(createCostModel(h100, { profiles: "all" }).opTime(op, 4), { fwdSec: 0.003, bwdSec: 0.007 });
    assert.deepEqual(
      createCostModel(v100, { profiles: "none" }).opTime(op, 4),
      createRooflineCostModel(v100).opTime(op, 4),
    );
  });

  it("takes the dtype and the real input sizes from the graph", () => {
    const x = mkOp("x", "input", { outBytesPerSample: 1e6 });
    const y = mkOp("y", "input", { outBytesPerSample: 3e6 });
    const add = mkOp("add", "add", { inputs: ["x", "y"], outBytesPerSample: 3e6, fwdFlopsPerSample: 1 });
    const graph: Graph = { name: "g", dtype: "bf16", ops: [x, y, add] };
    const withGraph = createCostModel(flatDevice, { graph, curves: flatCurves }).opTime(add, 1);
    // Reads 1 MB + 3 MB, writes 3 MB (without the graph it would guess 2 × 3 MB of inputs).
    close(withGraph.fwdSec, 7e6 / 0.8e12 + 2e-6);
    const guessed = createCostModel(flatDevice, { curves: flatCurves }).opTime(add, 1);
    close(guessed.fwdSec, 9e6 / 0.8e12 + 2e-6);
    const fcOp = mkOp("m", "matmul", { fwdFlopsPerSample: 1e12 });
    const bf16 = createCostModel(flatDevice, { graph: { ...graph, ops: [fcOp] }, curves: flatCurves }).opTime(fcOp, 1);
    close(bf16.fwdSec, 1e12 / (50e12 * 0.5) + 2e-6);
  });
});
