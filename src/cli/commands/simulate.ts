import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

// Placeholder until its issue lands; replaced wholesale by the command's implementation.
export const simulateCommand: CliCommand = {
  name: "simulate",
  register(program, ctx) {
    program
      .command("simulate")
      .description("simulate <plan.json>: event-level simulation of a plan (not implemented yet)")
      .allowUnknownOption()
      .allowExcessArguments()
      .action(
        runAction(ctx, () => {
          ctx.io.err("dagpipe simulate: not implemented yet\n");
          return EXIT.internal;
        }),
      );
  },
};
