import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesMoved, estimateInputBytesPerSample, kernelCounts } from "../../src/cost/op-kernels.js";
import { createRooflineCostModel, rooflineBreakdown } from "../../src/cost/roofline.js";
import { OP_KINDS } from "../../src/graph/types.js";
import { DEVICE_PRESETS } from "../../src/hardware/presets.js";
import { flatCurves, flatDevice, mkOp } from "./helpers.js";

const close = (a: number, b: number, rel = 1e-12) =>
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)), `${a} ≉ ${b}`);

describe("roofline closed forms (constant efficiencies)", () => {
  const linear = mkOp("fc", "linear", {
    attrs: { inFeatures: 1000, outFeatures: 2000, bias: true },
    outBytesPerSample: 4000, // 2000 fp16 values
    params: 2_002_000,
    paramBytes: 4_004_000,
    fwdFlopsPerSample: 4e6,
    bwdFlopsPerSample: 8e6,
    savedBytesPerSample: 2000,
  });
  const opts = { curves: flatCurves, dtype: "fp16" as const, inputBytesPerSample: () => 2000 };

  it("a compute-bound matrix op: FLOPs / (peak × efficiency) + kernels × launch", () => {
    const s = 4096;
    const b = rooflineBreakdown(linear, s, flatDevice, opts);
    close(b.fwd.computeSec, (4e6 * s) / (100e12 * 0.5));
    close(b.fwd.memorySec, (s * (2000 + 4000) + 4_004_000) / (1e12 * 0.8));
    assert.ok(b.fwd.computeSec > b.fwd.memorySec);
    close(b.fwd.totalSec, b.fwd.computeSec + 1 * 2e-6);
    close(b.bwd.computeSec, (8e6 * s) / (100e12 * 0.5));
    close(b.bwd.memorySec, (s * (4000 + 2000 + 2000) + 2 * 4_004_000) / (1e12 * 0.8));
    close(b.bwd.totalSec, b.bwd.computeSec + 3 * 2e-6, 1e-12);
  });

  it("a memory-bound op takes the memory term; non-matrix FLOPs run at the fp32 peak", () => {
    const relu = mkOp("r", "relu", {
      outBytesPerSample: 1e6,
      fwdFlopsPerSample: 1e3,
      bwdFlopsPerSample: 1e3,
      savedBytesPerSample: 1e6,
    });
    const b = rooflineBreakdown(relu, 2, flatDevice, { curves: flatCurves, inputBytesPerSample: () => 1e6 });
    close(b.fwd.computeSec, 2e3 / (10e12 * 0.25));
    close(b.fwd.memorySec, 4e6 / 0.8e12);
    close(b.fwd.totalSec, 4e6 / 0.8e12 + 2e-6);
    close(b.bwd.memorySec, (2 * (1e6 + 1e6 + 1e6)) / 0.8e12);
  });

  it("the dtype picks the peak", () => {
    const fp16 = rooflineBreakdown(linear, 1e5, flatDevice, { ...opts, dtype: "fp16" });
    const bf16 = rooflineBreakdown(linear, 1e5, flatDevice, { ...opts, dtype: "bf16" });
    close(bf16.fwd.computeSec, 2 * fp16.fwd.computeSec);
  });

  it("views and bookkeeping ops cost nothing; no samples cost nothing", () => {
    for (const kind of ["input", "reshape", "flatten", "transpose", "slice", "identity"] as const) {
      const op = mkOp("v", kind, { outBytesPerSample: 1e6, fwdFlopsPerSample: 1e9, bwdFlopsPerSample: 1e9 });
      const t = createRooflineCostModel(flatDevice, { curves: flatCurves }).opTime(op, 8);
      assert.deepEqual(t, { fwdSec: 0, bwdSec: 0 }, kind);
    }
    const freeOpaque = mkOp("o", "opaque", { outBytesPerSample: 1e6, fwdFlopsPerSample: 0, bwdFlopsPerSample: 0 });
    assert.deepEqual(createRooflineCostModel(flatDevice, { curves: flatCurves }).opTime(freeOpaque, 8), {
      fwdSec: 0,
      bwdSec: 0,
    });
    assert.deepEqual(createRooflineCostModel(flatDevice, { curves: flatCurves }).opTime(linear, 0), {
      fwdSec: 0,
      bwdSec: 0,
    });
  });

  it("an imported opaque op with FLOPs costs like an elementwise kernel, only in the directions with work", () => {
    const model = createRooflineCostModel(flatDevice, { curves: flatCurves });
    const fwdOnly = mkOp("o", "opaque", { outBytesPerSample: 1e6, fwdFlopsPerSample: 1e6, bwdFlopsPerSample: 0 });
    const relu = mkOp("r", "relu", { outBytesPerSample: 1e6, fwdFlopsPerSample: 1e6, bwdFlopsPerSample: 1e6 });
    const t = model.opTime(fwdOnly, 8);
    assert.ok(t.fwdSec > 0);
    assert.equal(t.bwdSec, 0);
    assert.equal(t.fwdSec, model.opTime(relu, 8).fwdSec);
  });

  it("attention's FLOPs are split over its six matrix kernels to size them", () => {
    const device = DEVICE_PRESETS.get("V100-16GB")!;
    const attn = mkOp("a", "attention", { fwdFlopsPerSample: 6e9, bwdFlopsPerSample: 12e9, attrs: { causal: false } });
    const b = rooflineBreakdown(attn, 1, device, { inputBytesPerSample: () => 0 });
    const one = rooflineBreakdown(mkOp("m", "matmul", { fwdFlopsPerSample: 1e9, bwdFlopsPerSample: 2e9 }), 1, device, {
      inputBytesPerSample: () => 0,
    });
    close(b.fwd.efficiency, one.fwd.efficiency, 1e-9);
    close(b.bwd.efficiency, one.bwd.efficiency, 1e-9);
    assert.equal(kernelCounts(attn).fwdKernels, 9);
    assert.equal(kernelCounts({ ...attn, attrs: { causal: true } }).fwdKernels, 11);
  });
});

describe("kernel counts and bytes moved", () => {
  it("every op kind has counts, and only matrix kinds have matrix kernels", () => {
    const matrix = new Set(["linear", "matmul", "attention", "conv2d", "conv-transpose2d"]);
    for (const kind of OP_KINDS) {
      const k = kernelCounts(mkOp("x", kind));
      assert.equal(k.fwdGemm > 0, matrix.has(kind), kind);
      assert.ok(k.fwdGemm <= k.fwdKernels && k.bwdGemm <= k.bwdKernels, kind);
    }
  });

  it("embeddings read only the gathered rows forward and write a dense table gradient backward", () => {
    const emb = mkOp("e", "embedding", { outBytesPerSample: 2048, paramBytes: 1e9, savedBytesPerSample: 8 });
    const m = bytesMoved(emb, 10, 8);
    assert.equal(m.fwdBytes, 10 * (2 * 2048 + 8));
    assert.equal(m.bwdBytes, 1e9 + 10 * (2 * 2048 + 8));
  });

  it("estimates a linear's input from its features when the graph is not given", () => {
    const fc = mkOp("fc", "linear", { attrs: { inFeatures: 1024, outFeatures: 4096 }, outBytesPerSample: 8192 });
    assert.equal(estimateInputBytesPerSample(fc), 2048);
    assert.equal(estimateInputBytesPerSample(mkOp("a", "add", { inputs: ["x", "y"], outBytesPerSample: 10 })), 20);
  });
});
