/** Small hand-built ops and devices for cost tests (numbers chosen so expected values are plain arithmetic). */
import type { Op, OpKind } from "../../src/graph/types.js";
import type { FamilyCurves } from "../../src/hardware/parse-families.js";
import type { Device } from "../../src/hardware/types.js";

export function mkOp(id: string, kind: OpKind, fields: Partial<Op> = {}): Op {
  return {
    id,
    kind,
    inputs: [],
    attrs: {},
    outShape: [1],
    outBytesPerSample: 0,
    params: 0,
    paramBytes: 0,
    fwdFlopsPerSample: 0,
    bwdFlopsPerSample: 0,
    savedBytesPerSample: 0,
    ...fields,
  };
}

export const flatDevice: Device = {
  name: "flat",
  memBytes: 16 * 2 ** 30,
  peakFlopsPerSec: { fp32: 10e12, fp16: 100e12, bf16: 50e12 },
  memBytesPerSec: 1e12,
};

/** Constant efficiencies: gemm 0.5, vector 0.25, memory 0.8; 2 µs per kernel. */
export const flatCurves: FamilyCurves = {
  gemm: [{ size: 1, fraction: 0.5 }],
  vector: [{ size: 1, fraction: 0.25 }],
  memory: [{ size: 1, fraction: 0.8 }],
  kernelLaunchSec: 2e-6,
};
