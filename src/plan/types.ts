/** A pipeline plan: a DAG of stages over a graph and a cluster. Plain data; validated by validate-plan.ts. */
import type { OptimizerSpec } from "../cost/types.js";
import type { Graph } from "../graph/types.js";
import type { Cluster } from "../hardware/types.js";

export type ScheduleKind = "gpipe" | "1f1b" | "interleaved" | "zb-h1" | "2bw" | "async-stash" | "dag-1f1b";

export const SCHEDULE_KINDS: readonly ScheduleKind[] = [
  "gpipe",
  "1f1b",
  "interleaved",
  "zb-h1",
  "2bw",
  "async-stash",
  "dag-1f1b",
];

/**
 * How a stage trades compute for memory: none; `full` = keep only the stage input per in-flight micro-batch
 * and rerun the forward before each backward (PipeDream-2BW / Megatron style); `remat` = a Checkmate
 * schedule from src/remat chosen for this stage (its cost and memory are given in `rematCost`).
 */
export type RecomputeMode = "none" | "full" | "remat";

export interface Stage {
  readonly id: string;
  readonly ops: readonly string[];
  /** Global device indices; length = dataParallel × tensorParallel. */
  readonly devices: readonly number[];
  /** Each micro-batch is split across the stage's data-parallel replicas (contiguous sample ranges). */
  readonly dataParallel: number;
  readonly tensorParallel: number;
  readonly recompute?: RecomputeMode;
  /** For recompute = "remat": extra forward time factor and saved bytes per sample of the chosen schedule. */
  readonly rematCost?: { readonly extraFwdFraction: number; readonly savedBytesPerSample: number };
}

export interface Plan {
  readonly stages: readonly Stage[];
  /** Stage-graph edges [from, to] by stage id: from precedes to in forward. */
  readonly stageEdges: readonly (readonly [string, string])[];
  /** Samples per micro-batch (before the data-parallel split inside a stage). */
  readonly microBatch: number;
  /** Micro-batches per iteration; the batch is microBatch × microBatches. */
  readonly microBatches: number;
  readonly schedule: ScheduleKind;
  /** Interleaved schedule: model chunks per device (stages sharing a device set). */
  readonly virtualStages?: number;
  readonly optimizer: OptimizerSpec;
}

/** The file `dagpipe plan --out` writes and `dagpipe simulate` / `dagpipe run` read: self-contained. */
export interface PlanDocument {
  readonly format: "dagpipe-plan";
  readonly version: 1;
  readonly planner?: string;
  readonly graph: Graph;
  readonly cluster: Cluster;
  readonly plan: Plan;
  /** What the planner's simulation predicted, for comparison with later runs. */
  readonly predicted?: {
    readonly iterationSec: number;
    readonly samplesPerSec: number;
    readonly peakMemBytes: readonly number[];
  };
}
