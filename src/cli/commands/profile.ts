import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

// Placeholder until its issue lands; replaced wholesale by the command's implementation.
export const profileCommand: CliCommand = {
  name: "profile",
  register(program, ctx) {
    program
      .command("profile")
      .description(
        "profile <model>: measure each op in PyTorch and write the graph with profiles (not implemented yet)",
      )
      .allowUnknownOption()
      .allowExcessArguments()
      .action(
        runAction(ctx, () => {
          ctx.io.err("dagpipe profile: not implemented yet\n");
          return EXIT.internal;
        }),
      );
  },
};
