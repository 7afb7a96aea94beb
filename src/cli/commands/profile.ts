/**
 * `dagpipe profile <model> [model options] [--device cpu|cuda] [--batches 1,2,4] [--out graph.json]`: times
 * every op's forward and backward in PyTorch (warm-up, then the median of repetitions) and writes the graph
 * with measured profiles, which the cost model then prefers over the roofline. Wiring only: the measuring is
 * in runtime/dagpipe_runtime/profiler.py, the spawning in src/io/launcher-profile.ts.
 * Exit codes: 0 ok; 1 no Python with torch (or no CUDA for --device cuda), or the profiler failed; 2 bad input.
 */

import { isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import { writeGraphJson } from "../../io/graph-json.js";
import {
  attachProfiles,
  defaultPrecision,
  type ProfileDevice,
  type ProfilePrecision,
  type ProfileSettings,
  runProfiler,
} from "../../io/launcher-profile.js";
import { findTorchPython, noTorchMessage } from "../../io/python-probe.js";
import { writeFileAtomic } from "../../io/write-file-atomic.js";
import type { CliCommand, CliContext } from "../context.js";
import { EXIT, runAction } from "../context.js";
import { loadModelArg, MODEL_ARG_HELP, MODEL_HELP_AFTER } from "../model-arg.js";
import { badOption, deviceOption, intOption } from "../option-values.js";

interface ProfileOptions {
  readonly device: string;
  readonly batches: string;
  readonly out?: string;
  readonly warmup: string;
  readonly reps: string;
  readonly threads: string;
  readonly precision?: string;
  readonly timer: string;
  readonly python?: string;
  readonly json?: boolean;
}

function settingsFrom(o: ProfileOptions, precisionDefault: (d: ProfileDevice) => ProfilePrecision): ProfileSettings {
  const device = deviceOption(o.device);
  const batches = o.batches.split(",").map((s) => s.trim());
  const sizes = batches.map((b) => intOption("batches", b));
  const sorted = [...new Set(sizes)].sort((a, b) => a - b);
  const precision = o.precision ?? precisionDefault(device);
  if (precision !== "float32" && precision !== "float16" && precision !== "bfloat16") {
    throw badOption("--precision must be float32, float16 or bfloat16", "float32 | float16 | bfloat16", precision);
  }
  if (o.timer !== "auto" && o.timer !== "wall" && o.timer !== "cpu") {
    throw badOption("--timer must be auto, wall or cpu", "auto | wall | cpu", o.timer);
  }
  return {
    device,
    timer: o.timer,
    batches: sorted,
    warmup: intOption("warmup", o.warmup, 0),
    reps: intOption("reps", o.reps),
    threads: intOption("threads", o.threads),
    precision,
  };
}

async function profile(ctx: CliContext, o: ProfileOptions, cmd: Command): Promise<number> {
  const io = ctx.io;
  const graph = loadModelArg(cmd, io);
  const settings = settingsFrom(o, (d) => defaultPrecision(graph, d));
  const found = await findTorchPython({
    ...(o.python ? { explicit: o.python } : {}),
    env: io.env,
    full: settings.device === "cuda",
  });
  if (!found.ok) {
    io.err(`${noTorchMessage(found, "profile")}\n`);
    return EXIT.cannotMeet;
  }
  if (settings.device === "cuda" && !found.info.cuda) {
    io.err(`dagpipe profile: --device cuda, but torch in ${found.info.python} sees no CUDA device.\n`);
    return EXIT.cannotMeet;
  }
  const opaque = graph.ops.filter((op) => op.kind === "opaque").length;
  if (opaque > 0) io.err(`dagpipe profile: ${opaque} opaque op(s) cannot be built in torch and keep their profile\n`);
  const total = graph.ops.length;
  const run = await runProfiler(
    found.info.python,
    graph,
    settings,
    io.env,
    (ev) => {
      if (ev.event === "progress" && io.stderrIsTTY) io.err(`\rprofiling: ${String(ev["done"])}/${total} ops`);
    },
    (line) => io.err(`[profiler] ${line}\n`),
  );
  if (io.stderrIsTTY) io.err("\n");
  if (!run.ok || !run.output) {
    io.err(`dagpipe profile: the profiler failed: ${run.error ?? "?"}\n`);
    return EXIT.cannotMeet;
  }
  const profiled = attachProfiles(graph, run.output);
  const measured = Object.keys(run.output.ops).length;
  const text = writeGraphJson(profiled);
  if (o.out) {
    writeFileAtomic(isAbsolute(o.out) ? o.out : resolve(io.cwd, o.out), text, { shownAs: o.out, option: "out" });
  }
  const totals = settings.batches.map((b) => {
    let fwd = 0;
    let bwd = 0;
    for (const op of profiled.ops) {
      const p = op.profile?.points.find((x) => x.microBatch === b);
      if (p) {
        fwd += p.fwdSec;
        bwd += p.bwdSec;
      }
    }
    return { microBatch: b, fwdSec: fwd, bwdSec: bwd };
  });
  const summary = {
    model: graph.name,
    device: run.output.device,
    precision: settings.precision,
    threads: run.output.threads,
    timer: run.output.timer,
    opsProfiled: measured,
    ops: total,
    autogradCallSec: run.output.autogradCallSec,
    totals,
    ...(o.out ? { out: o.out } : {}),
  };
  if (o.json) {
    io.out(`${JSON.stringify(o.out ? summary : { ...summary, graph: profiled })}\n`);
  } else if (o.out) {
    const lines = totals.map(
      (t) =>
        `  micro-batch ${t.microBatch}: forward ${(t.fwdSec * 1e3).toFixed(3)} ms, backward ${(t.bwdSec * 1e3).toFixed(3)} ms`,
    );
    io.out(
      `profiled ${measured}/${total} ops of ${graph.name} on ${run.output.device} (${settings.precision}, ` +
        `${run.output.threads} thread(s), ${run.output.timer} time); sums over the graph:\n${lines.join("\n")}\nwrote ${o.out}\n`,
    );
  } else {
    io.out(text);
  }
  return EXIT.ok;
}

export const profileCommand: CliCommand = {
  name: "profile",
  register(program, ctx) {
    program
      .command("profile")
      .description("profile <model>: time each op's forward and backward in PyTorch; write the graph with profiles")
      .argument("<model>", MODEL_ARG_HELP)
      .option("--device <d>", "cpu | cuda", "cpu")
      .option("--batches <list>", "micro-batch sizes to measure, comma-separated", "1,2,4")
      .option("--out <file>", "write the profiled graph here (default: print it on stdout)")
      .option("--warmup <n>", "untimed runs before measuring", "2")
      .option("--reps <n>", "timed runs; the median is kept", "5")
      .option("--threads <n>", "torch threads (use what the run will use)", "1")
      .option("--timer <t>", "auto (CPU time on a 1-thread CPU: robust to other jobs) | wall | cpu", "auto")
      .option("--precision <p>", "float32 | float16 | bfloat16 (default: float32 on cpu, the graph's dtype on cuda)")
      .option("--python <path>", "Python interpreter with torch (default: $DAGPIPE_PYTHON, then python3, …)")
      .option("--json", "print one JSON summary (with the graph when there is no --out)")
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText("after", MODEL_HELP_AFTER)
      .action(runAction(ctx, (_model: string, opts: ProfileOptions, cmd: Command) => profile(ctx, opts, cmd)));
  },
};
