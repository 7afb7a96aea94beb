/**
 * The cost model planners and the simulator use: an op's measured profile when it has one (and it was
 * measured on this kind of device — or the op is `opaque`, which the roofline cannot cost), else the roofline. Give it the graph for the training dtype and the exact
 * sizes of each op's inputs.
 */
import type { Dtype, Graph, Op } from "../graph/types.js";
import type { FamilyCurves } from "../hardware/parse-families.js";
import type { Device } from "../hardware/types.js";
import { estimateInputBytesPerSample } from "./op-kernels.js";
import { profiledOpTime, profileMatchesDevice } from "./profiled.js";
import { createRooflineCostModel } from "./roofline.js";
import type { CostModel, OpTime } from "./types.js";

/** Which measured profiles to trust: those measured on this device (default), every one, or none. */
export type ProfilePolicy = "matching" | "all" | "none";

export interface CostModelOptions {
  /** The graph being costed: its dtype (unless `dtype` is given) and its ops' real input sizes. */
  readonly graph?: Graph;
  /** Training dtype; default the graph's, else "fp16". */
  readonly dtype?: Dtype;
  readonly profiles?: ProfilePolicy;
  /** Efficiency curves replacing the device family's (calibration). */
  readonly curves?: FamilyCurves;
}

/** Bytes per sample of each op's inputs, from the producers' output sizes (a tensor read twice counts twice). */
export function inputBytesFromGraph(graph: Graph): (op: Op) => number {
  const outBytes = new Map<string, number>();
  for (const op of graph.ops) outBytes.set(op.id, op.outBytesPerSample);
  return (op) => {
    let sum = 0;
    for (const id of op.inputs) {
      const b = outBytes.get(id);
      if (b === undefined) return estimateInputBytesPerSample(op);
      sum += b;
    }
    return sum;
  };
}

export function createCostModel(device: Device, opts: CostModelOptions = {}): CostModel {
  const roofline = createRooflineCostModel(device, {
    dtype: opts.dtype ?? opts.graph?.dtype ?? "fp16",
    ...(opts.curves === undefined ? {} : { curves: opts.curves }),
    ...(opts.graph === undefined ? {} : { inputBytesPerSample: inputBytesFromGraph(opts.graph) }),
  });
  const policy = opts.profiles ?? "matching";
  return {
    device,
    opTime(op: Op, samples: number): OpTime {
      const profile = op.profile;
      if (profile !== undefined && profile.points.length > 0 && policy !== "none") {
        // An opaque op has nothing the roofline could cost: a profile from another device beats zero.
        if (policy === "all" || op.kind === "opaque" || profileMatchesDevice(profile, device)) {
          return profiledOpTime(profile, samples);
        }
      }
      return roofline.opTime(op, samples);
    },
  };
}
