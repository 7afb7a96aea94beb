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
  /** Micro-batch index within the iteration; -1 for per-iteration actions (allreduce, step). */
  readonly microBatch: number;
  /** send / recv: the device on the other end, and the stage there. */
  readonly peer?: number;
  readonly peerStage?: string;
  /** send / recv: what travels — forward activations or backward gradients. */
  readonly tensor?: "act" | "grad";
  readonly bytes?: number;
}

export interface Schedule {
  readonly kind: ScheduleKind;
  /** "compute": only F/B/W/recompute; "lowered": with send/recv/allreduce/step added. */
  readonly level: "compute" | "lowered";
  readonly microBatches: number;
  /** actions[d] is device d's ordered list. */
  readonly actions: readonly (readonly Action[])[];
}
