/**
 * Inputs and results of the discrete-event simulator: plain data, no methods (docs/simulator.md).
 * Times in seconds, memory in bytes.
 */
import type { CostModel } from "../cost/types.js";
import type { Graph } from "../graph/types.js";
import type { Cluster } from "../hardware/types.js";
import type { Plan, ScheduleKind } from "../plan/types.js";
import type { ActionKind } from "../schedules/types.js";

/** A device leaves at `atSec` (preempted, failed) or comes back (a replacement joins). */
export interface FaultEvent {
  readonly kind: "remove" | "restore";
  readonly device: number;
  readonly atSec: number;
}

export interface SimOptions {
  /** Keep every action's start and end and every memory change (for traces); default false. */
  readonly recordEvents?: boolean;
  /** No-flush schedules: iterations simulated back to back (≥ 3 to measure a steady state); default 4. */
  readonly iterations?: number;
  /** Device memory to check against, if not the cluster device's (e.g. a planner's budget). */
  readonly memBytes?: number;
}

export interface SimInput {
  readonly plan: Plan;
  readonly graph: Graph;
  readonly cluster: Cluster;
  readonly cost: CostModel;
  readonly faults?: readonly FaultEvent[];
  readonly options?: SimOptions;
}

export type SimStatus = "ok" | "deadlock" | "stopped";

/** Bytes held on one device, by what they are for. */
export interface MemoryBreakdown {
  readonly weights: number;
  /** Weight versions beyond the first (2BW's shadow copy, PipeDream's stash). */
  readonly weightVersions: number;
  readonly gradients: number;
  readonly optimizerState: number;
  /** Saved activations of in-flight micro-batches (and recomputed ones during a backward). */
  readonly activations: number;
  /** Activations and gradients waiting to be sent or received. */
  readonly buffers: number;
  /** Scratch memory of the running op. */
  readonly workspace: number;
  readonly total: number;
}

export interface DeviceResult {
  readonly device: number;
  readonly stages: readonly string[];
  /** Compute busy time inside the measured iteration. */
  readonly busySec: number;
  /** busySec / iterationSec. */
  readonly utilisation: number;
  /** 1 − utilisation: the share of the iteration the device's compute stream idles. */
  readonly bubbleFraction: number;
  readonly peakMemBytes: number;
  readonly peakMemAtSec: number;
  readonly peakBreakdown: MemoryBreakdown;
  readonly capacityBytes: number;
}

export interface StageResult {
  readonly stage: string;
  /** Forwards before the first backward (the schedule's warm-up), on the stage's first device. */
  readonly warmup: number;
  /** Most micro-batches between forward and end of backward at once, on any replica. */
  readonly peakInFlightMicroBatches: number;
  /** peakInFlightMicroBatches × microBatch (samples of whole micro-batches, all replicas). */
  readonly peakInFlightSamples: number;
  /** Most weight versions held at once on any replica (1 for flushed schedules). */
  readonly peakWeightVersions: number;
}

/** Memory over the device's capacity: when it first happened and the worst excess. */
export interface MemoryOverflow {
  readonly device: number;
  readonly atSec: number;
  readonly bytesOver: number;
  readonly peakMemBytes: number;
  readonly capacityBytes: number;
}

export interface WaitingAction {
  readonly device: number;
  readonly action: string;
  readonly waitsFor: string;
}

export interface DeadlockReport {
  /** A cycle of actions each waiting for the next (the last waits for the first). */
  readonly cycle: readonly WaitingAction[];
  /** Every stream's first unfinished action and what it waits for. */
  readonly blocked: readonly WaitingAction[];
}

export interface FaultOutcome {
  readonly device: number;
  readonly atSec: number;
  readonly stages: readonly string[];
  /** True when the plan could not finish the iteration because of this fault. */
  readonly stopped: boolean;
  readonly reason: string;
  readonly unfinishedActions: number;
  /** When a replacement for the device came back (a restore event), if one did. */
  readonly restoredAtSec?: number;
}

export interface CriticalStep {
  readonly device: number;
  readonly action: string;
  readonly kind: ActionKind;
  readonly startSec: number;
  readonly endSec: number;
}

export type StreamName = "compute" | "allreduce" | `send→d${number}` | `recv←d${number}`;

export interface SimEvent {
  readonly device: number;
  readonly stream: StreamName;
  readonly action: string;
  readonly kind: string;
  readonly startSec: number;
  readonly endSec: number;
}

export interface MemorySample {
  readonly device: number;
  readonly atSec: number;
  readonly bytes: number;
}

export interface SimResult {
  readonly status: SimStatus;
  readonly schedule: ScheduleKind;
  /**
   * Time of one iteration: the makespan of a flushed schedule; the steady-state period of a no-flush one.
   * When status ≠ "ok", the time at which the simulation stopped.
   */
  readonly iterationSec: number;
  /** microBatch × microBatches / iterationSec; 0 unless status = "ok". */
  readonly samplesPerSec: number;
  /** Iterations simulated (1 for flushed schedules). */
  readonly iterations: number;
  /** The measured window [startSec, endSec] (the whole run for flushed schedules). */
  readonly windowSec: readonly [number, number];
  /** Time the last action ended. */
  readonly makespanSec: number;
  readonly actionCount: number;
  readonly devices: readonly DeviceResult[];
  readonly stages: readonly StageResult[];
  /** Highest peak over all devices: the least device memory with which this plan fits. */
  readonly peakMemBytes: number;
  readonly fits: boolean;
  readonly memoryOverflow: readonly MemoryOverflow[];
  readonly criticalPath: readonly CriticalStep[];
  readonly deadlock?: DeadlockReport;
  readonly faults?: readonly FaultOutcome[];
  readonly events?: readonly SimEvent[];
  readonly memory?: readonly MemorySample[];
}
