/** Every command, in the order `dagpipe --help` lists them. Explicit: nothing registers itself on import. */
import type { CliCommand } from "../context.js";

export const COMMANDS: readonly CliCommand[] = [];
