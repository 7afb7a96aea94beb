/**
 * `dagpipe run <plan.json> --procs N`: executes a plan on PyTorch (runtime/), one worker process per device.
 * Wiring only: the job is built in src/io/launcher-job.ts, workers are started by src/io/launcher.ts.
 * Exit codes: 0 ok; 1 the run could not be done here (no Python with torch, a worker died, --verify found a
 * difference); 2 bad input (plan file, options, a plan the runtime cannot execute).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { compareWithSimulation } from "../../io/launcher-compare.js";
import { buildRunJob, DEFAULT_RUN_SETTINGS, type RunSettings } from "../../io/launcher-job.js";
import { preparePlan } from "../../io/launcher-plan.js";
import { failureMessage, formatBytes, iterationLine, runHeader } from "../../io/launcher-report.js";
import { steadyIterationSec } from "../../io/launcher-result.js";
import { type ReferenceOutcome, type RunOutcome, runJob } from "../../io/launcher-run.js";
import { measuredTrace } from "../../io/launcher-trace.js";
import { findTorchPython, noTorchMessage } from "../../io/python-probe.js";
import { readPlanFile } from "../../io/read-plan-file.js";
import { writeFileAtomic } from "../../io/write-file-atomic.js";
import { formatAction } from "../../schedules/action-text.js";
import { InputError, type Issue } from "../../util/issues.js";
import type { CliCommand, CliContext } from "../context.js";
import { EXIT, runAction } from "../context.js";
import { intOption } from "../option-values.js";

interface RunOptions {
  readonly procs?: string;
  readonly iterations: string;
  readonly trace?: string;
  readonly compare?: boolean;
  readonly checkpointEvery?: string;
  readonly checkpointDir?: string;
  readonly resume?: boolean;
  readonly python?: string;
  readonly seed: string;
  readonly lr: string;
  readonly dtype: string;
  readonly device: string;
  readonly threads: string;
  readonly timeout: string;
  readonly verify?: boolean;
  readonly outDir?: string;
  readonly json?: boolean;
  readonly p2pGroups: string;
}

function numOption(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InputError([{ code: "bad-option", message: `--${name} must be a positive number`, got: value }]);
  }
  return n;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError([
      {
        code: "bad-option",
        message: `--${name} must be one of ${allowed.join(", ")}`,
        expected: allowed.join(" | "),
        got: value,
      },
    ]);
  }
  return value as T;
}

function settingsFrom(o: RunOptions): RunSettings {
  const device = oneOf("device", o.device, ["cpu", "cuda"] as const);
  return {
    ...DEFAULT_RUN_SETTINGS,
    iterations: intOption("iterations", o.iterations, 1),
    seed: intOption("seed", o.seed, 0),
    lr: numOption("lr", o.lr),
    dtype: oneOf("dtype", o.dtype, ["float32", "float64"] as const),
    device,
    backend: device === "cuda" ? "nccl" : "gloo",
    threads: intOption("threads", o.threads, 1),
    timeoutSec: numOption("timeout", o.timeout),
    p2pGroups: oneOf("p2p-groups", o.p2pGroups, ["auto", "directed", "default"] as const),
  };
}

async function run(ctx: CliContext, planArg: string, o: RunOptions): Promise<number> {
  const io = ctx.io;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));
  const settings = settingsFrom(o);
  const doc = readPlanFile(abs(planArg), planArg);
  const prepared = preparePlan(doc, planArg, settings.iterations);
  if (doc.plan.schedule === "2bw" && (o.checkpointEvery !== undefined || o.resume)) {
    throw new InputError([
      {
        code: "unsupported",
        message: "checkpoints of a 2bw run are not supported: it never drains, so no iteration boundary is clean",
        expected: "no --checkpoint-every / --resume with a 2bw plan",
        got: o.resume ? "--resume" : "--checkpoint-every",
      },
    ]);
  }
  const world = prepared.devices.length;
  if (o.procs !== undefined && intOption("procs", o.procs, 1) !== world) {
    const issue: Issue = {
      code: "bad-option",
      message: `--procs ${o.procs}: the plan uses ${world} device(s) (${prepared.devices.join(", ")}), one process each`,
      expected: String(world),
      got: o.procs,
    };
    throw new InputError([issue]);
  }
  const every = o.checkpointEvery === undefined ? 0 : intOption("checkpoint-every", o.checkpointEvery, 1);
  const checkpointDir = abs(o.checkpointDir ?? `${planArg}.ckpt`);
  if (o.resume) {
    const done = completedIterations(checkpointDir);
    if (done === undefined) {
      io.err(`dagpipe run: no complete checkpoint in ${checkpointDir}: starting from iteration 0\n`);
    } else if (done >= settings.iterations) {
      io.err(
        `dagpipe run: the checkpoint in ${checkpointDir} is after iteration ${done}, at or beyond --iterations ` +
          `${settings.iterations}: nothing to run\n`,
      );
      if (o.json) io.out(`${JSON.stringify({ ok: true, startIteration: done, iterations: [] })}\n`);
      return EXIT.ok;
    }
  }

  const found = await findTorchPython({
    ...(o.python ? { explicit: o.python } : {}),
    env: io.env,
    full: settings.device === "cuda",
  });
  if (!found.ok) {
    io.err(`${noTorchMessage(found, "run")}\n`);
    return EXIT.cannotMeet;
  }
  const py = found.info;
  if (settings.device === "cuda" && (!py.cuda || (py.cudaDevices ?? 0) < world)) {
    io.err(
      `dagpipe run: --device cuda needs ${world} CUDA device(s) on this machine; ${py.python} sees ${py.cudaDevices}.\n`,
    );
    return EXIT.cannotMeet;
  }
  const keep = o.outDir !== undefined;
  const outDir = keep ? abs(o.outDir!) : mkdtempSync(join(tmpdir(), "dagpipe-run-"));
  try {
    const job = buildRunJob({
      doc,
      schedule: prepared.schedule,
      format: formatAction,
      run: settings,
      checkpoint: every > 0 || o.resume ? { dir: checkpointDir, every, resume: Boolean(o.resume) } : null,
      outDir,
      verify: Boolean(o.verify),
    });
    const say = (t: string) => (o.json ? io.err(`${t}\n`) : io.out(`${t}\n`));
    say(runHeader(doc, planArg, py.python, py.torch, `${settings.backend} on ${settings.device}`));
    let startIteration = 0;
    let directedGroups = 0;
    const outcome: RunOutcome = await runJob({
      python: py.python,
      job,
      env: io.env,
      onLog: (rank, line) => io.err(`[rank ${rank}] ${line}\n`),
      onStart: (rank, pid) => io.err(`dagpipe run: rank ${rank} → device ${prepared.devices[rank]}, pid ${pid}\n`),
      onEvent: (ev) => {
        if (ev.event === "ready") directedGroups = Math.max(directedGroups, Number(ev["directedGroups"] ?? 0));
        if (ev.event === "ready" && typeof ev["startIteration"] === "number" && ev["startIteration"] > startIteration) {
          startIteration = ev["startIteration"];
          if (ev.rank === 0) say(`resuming from the checkpoint after iteration ${startIteration}`);
        }
        if (ev.event === "checkpoint" && ev.rank === 0)
          io.err(`checkpoint after iteration ${String(ev["iteration"])}\n`);
      },
      onIteration: (rec) => say(iterationLine(rec, settings.iterations)),
    });
    if (!outcome.ok) {
      const last = outcome.iterations.length > 0 ? outcome.iterations[outcome.iterations.length - 1]!.iteration : -1;
      io.err(`${outcome.cause ? failureMessage(outcome.cause, prepared.devices, last) : "dagpipe run: failed"}\n`);
      if (o.json)
        io.out(`${JSON.stringify({ ok: false, cause: outcome.cause ?? null, iterations: outcome.iterations })}\n`);
      return EXIT.cannotMeet;
    }
    if (o.trace)
      writeFileAtomic(abs(o.trace), JSON.stringify(measuredTrace(outcome.rankEvents)), {
        shownAs: o.trace,
        option: "trace",
      });
    const iterationSec = steadyIterationSec(outcome.iterations);
    const result: Record<string, unknown> = {
      ok: true,
      plan: planArg,
      python: py.python,
      torch: py.torch,
      devices: prepared.devices,
      startIteration: outcome.startIteration,
      iterations: outcome.iterations,
      iterationSec,
      samplesPerSec: (doc.plan.microBatch * doc.plan.microBatches) / iterationSec,
      peakMemBytes: outcome.peakMemBytes,
      directedGroups,
    };
    if (o.compare) {
      const cmp = compareWithSimulation(doc, prepared.devices, iterationSec, outcome.peakMemBytes);
      result["compare"] = cmp.data;
      say(cmp.text);
    }
    let exit: number = EXIT.ok;
    if (o.verify) {
      const ref = outcome.reference;
      result["verify"] = ref ?? null;
      const verdict = verifyVerdict(outcome, ref, settings);
      say(verdict.text);
      if (!verdict.ok) exit = EXIT.cannotMeet;
    }
    say(
      `iteration time ${(iterationSec * 1e3).toFixed(2)} ms (median${outcome.iterations.length >= 3 ? " after the first" : ""}), ` +
        `${(result["samplesPerSec"] as number).toFixed(1)} samples/s; peak memory per device: ` +
        prepared.devices.map((d, r) => `${d}: ${formatBytes(outcome.peakMemBytes[r] ?? 0)}`).join(", "),
    );
    if (o.json) io.out(`${JSON.stringify(result)}\n`);
    return exit;
  } finally {
    if (!keep) rmSync(outDir, { recursive: true, force: true });
  }
}

/** Iterations completed by the last complete checkpoint in `dir` (its latest.json), if any. */
function completedIterations(dir: string): number | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(dir, "latest.json"), "utf8")) as { iteration?: unknown };
    return typeof doc.iteration === "number" ? doc.iteration : undefined;
  } catch {
    return undefined;
  }
}

function verifyVerdict(
  outcome: RunOutcome,
  ref: ReferenceOutcome | undefined,
  settings: RunSettings,
): { ok: boolean; text: string } {
  if (!ref) return { ok: false, text: "verify: rank 0 reported no reference run" };
  // Per-tensor relative error decides: entries whose exact gradient is 0 (a key bias under softmax) carry only
  // rounding noise, which Adam turns into steps of any relative size.
  const tol = settings.dtype === "float64" ? 1e-9 : 1e-2;
  let lossErr = 0;
  for (const rec of outcome.iterations) {
    const want = ref.losses[rec.iteration];
    if (want === undefined || rec.loss === null) continue;
    lossErr = Math.max(lossErr, Math.abs(rec.loss - want) / Math.max(Math.abs(want), 1e-30));
  }
  const p = ref.params;
  const ok = p.ok && p.maxTensorRelErr <= tol && lossErr <= tol;
  return {
    ok,
    text:
      `verify against single-process training: loss max relative error ${lossErr.toExponential(2)}; ` +
      `parameters: ${p.tensorsCompared} tensors compared (${p.referenceTensors} in the model), max relative error ` +
      `per tensor ${p.maxTensorRelErr.toExponential(2)}, per element ${p.maxRelErr.toExponential(2)} ` +
      `(${p.worst ?? "—"}) → ${ok ? "equal" : "DIFFERENT"} within ${tol}`,
  };
}

export const runCommand: CliCommand = {
  name: "run",
  register(program: Command, ctx: CliContext) {
    program
      .command("run")
      .description("run <plan.json>: execute a plan on PyTorch, one worker process per device")
      .argument("<plan.json>", "plan document (dagpipe plan --out)")
      .option("--procs <n>", "worker processes: must equal the devices the plan uses (default: that number)")
      .option("--iterations <k>", "iterations to run (in total, when resuming)", "5")
      .option("--trace <file>", "write the measured timeline as a Chrome trace (open in Perfetto)")
      .option("--compare", "print measured vs simulated iteration time and per-device peak memory")
      .option("--checkpoint-every <k>", "write a checkpoint of every stage after every k iterations")
      .option("--checkpoint-dir <dir>", "checkpoint directory (default <plan.json>.ckpt)")
      .option("--resume", "continue from the last complete checkpoint")
      .option("--python <path>", "Python interpreter with torch (default: $DAGPIPE_PYTHON, then python3, …)")
      .option("--seed <n>", "seed of parameter init and synthetic data", "0")
      .option("--lr <x>", "learning rate", "0.001")
      .option("--dtype <t>", "float32 | float64 (float64 makes runs comparable to 1e-12)", "float32")
      .option("--device <d>", "cpu (gloo) | cuda (NCCL)", "cpu")
      .option("--threads <n>", "torch threads per worker", "1")
      .option("--timeout <sec>", "torch.distributed timeout for one receive or collective", "60")
      .option("--verify", "also train the graph in one process and compare the loss and every parameter")
      .option("--out-dir <dir>", "keep the job file, per-rank timings and parameter dumps here")
      .option("--json", "print one JSON document on stdout (progress goes to stderr)")
      .addOption(
        new Option(
          "--p2p-groups <g>",
          "point-to-point groups: auto | directed | default (testing the NCCL layout on gloo)",
        )
          .default("auto")
          .hideHelp(),
      )
      .action(runAction(ctx, (plan: string, opts: RunOptions) => run(ctx, plan, opts)));
  },
};
