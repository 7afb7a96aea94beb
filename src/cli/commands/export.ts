/**
 * `dagpipe export <plan.json> --format torch-csv|dagpipe-job [--out file]`:
 * - torch-csv: the plan's lowered schedule in torch.distributed.pipelining's CSV (one row per pipeline rank,
 *   `_Action` text per cell; src/io/torch-csv.ts). Chain plans of flushed schedules only: torch knows neither
 *   stage DAGs nor weight versions.
 * - dagpipe-job: the job file `dagpipe run` hands its workers, for launching them yourself, e.g. across nodes
 *   with torchrun (`torchrun --nnodes … -m dagpipe_runtime worker --job job.json`; docs/runtime.md).
 * Exit codes: 0 ok; 2 bad input (plan file, options, a plan the format cannot express).
 */
import { isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import { buildRunJob, DEFAULT_RUN_SETTINGS } from "../../io/launcher-job.js";
import { preparePlan } from "../../io/launcher-plan.js";
import { readPlanFile } from "../../io/read-plan-file.js";
import { type TorchCsvFormat, torchCsv } from "../../io/torch-csv.js";
import { writeFileAtomic } from "../../io/write-file-atomic.js";
import { formatAction } from "../../schedules/action-text.js";
import { generateSchedule, isNoFlush } from "../../schedules/generators/index.js";
import { lowerSchedule } from "../../schedules/passes/lower.js";
import { InputError } from "../../util/issues.js";
import type { CliCommand, CliContext } from "../context.js";
import { EXIT, runAction } from "../context.js";
import { badOption, deviceOption, intOption } from "../option-values.js";

const FORMATS = ["torch-csv", "dagpipe-job"] as const;
const CSV_FORMATS: readonly TorchCsvFormat[] = ["compute_comms", "compute_only"];

interface ExportOptions {
  readonly format?: string;
  readonly out?: string;
  readonly csvFormat: string;
  readonly device: string;
  readonly iterations: string;
}

function exportPlan(ctx: CliContext, planArg: string, o: ExportOptions): number {
  const io = ctx.io;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));
  if (o.format === undefined || !(FORMATS as readonly string[]).includes(o.format)) {
    throw badOption("--format must be given: torch-csv or dagpipe-job", FORMATS.join(" | "), o.format ?? "nothing");
  }
  const doc = readPlanFile(abs(planArg), planArg);
  let text: string;
  if (o.format === "torch-csv") {
    if (!(CSV_FORMATS as readonly string[]).includes(o.csvFormat)) {
      throw badOption("--csv-format must be compute_comms or compute_only", CSV_FORMATS.join(" | "), o.csvFormat);
    }
    if (isNoFlush(doc.plan.schedule)) {
      throw new InputError([
        {
          code: "unsupported",
          message: `torch.distributed.pipelining has no ${doc.plan.schedule} schedule (several weight versions)`,
          file: planArg,
          path: ["plan", "schedule"],
          got: doc.plan.schedule,
        },
      ]);
    }
    const lowered = lowerSchedule(generateSchedule(doc.plan), doc.plan, doc.graph);
    const csv = torchCsv(doc.plan, lowered, o.csvFormat as TorchCsvFormat);
    if (!csv.ok) throw new InputError(csv.issues.map((i) => ({ ...i, file: planArg })));
    for (const note of csv.value.notes) io.err(`dagpipe export: ${note}\n`);
    io.err(
      `dagpipe export: rank r runs stages ${csv.value.rankDevices
        .map((devs, r) => `${r}: devices ${devs.join(",")}`)
        .join("; ")}; stage index → id: ${csv.value.stageIds.map((id, k) => `${k}=${id}`).join(", ")}\n`,
    );
    text = csv.value.text;
  } else {
    const device = deviceOption(o.device);
    const iterations = intOption("iterations", o.iterations);
    const prepared = preparePlan(doc, planArg, iterations);
    const job = buildRunJob({
      doc,
      schedule: prepared.schedule,
      format: formatAction,
      run: {
        ...DEFAULT_RUN_SETTINGS,
        iterations,
        device,
        backend: device === "cuda" ? "nccl" : "gloo",
      },
      checkpoint: null,
      outDir: "dagpipe-run",
      verify: false,
    });
    text = `${JSON.stringify(job)}\n`;
  }
  if (o.out) writeFileAtomic(abs(o.out), text, { shownAs: o.out, option: "out" });
  else io.out(text);
  return EXIT.ok;
}

export const exportCommand: CliCommand = {
  name: "export",
  register(program: Command, ctx: CliContext) {
    program
      .command("export")
      .description("export <plan.json> --format torch-csv|dagpipe-job: the plan's schedule for other runtimes")
      .argument("<plan.json>", "plan document (dagpipe plan --out)")
      .option("--format <f>", "torch-csv (torch.distributed.pipelining) | dagpipe-job (workers' job file)")
      .option("--out <file>", "write here instead of stdout")
      .option("--csv-format <f>", "torch-csv: compute_comms (with SEND/RECV) | compute_only", "compute_comms")
      .option("--device <d>", "dagpipe-job: cpu (gloo) | cuda (NCCL)", "cpu")
      .option("--iterations <k>", "dagpipe-job: iterations the workers run", "5")
      .action(runAction(ctx, (plan: string, opts: ExportOptions) => exportPlan(ctx, plan, opts)));
  },
};
