/**
 * Roofline time of an op on a device at a micro-batch of `samples` samples, per direction:
 *
 *   time = max(compute, memory) + kernels × launch gap
 *   compute = FLOPs / (peak[dtype] × gemmEfficiency(FLOPs per matrix kernel))   for matrix ops
 *           = FLOPs / (peak.fp32 × vectorEfficiency(FLOPs))                       for the others (CUDA cores)
 *   memory  = bytes moved / (memory bandwidth × memEfficiency(bytes moved))
 *
 * Efficiencies are the device family's tables (src/hardware/presets/families.json): small kernels reach a
 * smaller fraction of the peak, which is what makes bigger micro-batches faster per sample. Backward uses the
 * backward FLOPs and bytes the same way. docs/cost-model.md explains the choices and the sources.
 */
import type { Dtype, Op } from "../graph/types.js";
import { efficiencyAt } from "../hardware/efficiency.js";
import type { FamilyCurves } from "../hardware/parse-families.js";
import { curvesFor } from "../hardware/presets.js";
import type { Device } from "../hardware/types.js";
import { bytesMoved, estimateInputBytesPerSample, kernelCounts } from "./op-kernels.js";
import type { CostModel, OpTime } from "./types.js";

export interface RooflineOptions {
  /** Element type of the training run; picks the peak (default "fp16": mixed precision). */
  readonly dtype?: Dtype;
  /** Efficiency curves; default: the device family's. */
  readonly curves?: FamilyCurves;
  /** Bytes of the op's inputs per sample; default: estimated from the op alone (op-kernels.ts). */
  readonly inputBytesPerSample?: (op: Op) => number;
}

export interface DirectionBreakdown {
  readonly computeSec: number;
  readonly memorySec: number;
  readonly launchSec: number;
  /** max(compute, memory) + launch. */
  readonly totalSec: number;
  /** Fraction of peak the compute term assumed (0 when there is no compute). */
  readonly efficiency: number;
}

export interface RooflineBreakdown {
  readonly fwd: DirectionBreakdown;
  readonly bwd: DirectionBreakdown;
}

const ZERO: DirectionBreakdown = { computeSec: 0, memorySec: 0, launchSec: 0, totalSec: 0, efficiency: 0 };

function direction(
  flops: number,
  bytes: number,
  gemmKernels: number,
  kernels: number,
  device: Device,
  curves: FamilyCurves,
  dtype: Dtype,
): DirectionBreakdown {
  if (kernels === 0) return ZERO;
  let computeSec = 0;
  let efficiency = 0;
  if (flops > 0) {
    if (gemmKernels > 0) {
      efficiency = efficiencyAt(curves.gemm, flops / gemmKernels);
      computeSec = flops / (device.peakFlopsPerSec[dtype] * efficiency);
    } else {
      efficiency = efficiencyAt(curves.vector, flops);
      computeSec = flops / (device.peakFlopsPerSec.fp32 * efficiency);
    }
  }
  const memorySec = bytes > 0 ? bytes / (device.memBytesPerSec * efficiencyAt(curves.memory, bytes)) : 0;
  const launchSec = kernels * curves.kernelLaunchSec;
  return { computeSec, memorySec, launchSec, totalSec: Math.max(computeSec, memorySec) + launchSec, efficiency };
}

/** Both directions with their terms, for reports and tests. `samples` ≤ 0 costs nothing. */
export function rooflineBreakdown(
  op: Op,
  samples: number,
  device: Device,
  opts: RooflineOptions = {},
): RooflineBreakdown {
  if (!(samples > 0)) return { fwd: ZERO, bwd: ZERO };
  const curves = opts.curves ?? curvesFor(device);
  const dtype = opts.dtype ?? "fp16";
  const inBytes = (opts.inputBytesPerSample ?? estimateInputBytesPerSample)(op);
  const k = kernelCounts(op);
  const moved = bytesMoved(op, samples, inBytes);
  return {
    fwd: direction(op.fwdFlopsPerSample * samples, moved.fwdBytes, k.fwdGemm, k.fwdKernels, device, curves, dtype),
    bwd: direction(op.bwdFlopsPerSample * samples, moved.bwdBytes, k.bwdGemm, k.bwdKernels, device, curves, dtype),
  };
}

/** A CostModel from the roofline alone (measured profiles ignored; see createCostModel). */
export function createRooflineCostModel(device: Device, opts: RooflineOptions = {}): CostModel {
  const resolved: RooflineOptions = { ...opts, curves: opts.curves ?? curvesFor(device) };
  return {
    device,
    opTime(op: Op, samples: number): OpTime {
      const b = rooflineBreakdown(op, samples, device, resolved);
      return { fwdSec: b.fwd.totalSec, bwdSec: b.bwd.totalSec };
    },
  };
}
