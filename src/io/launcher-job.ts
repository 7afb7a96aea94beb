/**
 * The job file every worker reads (format `dagpipe-job`, documented in docs/runtime.md): the graph and plan,
 * the lowered per-device action lists with their text labels, the sample range of every data-parallel replica
 * and of every transfer between replicas (from the plan's own `replicaTransfers`, the one definition shared with
 * the simulator), and the run settings. Pure: building a job touches no file.
 */
import type { Graph } from "../graph/types.js";
import { replicaRanges, replicaTransfers } from "../plan/sample-split.js";
import type { Plan, PlanDocument, ScheduleKind } from "../plan/types.js";
import type { Action, Schedule } from "../schedules/types.js";
import type { Issue } from "../util/issues.js";

export type RunDtype = "float32" | "float64";
export type RunDevice = "cpu" | "cuda";

export interface RunSettings {
  readonly iterations: number;
  readonly seed: number;
  readonly lr: number;
  readonly dtype: RunDtype;
  readonly device: RunDevice;
  readonly backend: "gloo" | "nccl";
  /** torch intra-op threads per worker. */
  readonly threads: number;
  /** torch.distributed timeout for any one collective or receive. */
  readonly timeoutSec: number;
  /** A barrier before each iteration, so an iteration's time is measured from a common start. */
  readonly barrierEachIteration: boolean;
  /**
   * Process groups for point-to-point messages: "directed" gives each (sender, receiver) pair its own group
   * (what NCCL needs, since it ignores tags); "default" uses the world group with tags (enough for gloo);
   * "auto" = directed with NCCL, default with gloo.
   */
  readonly p2pGroups: "auto" | "directed" | "default";
}

export const DEFAULT_RUN_SETTINGS: RunSettings = {
  iterations: 5,
  seed: 0,
  lr: 1e-3,
  dtype: "float32",
  device: "cpu",
  backend: "gloo",
  threads: 1,
  timeoutSec: 60,
  barrierEachIteration: true,
  p2pGroups: "auto",
};

export interface CheckpointSettings {
  readonly dir: string;
  /** Write a checkpoint after every `every` completed iterations (0 = never). */
  readonly every: number;
  readonly resume: boolean;
}

export interface JobTransfer {
  readonly fromStage: string;
  readonly toStage: string;
  readonly fromDevice: number;
  readonly toDevice: number;
  /** Samples [lo, hi) of the micro-batch. */
  readonly lo: number;
  readonly hi: number;
}

export interface RunJob {
  readonly format: "dagpipe-job";
  readonly version: 1;
  readonly graph: Graph;
  readonly plan: Plan;
  /** ranks[r] = the plan device rank r executes. */
  readonly ranks: readonly number[];
  /** actions[d] = device d's lowered list; labels[d][i] its text form. */
  readonly actions: readonly (readonly Action[])[];
  readonly labels: readonly (readonly string[])[];
  readonly replicaRanges: Readonly<Record<string, readonly (readonly [number, number])[]>>;
  readonly transfers: readonly JobTransfer[];
  readonly run: RunSettings;
  readonly checkpoint: CheckpointSettings | null;
  readonly outDir: string;
  /** After the run: dump every rank's parameters, train the graph in one process on rank 0, compare. */
  readonly verify: boolean;
}

/**
 * Schedules the executor runs: the flushed ones (one weight version per iteration) and PipeDream-2BW (two
 * versions, one-step-stale gradients). Not async-stash: its weight stashing per in-flight micro-batch is not
 * implemented.
 */
export const RUNNABLE_SCHEDULES: readonly ScheduleKind[] = ["gpipe", "1f1b", "interleaved", "zb-h1", "dag-1f1b", "2bw"];

/** The devices a plan uses, ascending: rank r runs devices()[r]. */
export function planDevices(plan: Plan): number[] {
  return [...new Set(plan.stages.flatMap((s) => s.devices))].sort((a, b) => a - b);
}

/** Why a plan cannot be executed by the runtime (empty when it can). */
export function runnabilityIssues(doc: PlanDocument): Issue[] {
  const issues: Issue[] = [];
  if (!RUNNABLE_SCHEDULES.includes(doc.plan.schedule)) {
    issues.push({
      code: "unsupported",
      message: `the runtime does not execute ${doc.plan.schedule} (a weight version per in-flight micro-batch)`,
      path: ["plan", "schedule"],
      expected: RUNNABLE_SCHEDULES.join(" | "),
      got: doc.plan.schedule,
    });
  }
  doc.plan.stages.forEach((s, i) => {
    if (s.tensorParallel !== 1) {
      issues.push({
        code: "unsupported",
        message: `stage ${s.id}: tensor parallelism is not executed by the runtime`,
        path: ["plan", "stages", i, "tensorParallel"],
        expected: "1",
        got: String(s.tensorParallel),
      });
    }
  });
  doc.graph.ops.forEach((op, i) => {
    if (doc.plan.schedule === "2bw" && op.attrs["tiedTo"] !== undefined && op.attrs["tiedTo"] !== "") {
      issues.push({
        code: "unsupported",
        message: `op ${op.id}: weights tied to another op are not executed under 2bw (its versions are per stage)`,
        path: ["graph", "ops", i, "attrs", "tiedTo"],
        got: String(op.attrs["tiedTo"]),
      });
    }
    if (op.kind === "opaque") {
      issues.push({
        code: "unsupported",
        message: `op ${op.id} is an imported operator dagpipe does not know (opaque) and cannot be executed`,
        path: ["graph", "ops", i, "kind"],
        got: "opaque",
      });
    }
  });
  return issues;
}

export interface JobInput {
  readonly doc: PlanDocument;
  /** The plan's lowered schedule (with send/recv/allreduce/step). */
  readonly schedule: Schedule;
  readonly format: (a: Action) => string;
  readonly run: RunSettings;
  readonly checkpoint: CheckpointSettings | null;
  readonly outDir: string;
  readonly verify: boolean;
}

export function buildRunJob(input: JobInput): RunJob {
  const { doc, schedule } = input;
  const plan = doc.plan;
  const byId = new Map(plan.stages.map((s) => [s.id, s]));
  const ranges: Record<string, (readonly [number, number])[]> = {};
  for (const s of plan.stages) {
    ranges[s.id] = replicaRanges(plan.microBatch, s.dataParallel).map((r) => [r.start, r.end] as const);
  }
  const transfers: JobTransfer[] = [];
  const seen = new Set<string>();
  for (const [from, to] of plan.stageEdges) {
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const a = byId.get(from);
    const b = byId.get(to);
    if (!a || !b) continue;
    for (const t of replicaTransfers(plan.microBatch, a.dataParallel, b.dataParallel)) {
      transfers.push({
        fromStage: from,
        toStage: to,
        fromDevice: a.devices[t.from]!,
        toDevice: b.devices[t.to]!,
        lo: t.start,
        hi: t.end,
      });
    }
  }
  return {
    format: "dagpipe-job",
    version: 1,
    graph: doc.graph,
    plan,
    ranks: planDevices(plan),
    actions: schedule.actions,
    labels: schedule.actions.map((row) => row.map(input.format)),
    replicaRanges: ranges,
    transfers,
    run: input.run,
    checkpoint: input.checkpoint,
    outDir: input.outDir,
    verify: input.verify,
  };
}
