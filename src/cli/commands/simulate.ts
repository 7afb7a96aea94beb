/**
 * `dagpipe simulate <plan.json> [--json] [--trace t.json] [--print-schedule] [overrides]`: event-level
 * simulation of a plan document. Wiring only: read and validate the file, apply overrides, simulate, render.
 * Exit codes (docs/simulator.md): 0 ok; 1 the plan does not fit in memory (the least memory that would fit is
 * printed) or a fault stopped it; 2 bad input; 3 the generated schedule deadlocked (a dagpipe bug).
 */
import { isAbsolute, resolve } from "node:path";
import { createCostModel } from "../../cost/create-cost-model.js";
import { BYTES_PER_GIB } from "../../hardware/units.js";
import { readPlanFile } from "../../io/read-plan-file.js";
import { writeFileAtomic } from "../../io/write-file-atomic.js";
import { type Plan, SCHEDULE_KINDS, type ScheduleKind } from "../../plan/types.js";
import { validatePlan } from "../../plan/validate-plan.js";
import { chromeTraceChunks } from "../../report/chrome-trace.js";
import { formatBytes } from "../../report/inspect-units.js";
import { simJson } from "../../report/sim-json.js";
import { formatSimTable } from "../../report/sim-table.js";
import { formatSchedule } from "../../schedules/action-text.js";
import { loweredScheduleOf, simulate } from "../../sim/simulate.js";
import type { FaultEvent } from "../../sim/types.js";
import { InputError, type Issue } from "../../util/issues.js";
import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

interface SimulateOptions {
  json?: boolean;
  trace?: string;
  printSchedule?: boolean;
  schedule?: string;
  microBatches?: string;
  microBatch?: string;
  virtualStages?: string;
  iterations?: string;
  memory?: string;
  fault?: string[];
  restore?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const simulateCommand: CliCommand = {
  name: "simulate",
  register(program, ctx) {
    program
      .command("simulate")
      .description("Event-level simulation of a plan: iteration time, bubbles, memory per device, critical path")
      .argument("<plan.json>", "a plan document (dagpipe plan --out, docs/formats.md)")
      .option("--json", "print one JSON document (the SimResult without its event list) instead of tables")
      .option("--trace <file>", "write a Chrome trace (open it in https://ui.perfetto.dev)")
      .option("--print-schedule", "print each device's lowered action list (docs/schedules.md)")
      .option("--schedule <kind>", `replace the plan's schedule (${SCHEDULE_KINDS.join(", ")})`)
      .option("--micro-batches <n>", "replace the number of micro-batches per iteration")
      .option("--micro-batch <b>", "replace the micro-batch size (samples)")
      .option("--virtual-stages <v>", "interleaved: chunks per device")
      .option("--iterations <k>", "no-flush schedules (2bw, async-stash): iterations simulated back to back", "4")
      .option("--memory <GB>", "memory per device in GB (GiB) to check against, instead of the device's own")
      .option("--fault <device@sec>", "remove a device at a time, e.g. 3@0.25 (repeatable)", collect)
      .option("--restore <device@sec>", "bring a device back at a time (repeatable)", collect)
      .action(
        runAction(ctx, (file: string, opts: SimulateOptions) => {
          const io = ctx.io;
          const doc = readPlanFile(resolve(io.cwd, file), file);
          const plan = withOverrides(doc.plan, opts);
          if (plan !== doc.plan) {
            const issues = validatePlan(plan, doc.graph, doc.cluster);
            if (issues.length > 0) {
              throw new InputError(
                issues.map((i) => ({
                  ...i,
                  file,
                  path: ["plan", ...(i.path ?? [])],
                  message: `${i.message} (after the command-line overrides)`,
                })),
              );
            }
          }
          const iterations = positiveInt(opts.iterations ?? "4", "--iterations");
          if (iterations < 3 && (plan.schedule === "2bw" || plan.schedule === "async-stash")) {
            io.err("dagpipe simulate: fewer than 3 iterations: the no-flush period includes fill and drain\n");
          }
          const memBytes =
            opts.memory === undefined ? undefined : positiveNumber(opts.memory, "--memory") * BYTES_PER_GIB;
          const faults = [
            ...(opts.fault ?? []).map((f) => parseFault(f, "remove")),
            ...(opts.restore ?? []).map((f) => parseFault(f, "restore")),
          ];
          const lowered = loweredScheduleOf(plan, doc.graph, { iterations });
          const result = simulate(lowered, {
            plan,
            graph: doc.graph,
            cluster: doc.cluster,
            cost: createCostModel(doc.cluster.device, { graph: doc.graph }),
            faults,
            options: { recordEvents: opts.trace !== undefined, iterations, ...(memBytes ? { memBytes } : {}) },
          });
          if (opts.trace !== undefined) {
            const path = isAbsolute(opts.trace) ? opts.trace : resolve(io.cwd, opts.trace);
            writeFileAtomic(path, chromeTraceChunks(result, { title: file }), { shownAs: opts.trace, option: "trace" });
            io.err(`trace: ${opts.trace} (${result.events?.length ?? 0} events; open in https://ui.perfetto.dev)\n`);
          }
          if (opts.json) {
            const schedule = opts.printSchedule ? { schedule: formatSchedule(lowered).split("\n") } : {};
            io.out(`${JSON.stringify({ ...simJson(plan, result), ...schedule }, null, 2)}\n`);
          } else {
            if (opts.printSchedule) io.out(`${formatSchedule(lowered)}\n\n`);
            io.out(`${formatSimTable(plan, result)}\n`);
          }
          if (result.status === "deadlock") {
            io.err("dagpipe simulate: the generated schedule deadlocked; this is a bug in dagpipe, please report it\n");
            return EXIT.internal;
          }
          if (result.status === "stopped") return EXIT.cannotMeet;
          if (!result.fits) {
            io.err(
              `dagpipe simulate: the plan does not fit: it needs at least ${formatBytes(result.peakMemBytes)} per device (${result.peakMemBytes} bytes)\n`,
            );
            return EXIT.cannotMeet;
          }
          return EXIT.ok;
        }),
      );
  },
};

function optionIssue(option: string, expected: string, got: string): InputError {
  const issue: Issue = {
    code: "bad-option",
    message: `${option}: expected ${expected}`,
    path: [option],
    expected,
    got,
  };
  return new InputError([issue]);
}

function positiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw optionIssue(option, "an integer ≥ 1", value);
  return n;
}

function positiveNumber(value: string, option: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw optionIssue(option, "a number > 0", value);
  return n;
}

function parseFault(text: string, kind: FaultEvent["kind"]): FaultEvent {
  const m = /^(\d+)@([0-9.eE+-]+)$/.exec(text.trim());
  const atSec = m ? Number(m[2]) : Number.NaN;
  if (!m || !(Number.isFinite(atSec) && atSec >= 0)) {
    throw optionIssue(kind === "remove" ? "--fault" : "--restore", "<device>@<seconds>, e.g. 3@0.25", text);
  }
  return { kind, device: Number(m[1]), atSec };
}

function withOverrides(plan: Plan, opts: SimulateOptions): Plan {
  let out = plan;
  if (opts.schedule !== undefined) {
    const kind = SCHEDULE_KINDS.find((k) => k === opts.schedule!.toLowerCase()) as ScheduleKind | undefined;
    if (!kind) throw optionIssue("--schedule", `one of ${SCHEDULE_KINDS.join(", ")}`, opts.schedule);
    const { virtualStages: _v, ...rest } = out;
    out = kind === "interleaved" ? { ...out, schedule: kind } : { ...rest, schedule: kind };
  }
  if (opts.microBatches !== undefined)
    out = { ...out, microBatches: positiveInt(opts.microBatches, "--micro-batches") };
  if (opts.microBatch !== undefined) out = { ...out, microBatch: positiveInt(opts.microBatch, "--micro-batch") };
  if (opts.virtualStages !== undefined) {
    out = { ...out, virtualStages: positiveInt(opts.virtualStages, "--virtual-stages") };
  }
  return out;
}
