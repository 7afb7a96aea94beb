/**
 * The `<model> [model options]` part of a command line. Commander does not know a model's options, so a
 * command that takes a model registers
 *
 *   program.command("inspect").argument("<model>", MODEL_ARG_HELP)
 *     .option("--json", …)                       // the command's own options
 *     .allowUnknownOption().allowExcessArguments()
 *     .addHelpText("after", MODEL_HELP_AFTER)
 *     .action(runAction(ctx, (_model, opts, cmd) => { const graph = loadModelArg(cmd, ctx.io); … }))
 *
 * Commander recognises the command's own options wherever they appear and leaves every other word in
 * `cmd.args` in order: the model first, then the model's options. `splitModelArgs` takes that list apart.
 * A command option and a model option of the same name would both go to the command, so commands must not
 * reuse model option names (`dagpipe models` lists them).
 */
import type { Command } from "commander";
import type { Graph } from "../graph/types.js";
import { loadModel } from "../io/load-model.js";
import { ZOO } from "../models/index.js";
import { formatIssues } from "../report/format-issues.js";
import { InputError } from "../util/issues.js";
import type { CliIO } from "./context.js";

export const MODEL_ARG_HELP = "zoo model name (see `dagpipe models`) or a graph file";
export const MODEL_HELP_AFTER = [
  "",
  "<model> is a zoo name followed by its options, e.g. `mmt --branches 4 --layers 8`",
  "(`dagpipe models` lists every model and option), or a graph file whose format is",
  "detected from its content (dagpipe JSON graph, ONNX, Hugging Face config.json,",
  "FlexFlow profile.json, PipeDream graph.txt; the last takes --profile-batch N, the",
  "batch it was profiled at, when that cannot be inferred).",
  `Zoo: ${Object.keys(ZOO).join(", ")}.`,
].join("\n");

export interface ModelArgs {
  readonly spec: string;
  readonly modelArgs: readonly string[];
}

/** The words commander left over (`cmd.args`) → the model and its options. */
export function splitModelArgs(rest: readonly string[]): ModelArgs {
  const [spec, ...modelArgs] = rest;
  if (spec === undefined || spec.startsWith("-")) {
    throw new InputError([
      {
        code: "bad-option",
        message: spec === undefined ? "missing <model>" : `the model must come before its options (got ${spec} first)`,
        path: ["model"],
        expected: "<model> [model options]",
        got: rest.join(" "),
      },
    ]);
  }
  return { spec, modelArgs };
}

/** The graph named by a command's `<model> [model options]` words. Throws InputError on bad input. */
export function loadModelArg(cmd: Command, io: CliIO): Graph {
  const { spec, modelArgs } = splitModelArgs(cmd.args);
  // Warnings go to stderr (never stdout, which --json keeps for its one document); the command goes on.
  return loadModel(spec, modelArgs, io.cwd, (warnings) => io.err(`${formatIssues(warnings).replaceAll("✖", "⚠")}\n`));
}
