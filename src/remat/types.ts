/**
 * Types of the rematerialization module (Checkmate, MLSys 2020). A training graph is a DAG of forward
 * nodes, one loss node and backward (gradient) nodes, numbered in topological order in the mirrored layout
 * every algorithm here relies on: forward 0..L-1, loss L, gradient of forward node i at n-1-i (n = 2L+1).
 */

export type NodeKind = "forward" | "loss" | "backward";

/** What a node's `cost` counts. Overheads (cost ÷ cost without recomputation) are unit-free. */
export type CostUnit = "sec" | "flops" | "profiled" | "unit";

export interface TrainingNode {
  readonly name: string;
  readonly kind: NodeKind;
  /** Time to compute the node once, in the graph's `costUnit`. */
  readonly cost: number;
  /** Bytes of the node's output tensor (at the graph's batch size). */
  readonly memBytes: number;
  /** Scratch bytes live only while the node runs, on top of its inputs and output (default 0). */
  readonly workBytes?: number;
}

export interface TrainingGraph {
  readonly name: string;
  /** Index = topological position; layout as in the file header. */
  readonly nodes: readonly TrainingNode[];
  /** deps[v] = nodes whose outputs v reads, ascending, all < v. */
  readonly deps: readonly (readonly number[])[];
  /** users[u] = nodes that read u's output, ascending, all > u. */
  readonly users: readonly (readonly number[])[];
  readonly costUnit: CostUnit;
  /**
   * Memory outside the activation budget (weights, gradients, optimizer state, input batch): added to the
   * simulated activation peak to report total peak memory. Checkmate's "cost_ram_fixed".
   */
  readonly fixedBytes: number;
  /** Samples the costs and memory sizes are for, when known. */
  readonly batch?: number;
}

/**
 * A schedule as Checkmate's two n×n 0/1 matrices, row-major (index t·n + i):
 * R[t,i] = node i is computed in stage t; S[t,i] = the output of i is kept from stage t-1 into stage t.
 */
export interface RematSchedule {
  readonly R: Uint8Array;
  readonly S: Uint8Array;
}

/** One instruction of an execution order (Checkmate's AllocateRegister / OperatorEvaluation / Deallocate). */
export interface ExecStep {
  readonly kind: "allocate" | "compute" | "free";
  readonly stage: number;
  readonly node: number;
}

/** What the independent memory simulation measured on an execution order. */
export interface ScheduleStats {
  /** Σ cost of every compute step (= Σ R·C). */
  readonly cost: number;
  /** cost ÷ Σ node costs (1 = no recomputation). */
  readonly overhead: number;
  /** Largest sum of live activation bytes, measured after each allocation (plus scratch while a node runs). */
  readonly activationBytes: number;
  /** activationBytes + graph.fixedBytes. */
  readonly peakBytes: number;
  /** Number of compute steps beyond one per node. */
  readonly recomputations: number;
}

export type SolverName =
  | "milp"
  | "lp"
  | "checkpoint-all"
  | "checkpoint-ap"
  | "chen-sqrt"
  | "chen-sqrt-ap"
  | "chen-greedy"
  | "chen-greedy-ap"
  | "griewank"
  | "last-node";

export const SOLVER_NAMES: readonly SolverName[] = [
  "milp",
  "lp",
  "checkpoint-all",
  "checkpoint-ap",
  "chen-sqrt",
  "chen-sqrt-ap",
  "chen-greedy",
  "chen-greedy-ap",
  "griewank",
  "last-node",
];

/**
 * How a solve ended: `optimal` (proven within the gap), `feasible` (a schedule within the budget, limit
 * hit or heuristic), `infeasible` (proven: no schedule fits), `no-solution` (limit hit before any schedule
 * was found, nothing proven), `not-applicable` (e.g. Griewank on a graph that is not a chain).
 */
export type SolveStatus = "optimal" | "feasible" | "infeasible" | "no-solution" | "not-applicable";

export interface SolveResult {
  readonly solver: SolverName;
  readonly status: SolveStatus;
  /** Present when a schedule within the budget was found; its stats come from the memory simulation. */
  readonly schedule?: RematSchedule;
  readonly stats?: ScheduleStats;
  /**
   * When no schedule fits: the least activation bytes known to be needed (a proven floor for the MILP,
   * the smallest schedule of a baseline otherwise).
   */
  readonly leastBytes?: number;
  /** Best proven lower bound on the overhead at this budget (1 when nothing better is known). */
  readonly lowerBoundOverhead?: number;
  /** Wall time of the solve, seconds (measured by the caller's clock when one is given). */
  readonly solveSec?: number;
  /** Why there is no schedule, or what limited the result (one line). */
  readonly note?: string;
}

/** Progress of a long solve, for a caller that shows it (the core never prints). */
export interface SolveProgress {
  readonly phase: string;
  readonly elapsedSec: number;
  /** Best overhead found so far. */
  readonly incumbentOverhead?: number;
  /** Best proven lower bound on the overhead. */
  readonly boundOverhead?: number;
  /** Fraction of the time limit used, in [0, 1], when a limit is set. */
  readonly fraction?: number;
}

export type ProgressFn = (p: SolveProgress) => void;
