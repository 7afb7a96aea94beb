/**
 * `dagpipe remat <model|graph> --budget GB [--batch B] [--solver …|all] [--time-limit S] [--json]`:
 * activation rematerialization (Checkmate) with every solver side by side; and
 * `dagpipe remat <model|graph> --max-batch --device D`: the largest batch that fits a device.
 * `<graph>` may also be a Checkmate training graph (networkx node-link JSON), picked by content.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { createCostModel } from "../../cost/create-cost-model.js";
import type { Graph } from "../../graph/types.js";
import { findDevice } from "../../hardware/presets.js";
import { looksLikeCheckmateGraph, readCheckmateGraph } from "../../io/checkmate-graph.js";
import {
  formatMaxBatchTable,
  formatRematTable,
  type MaxBatchSummary,
  summarizeResult,
  summarizeTrainingGraph,
} from "../../remat/format-results.js";
import { type GraphAtBatch, maxBatchSize, scaleBatch } from "../../remat/max-batch.js";
import { loadHighs } from "../../remat/milp/run-highs.js";
import { solveRemat } from "../../remat/solve.js";
import { trainingGraphFromGraph } from "../../remat/training-graph.js";
import { SOLVER_NAMES, type SolveProgress, type SolverName, type TrainingGraph } from "../../remat/types.js";
import { InputError, type Issue, unwrap } from "../../util/issues.js";
import type { CliCommand, CliIO } from "../context.js";
import { EXIT, runAction } from "../context.js";
import { loadModelArg, MODEL_ARG_HELP, MODEL_HELP_AFTER, splitModelArgs } from "../model-arg.js";

interface RematOpts {
  budget?: string;
  batch?: string;
  solver?: string;
  timeLimit?: string;
  gap?: string;
  seed?: string;
  device?: string;
  memory?: string;
  maxBatch?: boolean;
  method?: string;
  checkmateOrder?: boolean;
  json?: boolean;
}

const SOLVER_CHOICES = [...SOLVER_NAMES, "all"];
const DEFAULT_BATCH = 32;

export const rematCommand: CliCommand = {
  name: "remat",
  register(program, ctx) {
    program
      .command("remat")
      .description(
        "Activation rematerialization (Checkmate): recompute overhead vs memory per solver, or the max batch",
      )
      .argument("<model>", `${MODEL_ARG_HELP}, or a Checkmate training graph (node-link JSON)`)
      .option("--budget <GB>", "activation memory budget in GB (1e9 bytes), parameters and optimizer state excluded")
      .option("--batch <B>", `batch size (default ${DEFAULT_BATCH}; a Checkmate graph's own batch)`)
      .option("--solver <name>", `one of ${SOLVER_CHOICES.join(", ")}`, "all")
      .option("--time-limit <S>", "time limit of the MILP and LP solves, seconds (per probe with --max-batch)", "60")
      .option("--gap <G>", "relative MIP gap at which the MILP stops", "1e-4")
      .option("--seed <N>", "seed of the LP path's randomized rounding", "1")
      .option("--device <D>", "device preset: costs in seconds from its roofline; memory for --max-batch")
      .option("--memory <GB>", "device memory in GB (1e9 bytes) for --max-batch, overriding the preset's")
      .option("--max-batch", "find the largest batch that fits the device (at most one extra forward pass)")
      .option("--method <m>", "with --max-batch: milp, baselines, checkpoint-all or all", "all")
      .option("--checkmate-order", "order √n/greedy candidates as Checkmate's artifact does (reproduces its numbers)")
      .option("--json", "print one JSON document instead of the table")
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText("after", MODEL_HELP_AFTER)
      .action(runAction(ctx, (_model: string, opts: RematOpts, cmd: Command) => runRemat(ctx.io, opts, cmd)));
  },
};

async function runRemat(io: CliIO, opts: RematOpts, cmd: Command): Promise<number> {
  const source = loadSource(cmd, io);
  const batch = opts.batch !== undefined ? positiveInt(opts.batch, "batch") : undefined;
  const device = opts.device !== undefined ? unwrap(findDevice(opts.device)) : undefined;
  const costModel = device && source.kind === "graph" ? createCostModel(device, { graph: source.graph }) : undefined;
  const graphAt: GraphAtBatch = (b) =>
    source.kind === "checkmate"
      ? scaleBatch(source.graph, b)
      : unwrap(trainingGraphFromGraph(source.graph, { batch: b, ...(costModel ? { costModel } : {}) }));
  const defaultBatch = source.kind === "checkmate" ? (source.graph.batch ?? 1) : DEFAULT_BATCH;
  const timeLimitSec = positiveNumber(opts.timeLimit ?? "60", "time-limit");
  const highs = await loadHighs();
  const progress = progressBar(io);
  try {
    if (opts.maxBatch) {
      const memBytes =
        opts.memory !== undefined ? positiveNumber(opts.memory, "memory") * 1e9 : (device?.memBytes ?? undefined);
      if (memBytes === undefined) {
        throw new InputError([
          {
            code: "bad-option",
            message: "--max-batch needs the device memory: --device D or --memory GB",
            path: ["device"],
            expected: "--device <preset> or --memory <GB>",
          },
        ]);
      }
      const methods = pickMethods(opts.method ?? "all");
      const rows: MaxBatchSummary[] = [];
      for (const method of methods) {
        const t0 = performance.now();
        const r = await maxBatchSize(graphAt, {
          deviceMemBytes: memBytes,
          method,
          highs,
          probeTimeLimitSec: timeLimitSec,
          onProgress: progress.update,
        });
        rows.push({
          method,
          batch: r.batch,
          ...(r.provenInfeasible !== undefined ? { provenInfeasible: r.provenInfeasible } : {}),
          ...(r.stats ? { overhead: r.stats.overhead, activationBytes: r.stats.activationBytes } : {}),
          probes: r.probes,
          sec: (performance.now() - t0) / 1000,
        });
      }
      progress.stop();
      const g = summarizeTrainingGraph(graphAt(1));
      if (opts.json) io.out(`${JSON.stringify({ graph: g, deviceMemBytes: memBytes, results: rows }, null, 2)}\n`);
      else io.out(`${formatMaxBatchTable(g, memBytes, rows)}\n`);
      return rows.some((r) => r.batch > 0) ? EXIT.ok : EXIT.cannotMeet;
    }

    if (opts.budget === undefined) {
      throw new InputError([
        {
          code: "bad-option",
          message: "give the activation budget (--budget GB) or ask for --max-batch",
          path: ["budget"],
          expected: "--budget <GB>",
        },
      ]);
    }
    const budgetBytes = positiveNumber(opts.budget, "budget") * 1e9;
    const g = graphAt(batch ?? defaultBatch);
    const solvers = pickSolvers(opts.solver ?? "all");
    const gap = positiveNumber(opts.gap ?? "1e-4", "gap");
    const seed = positiveInt(opts.seed ?? "1", "seed");
    const results = [];
    for (const solver of solvers) {
      results.push(
        await solveRemat(g, budgetBytes, solver, {
          highs,
          timeLimitSec,
          relGap: gap,
          seed,
          onProgress: progress.update,
          ...(opts.checkmateOrder ? { order: "checkmate-artifact" as const } : {}),
        }),
      );
    }
    progress.stop();
    const summary = summarizeTrainingGraph(g);
    const rows = results.map(summarizeResult);
    if (opts.json) io.out(`${JSON.stringify({ graph: summary, budgetBytes, results: rows }, null, 2)}\n`);
    else io.out(`${formatRematTable(summary, budgetBytes, rows)}\n`);
    if (results.some((r) => r.schedule)) return EXIT.ok;
    io.err(`${cannotMeet(summary.floorBytes, budgetBytes, results)}\n`);
    return EXIT.cannotMeet;
  } finally {
    progress.stop();
  }
}

type Source = { kind: "checkmate"; graph: TrainingGraph } | { kind: "graph"; graph: Graph };

/** A Checkmate node-link file (sniffed by content) or anything `<model>` accepts. */
function loadSource(cmd: Command, io: CliIO): Source {
  const { spec, modelArgs } = splitModelArgs(cmd.args);
  const path = resolve(io.cwd, spec);
  let isFile = false;
  try {
    isFile = statSync(path).isFile() && statSync(path).size < 512 * 1024 * 1024;
  } catch {
    isFile = false;
  }
  if (isFile && modelArgs.length === 0) {
    const text = readFileSync(path, "utf8");
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    if (looksLikeCheckmateGraph(doc)) return { kind: "checkmate", graph: unwrap(readCheckmateGraph(text, spec)) };
  }
  return { kind: "graph", graph: loadModelArg(cmd, io) };
}

function pickSolvers(name: string): SolverName[] {
  if (name === "all") return [...SOLVER_NAMES];
  if ((SOLVER_NAMES as readonly string[]).includes(name)) return [name as SolverName];
  throw new InputError([badChoice("solver", name, SOLVER_CHOICES)]);
}

function pickMethods(name: string): ("milp" | "baselines" | "checkpoint-all")[] {
  const all = ["checkpoint-all", "baselines", "milp"] as const;
  if (name === "all") return [...all];
  if ((all as readonly string[]).includes(name)) return [name as (typeof all)[number]];
  throw new InputError([badChoice("method", name, [...all, "all"])]);
}

function badChoice(option: string, got: string, choices: readonly string[]): Issue {
  return {
    code: "bad-option",
    message: `unknown --${option} "${got}"`,
    path: [option],
    expected: `one of ${choices.join(", ")}`,
    got,
  };
}

function positiveNumber(text: string, option: string): number {
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v) || v <= 0) {
    throw new InputError([
      {
        code: "bad-option",
        message: `--${option} must be a positive number`,
        path: [option],
        expected: "> 0",
        got: text,
      },
    ]);
  }
  return v;
}

function positiveInt(text: string, option: string): number {
  const v = positiveNumber(text, option);
  if (!Number.isInteger(v)) {
    throw new InputError([
      {
        code: "bad-option",
        message: `--${option} must be a whole number`,
        path: [option],
        expected: "integer ≥ 1",
        got: text,
      },
    ]);
  }
  return v;
}

function cannotMeet(
  floorBytes: number,
  budgetBytes: number,
  results: readonly { leastBytes?: number; solver: string }[],
): string {
  const known = results
    .filter((r) => r.leastBytes !== undefined && r.leastBytes > floorBytes)
    .sort((a, b) => (a.leastBytes as number) - (b.leastBytes as number))[0];
  const gbText = (b: number) => `${(b / 1e9).toFixed(3)} GB`;
  return [
    `dagpipe remat: no schedule fits an activation budget of ${gbText(budgetBytes)}.`,
    `  At least ${gbText(floorBytes)} is needed (a node with its inputs)${
      known ? `; the least-memory schedule found (${known.solver}) needs ${gbText(known.leastBytes as number)}` : ""
    }.`,
  ].join("\n");
}

/** A progress bar on stderr for solves longer than a second, only when stderr is a terminal. */
function progressBar(io: CliIO): { update: (p: SolveProgress) => void; stop: () => void } {
  const start = performance.now();
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(p) {
      if (!io.stderrIsTTY) return;
      if (!bar) {
        if (performance.now() - start < 1000) return;
        bar = new cliProgress.SingleBar({
          stream: process.stderr,
          format: "remat [{bar}] {phase} {incumbent}",
          clearOnComplete: true,
          hideCursor: false,
        });
        bar.start(1000, 0, { phase: "", incumbent: "" });
      }
      const incumbent =
        p.incumbentOverhead !== undefined
          ? `overhead ≤ ${p.incumbentOverhead.toFixed(4)}${p.boundOverhead !== undefined ? ` ≥ ${p.boundOverhead.toFixed(4)}` : ""}`
          : "";
      bar.update(Math.round(1000 * (p.fraction ?? 0)), { phase: p.phase, incumbent });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
