import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

// Placeholder until its issue lands; replaced wholesale by the command's implementation.
export const rematCommand: CliCommand = {
  name: "remat",
  register(program, ctx) {
    program
      .command("remat")
      .description("remat <model|graph> --budget GB: activation rematerialization (Checkmate) (not implemented yet)")
      .allowUnknownOption()
      .allowExcessArguments()
      .action(
        runAction(ctx, () => {
          ctx.io.err("dagpipe remat: not implemented yet\n");
          return EXIT.internal;
        }),
      );
  },
};
