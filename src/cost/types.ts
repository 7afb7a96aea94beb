/** What planners and the simulator ask of a cost model. They take this interface, never a concrete class. */
import type { Op } from "../graph/types.js";
import type { Device } from "../hardware/types.js";

export interface OpTime {
  readonly fwdSec: number;
  readonly bwdSec: number;
}

export interface CostModel {
  readonly device: Device;
  /** Time of one forward and one backward of `op` on a micro-batch of `samples` samples on one device. */
  opTime(op: Op, samples: number): OpTime;
}

/** Optimizer and precision: bytes held per parameter for weights + gradients + optimizer state. */
export interface OptimizerSpec {
  readonly name: "adam-mixed" | "adam-fp32" | "sgd" | "sgd-momentum";
  /** Total bytes per parameter (weights + grads + state); mixed-precision Adam = 2 + 2 + 12 = 16. */
  readonly bytesPerParam: number;
}

export const DEFAULT_OPTIMIZER: OptimizerSpec = { name: "adam-mixed", bytesPerParam: 16 };
