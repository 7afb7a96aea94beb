/**
 * Runs one sparse model through HiGHS (WebAssembly, single-threaded): time limit and gap as options,
 * progress and early stops through HiGHS' MIP callbacks, the best incumbent kept when a limit ends the
 * solve, and the model's WebAssembly memory released in every case.
 */
import type { Highs, HighsCallbackMap, Model, ModelStatusCode } from "highs";
import * as highsModule from "highs";
import type { SparseModel } from "./build-model.js";

export type HighsOutcomeStatus = "optimal" | "infeasible" | "limit" | "error";

export interface HighsRunOptions {
  readonly highs?: Highs;
  readonly timeLimitSec?: number;
  /** Relative MIP gap at which HiGHS stops (HiGHS' default 1e-4). */
  readonly relGap?: number;
  /** Stop as soon as an incumbent with objective ≤ this value exists. */
  readonly stopAtObjective?: number;
  /** Stop at the first feasible solution (feasibility probes). */
  readonly stopAtFirstSolution?: boolean;
  /** A full solution vector HiGHS may start from (rejected by HiGHS if infeasible). */
  readonly start?: Float64Array;
  readonly onProgress?: (p: { elapsedSec: number; primal?: number; dual?: number }) => void;
}

export interface HighsOutcome {
  readonly status: HighsOutcomeStatus;
  /** The best solution HiGHS had, optimal or not; undefined when it found none. */
  readonly colValue?: Float64Array;
  readonly objective?: number;
  /** Best proven lower bound on the objective (the LP value for an LP). */
  readonly bound?: number;
  readonly solveSec: number;
  readonly modelStatus: ModelStatusCode;
  readonly message?: string;
}

/**
 * The package's types describe a CommonJS module while Node loads its ESM build; the namespace's `default`
 * is the loader in both views. In a browser, `locateFile` says where the page serves `highs.wasm` (Node
 * finds it beside the package).
 */
export function loadHighs(settings: { readonly locateFile?: (file: string) => string } = {}): Promise<Highs> {
  type Loader = (settings: object) => Promise<Highs>;
  const ns = highsModule as unknown as { default: Loader | { default: Loader } };
  return typeof ns.default === "function" ? ns.default(settings) : ns.default.default(settings);
}

/** Loads a sparse model into HiGHS as arrays (infinities mapped to HiGHS'); the caller disposes it. */
export function createHighsModel(highs: Highs, sm: SparseModel): Model {
  return highs.createModel({
    numCols: sm.numCols,
    numRows: sm.numRows,
    offset: sm.offset,
    colCost: sm.colCost,
    colLower: sm.colLower,
    colUpper: sm.colUpper.map((x) => (x === Number.POSITIVE_INFINITY ? highs.infinity : x)),
    rowLower: sm.rowLower.map((x) => (x === -Infinity ? -highs.infinity : x)),
    rowUpper: sm.rowUpper.map((x) => (x === Infinity ? highs.infinity : x)),
    matrix: {
      format: "csr",
      numRows: sm.numRows,
      numCols: sm.numCols,
      starts: sm.starts,
      indices: sm.indices,
      values: sm.values,
    },
    ...(sm.integer.some((x) => x === 1) ? { integrality: Int32Array.from(sm.integer) } : {}),
  });
}

const STATUS = { optimal: 7, infeasible: 8, unboundedOrInfeasible: 9 } as const;

export async function runHighs(sm: SparseModel, options: HighsRunOptions = {}): Promise<HighsOutcome> {
  const highs = options.highs ?? (await loadHighs());
  const anyInteger = sm.integer.some((x) => x === 1);
  let owned: Model | undefined;
  const t0 = performance.now();
  try {
    const model = createHighsModel(highs, sm);
    owned = model;
    model.options.set({
      output_flag: false,
      presolve: "on",
      ...(options.timeLimitSec !== undefined ? { time_limit: options.timeLimitSec } : {}),
      ...(options.relGap !== undefined ? { mip_rel_gap: options.relGap } : {}),
    });
    if (options.start) model.setSolution({ colValue: options.start });
    let incumbent: Float64Array | undefined;
    let incumbentObjective = Number.POSITIVE_INFINITY;
    let dualBound: number | undefined;
    const types = highs.constants.callbackType;
    const callbacks: HighsCallbackMap = anyInteger
      ? {
          [types.mipImprovingSolution](event) {
            const value = event.data.objective_function_value;
            if (event.data.mip_solution && value !== undefined && value < incumbentObjective) {
              incumbent = event.data.mip_solution;
              incumbentObjective = value;
            }
          },
          [types.mipInterrupt](event) {
            const primal = event.data.mip_primal_bound;
            const dual = event.data.mip_dual_bound;
            if (dual !== undefined && Number.isFinite(dual)) dualBound = dual;
            options.onProgress?.({
              elapsedSec: (performance.now() - t0) / 1000,
              ...(primal !== undefined && Number.isFinite(primal) ? { primal } : {}),
              ...(dual !== undefined && Number.isFinite(dual) ? { dual } : {}),
            });
            if (primal !== undefined && Number.isFinite(primal)) {
              if (options.stopAtFirstSolution) event.interrupt();
              if (options.stopAtObjective !== undefined && primal <= options.stopAtObjective) event.interrupt();
            }
          },
        }
      : {};
    const run = model.run(callbacks);
    const solveSec = (performance.now() - t0) / 1000;
    const status = run.modelStatus;
    if (status === STATUS.infeasible || status === STATUS.unboundedOrInfeasible) {
      return { status: "infeasible", solveSec, modelStatus: status };
    }
    const feasible = model.info.get("primal_solution_status") === highs.constants.solutionStatus.feasible;
    let colValue: Float64Array | undefined;
    let objective: number | undefined;
    if (feasible) {
      colValue = model.getSolution().colValue;
      objective = model.getObjectiveValue();
    } else if (incumbent) {
      colValue = incumbent;
      objective = incumbentObjective;
    }
    let bound: number | undefined;
    if (anyInteger) {
      const b = Number(model.info.get("mip_dual_bound"));
      bound = Number.isFinite(b) ? b : dualBound;
    } else if (status === STATUS.optimal) {
      bound = objective;
    }
    return {
      status: status === STATUS.optimal ? "optimal" : "limit",
      ...(colValue ? { colValue } : {}),
      ...(objective !== undefined ? { objective } : {}),
      ...(bound !== undefined ? { bound } : {}),
      solveSec,
      modelStatus: status,
    };
  } catch (e) {
    return {
      status: "error",
      solveSec: (performance.now() - t0) / 1000,
      modelStatus: 4,
      message: e instanceof Error ? e.message : String(e),
    };
  } finally {
    owned?.dispose();
  }
}
