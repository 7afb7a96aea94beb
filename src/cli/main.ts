/** The command line: builds the parser from the explicit command list and dispatches. No logic here. */
import { Command, CommanderError } from "commander";
import { COMMANDS } from "./commands/index.js";
import { type CliContext, type CliIO, EXIT } from "./context.js";

export function nodeIO(): CliIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command("dagpipe")
    .description("Plan, simulate and run pipeline-parallel training of deep neural networks")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  for (const command of COMMANDS) command.register(program, ctx);
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  }
  return program;
}

export async function main(argv: readonly string[], io: CliIO = nodeIO()): Promise<number> {
  const ctx: CliContext = { io, exitCode: EXIT.ok };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors are bad input.
      return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    throw e;
  }
  return ctx.exitCode;
}
