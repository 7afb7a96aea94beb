import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

// Placeholder until its issue lands; replaced wholesale by the command's implementation.
export const planCommand: CliCommand = {
  name: "plan",
  register(program, ctx) {
    program
      .command("plan")
      .description("plan <model> --gpus N: find the fastest pipeline plan that fits in memory (not implemented yet)")
      .allowUnknownOption()
      .allowExcessArguments()
      .action(
        runAction(ctx, () => {
          ctx.io.err("dagpipe plan: not implemented yet\n");
          return EXIT.internal;
        }),
      );
  },
};
