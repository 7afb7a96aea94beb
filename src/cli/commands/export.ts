import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

// Placeholder until its issue lands; replaced wholesale by the command's implementation.
export const exportCommand: CliCommand = {
  name: "export",
  register(program, ctx) {
    program
      .command("export")
      .description(
        "export <plan.json> --format torch-csv: schedule in torch.distributed.pipelining's format (not implemented yet)",
      )
      .allowUnknownOption()
      .allowExcessArguments()
      .action(
        runAction(ctx, () => {
          ctx.io.err("dagpipe export: not implemented yet\n");
          return EXIT.internal;
        }),
      );
  },
};
