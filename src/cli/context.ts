/** What a command may touch: its output streams, environment and exit code. Tests pass a fake. */
import type { Command } from "commander";
import { formatIssues } from "../report/format-issues.js";
import { InputError } from "../util/issues.js";

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export interface CliContext {
  readonly io: CliIO;
  exitCode: number;
}

export interface CliCommand {
  readonly name: string;
  register(program: Command, ctx: CliContext): void;
}

/** Exit codes: 0 ok, 1 the request cannot be met (no plan fits …), 2 bad input, 3 internal error. */
export const EXIT = { ok: 0, cannotMeet: 1, badInput: 2, internal: 3 } as const;

/**
 * Wraps a command body: InputError → its issues on stderr and exit 2; anything else is our bug → exit 3
 * with the stack, so users can report it.
 */
export function runAction<A extends unknown[]>(
  ctx: CliContext,
  body: (...args: A) => Promise<number> | number,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      ctx.exitCode = await body(...args);
    } catch (e) {
      if (e instanceof InputError) {
        ctx.io.err(`${formatIssues(e.issues)}\n`);
        ctx.exitCode = EXIT.badInput;
      } else {
        const err = e as Error;
        ctx.io.err(`dagpipe: internal error: ${err?.stack ?? String(e)}\n`);
        ctx.exitCode = EXIT.internal;
      }
    }
  };
}
