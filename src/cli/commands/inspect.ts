/** `dagpipe inspect <model> [model options] [--json]`: size, FLOPs, activations and branches of a model. */
import type { Command } from "commander";
import { formatInspect } from "../../report/inspect-format.js";
import { summarizeGraph } from "../../report/inspect-summary.js";
import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";
import { loadModelArg, MODEL_ARG_HELP, MODEL_HELP_AFTER } from "../model-arg.js";

export const inspectCommand: CliCommand = {
  name: "inspect",
  register(program, ctx) {
    program
      .command("inspect")
      .description("Ops, parameters, FLOPs and activations per sample, and parallel branches of a model")
      .argument("<model>", MODEL_ARG_HELP)
      .option("--json", "print one JSON document (exact numbers) instead of the table")
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText("after", MODEL_HELP_AFTER)
      .action(
        runAction(ctx, (_model: string, opts: { json?: boolean }, cmd: Command) => {
          const summary = summarizeGraph(loadModelArg(cmd, ctx.io));
          ctx.io.out(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatInspect(summary)}\n`);
          return EXIT.ok;
        }),
      );
  },
};
