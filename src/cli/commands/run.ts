import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

// Placeholder until its issue lands; replaced wholesale by the command's implementation.
export const runCommand: CliCommand = {
  name: "run",
  register(program, ctx) {
    program
      .command("run")
      .description("run <plan.json> --procs N: execute a plan on PyTorch (not implemented yet)")
      .allowUnknownOption()
      .allowExcessArguments()
      .action(
        runAction(ctx, () => {
          ctx.io.err("dagpipe run: not implemented yet\n");
          return EXIT.internal;
        }),
      );
  },
};
