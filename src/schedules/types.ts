/**
 * Schedules as plain data (torch.distributed.pipelining style): per-device ordered action lists,
 * no times and no idle slots. Generators emit compute-only lists; lowering passes add communication.
 */
import type { ScheduleKind } from "../plan/types.js";

export type ActionKind = "F" | "B" | "W" | "send" | "recv" | "allreduce" | "step" | "recompute";

export interface Action {
  readonly device: number;
  readonly kind: ActionKind;
  readonly stage: string;
  /**
   * Micro-batch index (counted over all simulated iterations: iteration i holds i·m … i·m + m − 1);
   * -1 for per-iteration actions (allreduce, step) of flushed schedules. The allreduce and step of a
   * no-flush schedule carry the last micro-batch whose gradient they include.
   */
  readonly microBatch: number;
  /** send / recv: the device on the other end, and the stage there. */
  readonly peer?: number;
  readonly peerStage?: string;
  /** send / recv: what travels — forward activations or backward gradients. */
  readonly tensor?: "act" | "grad";
  readonly bytes?: number;
  /**
   * No-flush schedules (2bw, async-stash): the weight version a compute action reads, or the version a step
   * creates (added field; absent = the one version of a flushed schedule).
   */
  readonly version?: number;
}

export interface Schedule {
  readonly kind: ScheduleKind;
  /** "compute": only F/B/W/recompute; "lowered": with send/recv/allreduce/step added. */
  readonly level: "compute" | "lowered";
  /** Micro-batches per iteration. */
  readonly microBatches: number;
  /**
   * Iterations the lists hold (added field; absent = 1). No-flush schedules run several back to back
   * without draining, so the simulator can measure their steady state.
   */
  readonly iterations?: number;
  /** actions[d] is device d's ordered list. */
  readonly actions: readonly (readonly Action[])[];
}
