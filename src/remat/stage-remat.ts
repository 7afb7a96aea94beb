/**
 * What a pipeline planner asks of rematerialization (issue 5 item 8): for a stage's ops at a micro-batch
 * size and an activation budget, the cheapest recompute overhead and the memory it needs. The answer is in
 * the terms of `Stage.rematCost` (src/plan/types.ts): the extra forward time as a fraction of the stage's
 * forward time, and the bytes per sample kept from the forward into the backward (what each in-flight
 * micro-batch stashes).
 */
import type { Highs } from "highs";
import type { CostModel, OptimizerSpec } from "../cost/types.js";
import type { Graph } from "../graph/types.js";
import { fail, ok, type Result } from "../util/issues.js";
import { solveRemat } from "./solve.js";
import { trainingGraphFromGraph } from "./training-graph.js";
import { forwardCount, totalCost } from "./training-graph-layout.js";
import type { RematSchedule, SolverName, SolveStatus, TrainingGraph } from "./types.js";

export interface StageRematQuery {
  readonly graph: Graph;
  /** The stage's op ids (default: the whole graph). */
  readonly ops?: readonly string[];
  readonly microBatch: number;
  /** Bytes available for the stage's activations while one micro-batch runs forward and backward. */
  readonly activationBudgetBytes: number;
  readonly costModel?: CostModel;
  readonly optimizer?: OptimizerSpec;
  /** "milp" (default; exact or coarsened by size) or a baseline, e.g. "chen-greedy" for fast estimates. */
  readonly solver?: SolverName;
  readonly timeLimitSec?: number;
  readonly highs?: Highs;
}

export interface StageRematAnswer {
  readonly status: SolveStatus;
  /** cost ÷ cost without recomputation (1 = none). */
  readonly overhead?: number;
  /** Recomputed time ÷ the stage's forward time. */
  readonly extraFwdFraction?: number;
  /** Simulated activation peak of one micro-batch under the schedule. */
  readonly activationBytes?: number;
  /** Bytes per sample kept from the end of the forward into the backward. */
  readonly savedBytesPerSample?: number;
  /** Proven lower bound on the overhead at this budget. */
  readonly lowerBoundOverhead?: number;
  /** Least activation bytes known to be needed when nothing fits. */
  readonly leastBytes?: number;
  /** Weights, gradients, optimizer state and received inputs: outside the activation budget. */
  readonly fixedBytes: number;
  readonly schedule?: RematSchedule;
  readonly trainingGraph: TrainingGraph;
}

export async function stageRematCost(q: StageRematQuery): Promise<Result<StageRematAnswer>> {
  const built = trainingGraphFromGraph(q.graph, {
    batch: q.microBatch,
    ...(q.ops ? { ops: q.ops } : {}),
    ...(q.costModel ? { costModel: q.costModel } : {}),
    ...(q.optimizer ? { optimizer: q.optimizer } : {}),
  });
  if (!built.ok) return fail(built.issues);
  const g = built.value;
  if (!(q.activationBudgetBytes > 0)) {
    return fail([
      {
        code: "bad-option",
        message: "the activation budget must be positive",
        path: ["activationBudgetBytes"],
        got: String(q.activationBudgetBytes),
      },
    ]);
  }
  const r = await solveRemat(g, q.activationBudgetBytes, q.solver ?? "milp", {
    ...(q.timeLimitSec !== undefined ? { timeLimitSec: q.timeLimitSec } : {}),
    ...(q.highs ? { highs: q.highs } : {}),
  });
  const base = { status: r.status, fixedBytes: g.fixedBytes, trainingGraph: g } as const;
  if (!r.schedule || !r.stats) {
    return ok({
      ...base,
      ...(r.leastBytes !== undefined ? { leastBytes: r.leastBytes } : {}),
      ...(r.lowerBoundOverhead !== undefined ? { lowerBoundOverhead: r.lowerBoundOverhead } : {}),
    });
  }
  const total = totalCost(g);
  const fwd = g.nodes.reduce((s, x) => s + (x.kind === "forward" ? x.cost : 0), 0);
  return ok({
    ...base,
    overhead: r.stats.overhead,
    extraFwdFraction: fwd > 0 ? (r.stats.cost - total) / fwd : 0,
    activationBytes: r.stats.activationBytes,
    savedBytesPerSample: stashedBytes(g, r.schedule) / q.microBatch,
    ...(r.lowerBoundOverhead !== undefined ? { lowerBoundOverhead: r.lowerBoundOverhead } : {}),
    schedule: r.schedule,
  });
}

/** Bytes of forward outputs kept into the first backward stage (the loss stage's successor). */
export function stashedBytes(g: TrainingGraph, { S }: RematSchedule): number {
  const n = g.nodes.length;
  const L = forwardCount(g);
  let bytes = 0;
  for (let i = 0; i < L; i++) if (S[(L + 1) * n + i] === 1) bytes += g.nodes[i]?.memBytes ?? 0;
  return bytes;
}
