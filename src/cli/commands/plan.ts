/**
 * `dagpipe plan <model> [model options] --gpus N [--cluster P] [--device D] [--memory GB] [--batch B]
 *  [--planner all|graph|sequential|pipedream|uniform] [--no-dp] [--async] [--no-recompute] [--micro-batch b]
 *  [--out plan.json] [--json]`: the fastest plan that fits (docs/planners.md). Wiring only: parse, load the
 * model and cluster, run the planner, print. Exit 0 with a plan; 1 when no plan fits (the least device memory
 * with which one exists is printed); 2 bad input. The options and the runner are shared with `compare`.
 */

import { resolve } from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { createCostModel } from "../../cost/create-cost-model.js";
import type { Graph } from "../../graph/types.js";
import type { Cluster } from "../../hardware/types.js";
import { writeFileAtomic } from "../../io/write-file-atomic.js";
import { writePlanJson } from "../../plan/plan-json.js";
import type { PlanDocument } from "../../plan/types.js";
import { simulationJudge } from "../../planners/judge.js";
import { refineWithRemat } from "../../planners/remat-refine.js";
import { runPlanner } from "../../planners/run-planner.js";
import {
  PLANNER_NAMES,
  type PlannerName,
  type PlannerProgress,
  type PlannerRequest,
  type PlanResult,
} from "../../planners/types.js";
import { SOLVER_NAMES, type SolverName } from "../../remat/types.js";
import { type PlanFailureSummary, type PlanSummary, summarizePlan } from "../../report/plan-summary.js";
import { formatFailure, formatPlan, type PlanHeader } from "../../report/plan-table.js";
import { InputError, type Issue } from "../../util/issues.js";
import { addClusterOptions, type ClusterOptionValues, clusterFromOptions } from "../cluster-arg.js";
import type { CliCommand, CliIO } from "../context.js";
import { EXIT, runAction } from "../context.js";
import { loadModelArg, MODEL_ARG_HELP, MODEL_HELP_AFTER } from "../model-arg.js";

export interface PlanningOptions extends ClusterOptionValues {
  batch?: string;
  remat?: string;
  dp?: boolean;
  async?: boolean;
  recompute?: boolean;
  microBatch?: string;
  json?: boolean;
}

/** Samples per device in the default mini-batch (`--batch` left out). */
export const DEFAULT_SAMPLES_PER_DEVICE = 8;

/** The options `plan` and `compare` share (cluster, batch, search switches, --json). */
export function addPlanningOptions(command: Command): Command {
  return addClusterOptions(command)
    .option("--batch <B>", `samples per iteration (default ${DEFAULT_SAMPLES_PER_DEVICE} × devices)`)
    .option("--no-dp", "no data parallelism inside stages (every stage on one device)")
    .option("--async", "also consider PipeDream-2BW (no flush; weights updated with one-step-stale gradients)")
    .option("--no-recompute", "never recompute a stage's forward to save memory")
    .option(
      "--remat <solver>",
      "where a stage recomputes, try a cheaper rematerialization schedule (milp, chen-greedy, … or none)",
      "milp",
    )
    .option("--micro-batch <b>", "only this micro-batch size (default: every power of two dividing the batch)")
    .option("--json", "print one JSON document instead of tables")
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText("after", MODEL_HELP_AFTER);
}

export interface PlanningSetup {
  readonly graph: Graph;
  readonly cluster: Cluster;
  readonly request: Omit<PlannerRequest, "onProgress">;
  readonly header: PlanHeader;
}

function positiveInt(raw: string | undefined, option: string, issues: Issue[]): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  if (/^\d+$/.test(text) && Number(text) >= 1) return Number(text);
  issues.push({
    code: "bad-option",
    message: `--${option} must be a whole number ≥ 1`,
    path: [option],
    expected: "an integer ≥ 1",
    got: text,
  });
  return undefined;
}

/** Model, cluster and planner request from a command line; throws InputError (exit 2) with every problem. */
export function planningSetup(cmd: Command, opts: PlanningOptions, io: CliIO): PlanningSetup {
  const issues: Issue[] = [];
  const batchOpt = positiveInt(opts.batch, "batch", issues);
  const microBatch = positiveInt(opts.microBatch, "micro-batch", issues);
  if (issues.length > 0) throw new InputError(issues);
  const cluster = clusterFromOptions(opts, io.cwd);
  const graph = loadModelArg(cmd, io);
  const devices = cluster.nodes * cluster.devicesPerNode;
  const batch = batchOpt ?? DEFAULT_SAMPLES_PER_DEVICE * devices;
  if (microBatch !== undefined && (microBatch > batch || batch % microBatch !== 0)) {
    throw new InputError([
      {
        code: "bad-option",
        message: `--micro-batch ${microBatch} does not divide the batch ${batch}`,
        path: ["micro-batch"],
        expected: `a divisor of ${batch}`,
        got: String(microBatch),
      },
    ]);
  }
  const cost = createCostModel(cluster.device, { graph });
  return {
    graph,
    cluster,
    request: {
      graph,
      cluster,
      cost,
      batch,
      dataParallel: opts.dp !== false,
      allowAsync: opts.async === true,
      recompute: opts.recompute !== false,
      ...(microBatch === undefined ? {} : { microBatchSizes: [microBatch] }),
      judge: simulationJudge(cluster),
    },
    header: {
      model: graph.name,
      cluster: `${devices} × ${cluster.device.name} (${cluster.name}: ${cluster.nodes} node${cluster.nodes === 1 ? "" : "s"} × ${cluster.devicesPerNode})`,
      batch,
      memBytes: cluster.device.memBytes,
    },
  };
}

/**
 * Progress on stderr: nothing for searches under a second; then a cli-progress bar when stderr is a terminal.
 * Planners call back synchronously, so the bar redraws from those calls.
 */
export function progressReporter(io: CliIO): { onProgress: (p: PlannerProgress) => void; stop: () => void } {
  const start = performance.now();
  let bar: cliProgress.SingleBar | undefined;
  return {
    onProgress(p) {
      if (!io.stderrIsTTY) return;
      if (!bar) {
        if (performance.now() - start < 1000) return;
        bar = new cliProgress.SingleBar({
          stream: process.stderr,
          format: "planning {planner} [{bar}] {value}/{total} {phase}",
          clearOnComplete: true,
          hideCursor: false,
        });
        bar.start(Math.max(1, p.total), p.done, { planner: p.planner, phase: p.phase });
      }
      bar.setTotal(Math.max(1, p.total));
      bar.update(p.done, { planner: p.planner, phase: p.phase });
    },
    stop() {
      bar?.stop();
    },
  };
}

export interface TimedResult {
  readonly result: PlanResult;
  readonly summary: PlanSummary | PlanFailureSummary;
}

export async function runTimed(
  name: PlannerName,
  setup: PlanningSetup,
  onProgress: (p: PlannerProgress) => void,
  remat: string | undefined,
): Promise<TimedResult> {
  const t0 = performance.now();
  const req = { ...setup.request, onProgress };
  let result = runPlanner(name, req);
  if (remat !== "none") {
    result = (await refineWithRemat(req, result, { solver: parseRematSolver(remat) })).result;
  }
  const searchSec = (performance.now() - t0) / 1000;
  return { result, summary: summarizePlan(result, setup.cluster, searchSec) };
}

/** `--remat <solver>`: a solver of src/remat, or "none". */
export function parseRematSolver(raw: string | undefined): SolverName {
  const name = (raw ?? "milp").toLowerCase();
  if ((SOLVER_NAMES as readonly string[]).includes(name)) return name as SolverName;
  throw new InputError([
    {
      code: "bad-option",
      message: `unknown remat solver "${raw}"`,
      path: ["remat"],
      expected: `none or one of ${SOLVER_NAMES.join(", ")}`,
      got: String(raw),
    },
  ]);
}

function planDocument(result: Extract<PlanResult, { ok: true }>, cluster: Cluster): PlanDocument {
  return {
    format: "dagpipe-plan",
    version: 1,
    planner: result.planner,
    graph: result.graph,
    cluster,
    plan: result.plan,
    predicted: {
      iterationSec: result.predicted.iterationSec,
      samplesPerSec: result.predicted.samplesPerSec,
      peakMemBytes: result.predicted.peakMemBytes,
    },
  };
}

function parsePlanner(raw: string | undefined): PlannerName | "all" {
  const name = (raw ?? "graph").toLowerCase();
  if (name === "all" || (PLANNER_NAMES as readonly string[]).includes(name)) return name as PlannerName | "all";
  throw new InputError([
    {
      code: "bad-option",
      message: `unknown planner "${raw}"`,
      path: ["planner"],
      expected: `one of ${[...PLANNER_NAMES, "all"].join(", ")}`,
      got: String(raw),
    },
  ]);
}

export const planCommand: CliCommand = {
  name: "plan",
  register(program, ctx) {
    addPlanningOptions(
      program
        .command("plan")
        .description("Find the fastest pipeline plan that fits in memory: stages, devices, micro-batches, schedule")
        .argument("<model>", MODEL_ARG_HELP)
        .option("--planner <name>", `${PLANNER_NAMES.join(" | ")} | all (the fastest of them)`, "all")
        .option("--out <plan.json>", "write the plan document (for dagpipe simulate / run / export)"),
    ).action(
      runAction(
        ctx,
        async (_model: string, opts: PlanningOptions & { planner?: string; out?: string }, cmd: Command) => {
          const io = ctx.io;
          const which = parsePlanner(opts.planner);
          if (opts.remat !== undefined && opts.remat !== "none") parseRematSolver(opts.remat);
          const setup = planningSetup(cmd, opts, io);
          const progress = progressReporter(io);
          const names = which === "all" ? PLANNER_NAMES : [which];
          const runs: TimedResult[] = [];
          for (const name of names) runs.push(await runTimed(name, setup, progress.onProgress, opts.remat));
          progress.stop();
          const wins = runs.filter((r) => r.result.ok) as (TimedResult & { result: { ok: true } })[];
          const best = wins.reduce<(typeof wins)[number] | undefined>(
            (a, r) =>
              !a ||
              (r.result.ok && r.result.predicted.samplesPerSec > (a.result.ok ? a.result.predicted.samplesPerSec : 0))
                ? r
                : a,
            undefined,
          );
          if (!best) {
            const failures = runs.map((r) => r.summary as PlanFailureSummary);
            const least = failures
              .map((f) => f.leastMemBytes)
              .filter((x): x is number => x !== undefined)
              .reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
            const shown: PlanFailureSummary = {
              ...failures[0]!,
              ...(Number.isFinite(least) ? { leastMemBytes: least } : {}),
              searchSec: failures.reduce((a, f) => a + f.searchSec, 0),
            };
            if (opts.json) io.out(`${JSON.stringify(shown, null, 2)}\n`);
            else io.err(`dagpipe plan: ${formatFailure(shown, setup.header)}\n`);
            return EXIT.cannotMeet;
          }
          const summary = best.summary as PlanSummary;
          if (opts.out !== undefined)
            writeFileAtomic(resolve(io.cwd, opts.out), writePlanJson(planDocument(best.result, setup.cluster)), {
              shownAs: opts.out,
              option: "out",
            });
          if (opts.json) {
            const others = runs.filter((r) => r !== best).map((r) => r.summary);
            io.out(`${JSON.stringify(which === "all" ? { ...summary, others } : summary, null, 2)}\n`);
          } else {
            io.out(`${formatPlan(summary, setup.header)}\n`);
            if (which === "all") {
              for (const r of runs) {
                if (r === best) continue;
                const s = r.summary;
                io.out(
                  s.ok
                    ? `  ${s.planner}: ${s.predicted.samplesPerSec.toFixed(1)} samples/s\n`
                    : `  ${s.planner}: ${s.reason}\n`,
                );
              }
            }
            if (opts.out !== undefined) io.out(`plan written to ${opts.out}\n`);
          }
          return EXIT.ok;
        },
      ),
    );
  },
};
