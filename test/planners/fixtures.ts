/**
 * Small stand-ins shared by the planner tests: a cluster and a cost model with an efficiency curve (per-sample
 * time falls with the micro-batch, as on GPUs), independent of the real presets so tests pin the planners'
 * logic rather than calibration data.
 */
import type { CostModel } from "../../src/cost/types.js";
import type { Op } from "../../src/graph/types.js";
import type { Cluster, Device } from "../../src/hardware/types.js";

export function testDevice(memBytes: number): Device {
  return {
    name: "test-gpu",
    memBytes,
    peakFlopsPerSec: { fp32: 1e12, fp16: 4e12, bf16: 4e12 },
    memBytesPerSec: 1e12,
  };
}

export function testCluster(memBytes: number, devicesPerNode = 4, nodes = 1): Cluster {
  return {
    name: "test",
    device: testDevice(memBytes),
    nodes,
    devicesPerNode,
    intra: { bytesPerSec: 1e11, latencySec: 1e-6 },
    inter: { bytesPerSec: 1e10, latencySec: 5e-6 },
  };
}

/** time = FLOPs / (peak · eff) + 10 µs launch, eff = work / (work + 2e8 FLOPs): small kernels run slower. */
export function testCost(device: Device): CostModel {
  const peak = device.peakFlopsPerSec.fp16;
  const time = (flops: number) => (flops > 0 ? (flops + 2e8) / peak + 1e-5 : 0);
  return {
    device,
    opTime(op: Op, samples: number) {
      return { fwdSec: time(op.fwdFlopsPerSample * samples), bwdSec: time(op.bwdFlopsPerSample * samples) };
    },
  };
}
