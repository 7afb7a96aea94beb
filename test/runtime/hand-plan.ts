/**
 * A tiny two-stage chain plan with a hand-written lowered GPipe schedule: the executor tested on its own,
 * independent of the schedule generators (which have their own tests).
 */
import type { Graph, Op } from "../../src/graph/types.js";
import type { Cluster } from "../../src/hardware/types.js";
import type { PlanDocument } from "../../src/plan/types.js";
import type { Action, Schedule } from "../../src/schedules/types.js";

function op(id: string, kind: Op["kind"], inputs: string[], attrs: Op["attrs"], outShape: number[], params = 0): Op {
  return {
    id,
    kind,
    inputs,
    attrs,
    outShape,
    outBytesPerSample: 4 * outShape.reduce((a, b) => a * b, 1),
    params,
    paramBytes: 4 * params,
    fwdFlopsPerSample: 0,
    bwdFlopsPerSample: 0,
    savedBytesPerSample: 0,
  };
}

export const tinyGraph: Graph = {
  name: "tiny-mlp",
  dtype: "fp32",
  ops: [
    op("x", "input", [], { dtype: "float" }, [8]),
    op("l1", "linear", ["x"], { inFeatures: 8, outFeatures: 16, bias: true }, [16], 8 * 16 + 16),
    op("r", "relu", ["l1"], {}, [16]),
    op("l2", "linear", ["r"], { inFeatures: 16, outFeatures: 4, bias: true }, [4], 16 * 4 + 4),
    op("loss", "loss", ["l2"], { fn: "cross-entropy" }, [1]),
  ],
};

const cpu = {
  name: "cpu",
  memBytes: 2 ** 34,
  peakFlopsPerSec: { fp32: 1e11, fp16: 1e11, bf16: 1e11 },
  memBytesPerSec: 1e10,
};
const link = { bytesPerSec: 1e9, latencySec: 1e-5 };
export const tinyCluster: Cluster = {
  name: "cpu-local",
  device: cpu,
  nodes: 1,
  devicesPerNode: 2,
  intra: link,
  inter: link,
};

export const tinyPlanDoc: PlanDocument = {
  format: "dagpipe-plan",
  version: 1,
  graph: tinyGraph,
  cluster: tinyCluster,
  plan: {
    stages: [
      { id: "s0", ops: ["x", "l1", "r"], devices: [0], dataParallel: 1, tensorParallel: 1 },
      { id: "s1", ops: ["l2", "loss"], devices: [1], dataParallel: 1, tensorParallel: 1 },
    ],
    stageEdges: [["s0", "s1"]],
    microBatch: 2,
    microBatches: 2,
    schedule: "gpipe",
    optimizer: { name: "adam-fp32", bytesPerParam: 16 },
  },
};

function a(
  device: number,
  kind: Action["kind"],
  stage: string,
  microBatch: number,
  extra: Partial<Action> = {},
): Action {
  return { device, kind, stage, microBatch, ...extra };
}
const toS1 = { peer: 1, peerStage: "s1" } as const;
const toS0 = { peer: 0, peerStage: "s0" } as const;

/** GPipe on 2 devices, 2 micro-batches, lowered by hand. */
export const tinyGpipe: Schedule = {
  kind: "gpipe",
  level: "lowered",
  microBatches: 2,
  actions: [
    [
      a(0, "F", "s0", 0),
      a(0, "send", "s0", 0, { ...toS1, tensor: "act" }),
      a(0, "F", "s0", 1),
      a(0, "send", "s0", 1, { ...toS1, tensor: "act" }),
      a(0, "recv", "s0", 1, { ...toS1, tensor: "grad" }),
      a(0, "B", "s0", 1),
      a(0, "recv", "s0", 0, { ...toS1, tensor: "grad" }),
      a(0, "B", "s0", 0),
      a(0, "step", "s0", -1),
    ],
    [
      a(1, "recv", "s1", 0, { ...toS0, tensor: "act" }),
      a(1, "F", "s1", 0),
      a(1, "recv", "s1", 1, { ...toS0, tensor: "act" }),
      a(1, "F", "s1", 1),
      a(1, "B", "s1", 1),
      a(1, "send", "s1", 1, { ...toS0, tensor: "grad" }),
      a(1, "B", "s1", 0),
      a(1, "send", "s1", 0, { ...toS0, tensor: "grad" }),
      a(1, "step", "s1", -1),
    ],
  ],
};

export function simpleFormat(x: Action): string {
  const mb = x.microBatch >= 0 ? String(x.microBatch) : "";
  if (x.kind === "send" || x.kind === "recv") return `${x.stage}${x.kind}${x.tensor ?? ""}${mb}:${x.peer}`;
  return `${x.stage}${x.kind}${mb}`;
}
