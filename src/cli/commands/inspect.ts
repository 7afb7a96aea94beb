import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

// Placeholder until its issue lands; replaced wholesale by the command's implementation.
export const inspectCommand: CliCommand = {
  name: "inspect",
  register(program, ctx) {
    program
      .command("inspect")
      .description("inspect <model>: ops, parameters, FLOPs and activations per sample, branches (not implemented yet)")
      .allowUnknownOption()
      .allowExcessArguments()
      .action(
        runAction(ctx, () => {
          ctx.io.err("dagpipe inspect: not implemented yet\n");
          return EXIT.internal;
        }),
      );
  },
};
