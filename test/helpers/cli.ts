import type { CliIO } from "../../src/cli/context.js";

/** A CliIO that records what a command prints, for in-process CLI tests. */
export function fakeIO(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    stderrIsTTY: false,
    env: {},
    cwd: process.cwd(),
  };
  return io;
}
