import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

// Placeholder until its issue lands; replaced wholesale by the command's implementation.
export const compareCommand: CliCommand = {
  name: "compare",
  register(program, ctx) {
    program
      .command("compare")
      .description("compare <model> --gpus N: every planner on the same input, one table (not implemented yet)")
      .allowUnknownOption()
      .allowExcessArguments()
      .action(
        runAction(ctx, () => {
          ctx.io.err("dagpipe compare: not implemented yet\n");
          return EXIT.internal;
        }),
      );
  },
};
