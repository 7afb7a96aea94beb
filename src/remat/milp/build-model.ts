/**
 * Checkmate's frontier-advancing MILP (research note §2.2–2.4) as sparse arrays for HiGHS.
 *
 * Stage t computes node t for the first time, so R is lower-triangular with a unit diagonal and S strictly
 * lower-triangular. The fixings are not rows or bounds here: the fixed variables are never created
 * (constants folded into the rows), which is what HiGHS' presolve would do with bounds, done once in O(size)
 * before the model enters WebAssembly. What remains, per stage t:
 *   R[t,i], S[t,i] (i < t) binary; FREE[t,(i,k)] (k < t) in [0,1]; U[t,k] (k ≤ t) in [0, budget].
 * Rows:
 *   S[t+1,i] ≤ S[t,i] + R[t,i]                  keep only what existed in the previous stage
 *   R[t,v] ≤ R[t,u] + S[t,u]  for (u,v), v ≤ t   an input is computed in the stage or kept
 *   U[t,0] = R[t,0]·M0 + Σ S[t,i]·Mi
 *   U[t,k+1] = U[t,k] + R[t,k+1]·M(k+1) − Σ_{i∈deps(k)} Mi·FREE[t,(i,k)]
 *   FREE[t,(i,k)] ≤ R[t,k];  ≤ 1 − S[t+1,i];  ≤ 1 − R[t,j] for users j of i, k < j < t;  Σ_k FREE[t,(i,k)] ≤ 1
 * FREE uses the upper-bounding rows only (as Checkmate's CVXPY model does) instead of the two κ rows of
 * its Gurobi model: FREE only ever lowers U, so an optimum takes each FREE at its largest allowed value,
 * which for integral R and S is exactly Checkmate's product formula (0 or 1). Hence FREE can stay
 * continuous: the optimal value is that of Checkmate's MILP, with about n·m/2 fewer integer variables and a
 * tighter LP relaxation. FREE[t,(i,k)] is omitted where it is forced to 0 (a later user of i is node t).
 *
 * A node's scratch bytes (workBytes) count at the step that computes it: U[t,k] + W_k·R[t,k] ≤ budget.
 *
 * Units: memory is divided by the budget (U ≤ 1 − margin), cost by Σ C, so the objective is the overhead.
 */
import type { TrainingGraph } from "../types.js";

export interface SparseModel {
  readonly numCols: number;
  readonly numRows: number;
  readonly colCost: Float64Array;
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  readonly integer: Uint8Array;
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
  /** CSR: row r holds indices[starts[r] .. starts[r+1]). */
  readonly starts: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
  /** Constant part of the objective (Σ_t C_t / Σ C = 1 for the diagonal of R). */
  readonly offset: number;
}

/** Where each MILP variable lives: -1 = not a variable (a folded constant). Index t·n + i. */
export interface MilpLayout {
  readonly n: number;
  readonly rCol: Int32Array;
  readonly sCol: Int32Array;
  /** U[t,k] for k ≤ t. */
  readonly uCol: Int32Array;
  /** FREE per (t, edge index), index t·m + e; edges as in `edges`. */
  readonly fCol: Int32Array;
  readonly edges: readonly (readonly [number, number])[];
  /** The peak column of the min-peak model, -1 otherwise. */
  readonly pCol: number;
  /** Bytes per model memory unit (the budget), and cost units per objective unit (Σ C). */
  readonly memUnitBytes: number;
  readonly costUnit: number;
}

export interface BuildOptions {
  /**
   * Relative margin taken off the budget (default 0). A solution HiGHS accepts within its tolerances can
   * overshoot an exactly tight budget by ~1e-6 after rounding; the solver retries with a margin then.
   */
  readonly budgetMargin?: number;
  /** Upper bound on the overhead (Σ R·C ≤ maxOverhead · Σ C), e.g. 2·fwd+bwd for the max-batch search. */
  readonly maxOverhead?: number;
  /**
   * A proven lower bound on the overhead (lower-bound.ts), added as the valid cut Σ R·C ≥ minOverhead·Σ C:
   * the relaxation starts from it instead of far below.
   */
  readonly minOverhead?: number;
  /** Integrality of R and S (false: the LP relaxation). */
  readonly integral?: boolean;
  /**
   * Also add FREE + hazards ≥ 1 (FREE = 1 whenever nothing keeps the input): redundant for the optimum,
   * sometimes a better branching guide. Default false.
   */
  readonly forceFree?: boolean;
  /**
   * Minimize the peak instead (the max-batch model): a column P ≥ every U[t,k] (+ scratch) is the
   * objective, memory is unbounded, `budgetBytes` is only the memory unit, and cost enters the objective
   * with this small weight to break ties towards cheaper schedules.
   */
  readonly minimizePeakCostWeight?: number;
}

class RowBuilder {
  starts: number[] = [0];
  indices: number[] = [];
  values: number[] = [];
  lower: number[] = [];
  upper: number[] = [];
  add(lower: number, upper: number, cols: readonly number[], coefs: readonly number[]): void {
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k] as number;
      const v = coefs[k] as number;
      if (c < 0 || v === 0) continue;
      this.indices.push(c);
      this.values.push(v);
    }
    this.starts.push(this.indices.length);
    this.lower.push(lower);
    this.upper.push(upper);
  }
}

export function edgeList(g: TrainingGraph): [number, number][] {
  const edges: [number, number][] = [];
  g.deps.forEach((list, v) => {
    for (const u of list) edges.push([u, v]);
  });
  return edges;
}

export function buildRematModel(
  g: TrainingGraph,
  budgetBytes: number,
  options: BuildOptions = {},
): { model: SparseModel; layout: MilpLayout } {
  const n = g.nodes.length;
  const edges = edgeList(g);
  const m = edges.length;
  const memUnitBytes = budgetBytes;
  const costUnit = g.nodes.reduce((s, x) => s + x.cost, 0) || 1;
  const mem = g.nodes.map((x) => x.memBytes / memUnitBytes);
  const work = g.nodes.map((x) => (x.workBytes ?? 0) / memUnitBytes);
  const cost = g.nodes.map((x) => x.cost / costUnit);
  const integral = options.integral ?? true;
  const minPeak = options.minimizePeakCostWeight !== undefined;
  const costWeight = options.minimizePeakCostWeight ?? 1;
  const uMax = minPeak ? Number.POSITIVE_INFINITY : 1 - (options.budgetMargin ?? 0);

  const rCol = new Int32Array(n * n).fill(-1);
  const sCol = new Int32Array(n * n).fill(-1);
  const uCol = new Int32Array(n * n).fill(-1);
  const fCol = new Int32Array(n * m).fill(-1);
  const colCost: number[] = [];
  const colUpper: number[] = [];
  const isInt: number[] = [];
  const newCol = (c: number, ub: number, int: boolean): number => {
    colCost.push(c);
    colUpper.push(ub);
    isInt.push(int ? 1 : 0);
    return colCost.length - 1;
  };
  // Edges grouped by consumer k: the FREE terms of U[t,k+1].
  const edgesByConsumer: number[][] = Array.from({ length: n }, () => []);
  edges.forEach(([, k], e) => {
    edgesByConsumer[k]?.push(e);
  });
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < t; i++) rCol[t * n + i] = newCol(costWeight * (cost[i] as number), 1, integral);
    for (let i = 0; i < t; i++) sCol[t * n + i] = newCol(0, 1, integral);
    // U[t,t] also carries node t's scratch (R[t,t] = 1); for k < t a row adds W_k·R[t,k] (below).
    for (let k = 0; k <= t; k++)
      uCol[t * n + k] = newCol(0, k === t ? Math.max(0, uMax - (work[t] as number)) : uMax, false);
    for (let e = 0; e < m; e++) {
      const [i, k] = edges[e] as [number, number];
      if (k >= t) continue;
      // A later user of i that is node t itself is always computed in stage t: FREE is 0.
      const users = g.users[i] ?? [];
      if (users.includes(t)) continue;
      fCol[t * m + e] = newCol(0, 1, false);
    }
  }

  const pCol = minPeak ? newCol(1, Number.POSITIVE_INFINITY, false) : -1;
  const rows = new RowBuilder();
  const R = (t: number, i: number): number => rCol[t * n + i] as number;
  const S = (t: number, i: number): number => sCol[t * n + i] as number;
  for (let t = 0; t < n; t++) {
    // S continuity into stage t+1 (i < t; i = t is trivially satisfied by R[t,t] = 1).
    if (t + 1 < n) for (let i = 0; i < t; i++) rows.add(-Infinity, 0, [S(t + 1, i), S(t, i), R(t, i)], [1, -1, -1]);
    // Dependencies of every node computed in stage t.
    for (const [u, v] of edges) {
      if (v > t) continue;
      if (v === t) rows.add(1, Infinity, [R(t, u), S(t, u)], [1, 1]);
      else rows.add(-Infinity, 0, [R(t, v), R(t, u), S(t, u)], [1, -1, -1]);
    }
    // Memory: U[t,0], then the recurrence up to node t.
    {
      const cols = [uCol[t * n] as number];
      const coefs = [1];
      for (let i = 0; i < t; i++) {
        cols.push(S(t, i));
        coefs.push(-(mem[i] as number));
      }
      if (t === 0) rows.add(mem[0] as number, mem[0] as number, cols, coefs);
      else {
        cols.push(R(t, 0));
        coefs.push(-(mem[0] as number));
        rows.add(0, 0, cols, coefs);
      }
    }
    for (let k = 0; k < t; k++) {
      const cols = [uCol[t * n + k + 1] as number, uCol[t * n + k] as number];
      const coefs = [1, -1];
      for (const e of edgesByConsumer[k] ?? []) {
        const f = fCol[t * m + e] as number;
        if (f < 0) continue;
        cols.push(f);
        coefs.push(mem[(edges[e] as [number, number])[0]] as number);
      }
      if (k + 1 === t) rows.add(mem[t] as number, mem[t] as number, cols, coefs);
      else {
        cols.push(R(t, k + 1));
        coefs.push(-(mem[k + 1] as number));
        rows.add(0, 0, cols, coefs);
      }
    }
    // Scratch memory of a recomputed node: U[t,k] + W_k·R[t,k] ≤ budget.
    for (let k = 0; k < t; k++) {
      if ((work[k] as number) > 0 && !minPeak)
        rows.add(-Infinity, uMax, [uCol[t * n + k] as number, R(t, k)], [1, work[k] as number]);
    }
    // Min-peak model: P ≥ U[t,k] + scratch at every step.
    if (minPeak) {
      for (let k = 0; k <= t; k++) {
        const u = uCol[t * n + k] as number;
        if (k === t) rows.add(-Infinity, -(work[t] as number), [u, pCol], [1, -1]);
        else rows.add(-Infinity, 0, [u, R(t, k), pCol], [1, work[k] as number, -1]);
      }
    }
    // FREE upper bounds.
    const freesOf = new Map<number, number[]>();
    for (let e = 0; e < m; e++) {
      const f = fCol[t * m + e] as number;
      if (f < 0) continue;
      const [i, k] = edges[e] as [number, number];
      rows.add(-Infinity, 0, [f, R(t, k)], [1, -1]);
      if (t + 1 < n) rows.add(-Infinity, 1, [f, S(t + 1, i)], [1, 1]);
      for (const j of g.users[i] ?? []) if (j > k && j < t) rows.add(-Infinity, 1, [f, R(t, j)], [1, 1]);
      const list = freesOf.get(i);
      if (list) list.push(f);
      else freesOf.set(i, [f]);
    }
    for (const list of freesOf.values()) {
      if (list.length > 1) rows.add(-Infinity, 1, list, new Array(list.length).fill(1));
    }
    if (options.forceFree) {
      for (let e = 0; e < m; e++) {
        const f = fCol[t * m + e] as number;
        if (f < 0) continue;
        const [i, k] = edges[e] as [number, number];
        // FREE + (1 − R[t,k]) + S[t+1,i] + Σ R[t,j] ≥ 1.
        const cols = [f, R(t, k)];
        const coefs = [1, -1];
        if (t + 1 < n) {
          cols.push(S(t + 1, i));
          coefs.push(1);
        }
        for (const j of g.users[i] ?? []) {
          if (j > k && j < t) {
            cols.push(R(t, j));
            coefs.push(1);
          }
        }
        rows.add(0, Infinity, cols, coefs);
      }
    }
  }
  if (options.maxOverhead !== undefined || options.minOverhead !== undefined) {
    const cols: number[] = [];
    const coefs: number[] = [];
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < t; i++) {
        cols.push(R(t, i));
        coefs.push(cost[i] as number);
      }
    }
    const offset = cost.reduce((s, c) => s + c, 0);
    const lo = options.minOverhead !== undefined ? options.minOverhead - offset : -Infinity;
    const hi = options.maxOverhead !== undefined ? options.maxOverhead - offset : Infinity;
    rows.add(lo, hi, cols, coefs);
  }

  const numCols = colCost.length;
  const model: SparseModel = {
    numCols,
    numRows: rows.lower.length,
    colCost: Float64Array.from(colCost),
    colLower: new Float64Array(numCols),
    colUpper: Float64Array.from(colUpper),
    integer: Uint8Array.from(isInt),
    rowLower: Float64Array.from(rows.lower),
    rowUpper: Float64Array.from(rows.upper),
    starts: Int32Array.from(rows.starts),
    indices: Int32Array.from(rows.indices),
    values: Float64Array.from(rows.values),
    offset: costWeight * cost.reduce((s, c) => s + c, 0),
  };
  return { model, layout: { n, rCol, sCol, uCol, fCol, pCol, edges, memUnitBytes, costUnit } };
}

/** The 0/1 matrices of a solution vector (values rounded at 0.5), with the frontier diagonal. */
export function scheduleFromSolution(
  layout: MilpLayout,
  colValue: ArrayLike<number>,
): { R: Uint8Array; S: Uint8Array } {
  const { n } = layout;
  const R = new Uint8Array(n * n);
  const S = new Uint8Array(n * n);
  for (let t = 0; t < n; t++) {
    R[t * n + t] = 1;
    for (let i = 0; i < t; i++) {
      const r = layout.rCol[t * n + i] as number;
      const s = layout.sCol[t * n + i] as number;
      if (r >= 0 && (colValue[r] ?? 0) > 0.5) R[t * n + i] = 1;
      if (s >= 0 && (colValue[s] ?? 0) > 0.5) S[t * n + i] = 1;
    }
  }
  return { R, S };
}
