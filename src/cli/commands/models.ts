import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

// Placeholder until its issue lands; replaced wholesale by the command's implementation.
export const modelsCommand: CliCommand = {
  name: "models",
  register(program, ctx) {
    program
      .command("models")
      .description("List the built-in model zoo and each model's options (not implemented yet)")
      .allowUnknownOption()
      .allowExcessArguments()
      .action(
        runAction(ctx, () => {
          ctx.io.err("dagpipe models: not implemented yet\n");
          return EXIT.internal;
        }),
      );
  },
};
