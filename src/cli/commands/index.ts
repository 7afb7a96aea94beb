/** Every command, in the order `dagpipe --help` lists them. Explicit: nothing registers itself on import. */
import type { CliCommand } from "../context.js";
import { compareCommand } from "./compare.js";
import { exportCommand } from "./export.js";
import { inspectCommand } from "./inspect.js";
import { modelsCommand } from "./models.js";
import { planCommand } from "./plan.js";
import { profileCommand } from "./profile.js";
import { rematCommand } from "./remat.js";
import { runCommand } from "./run.js";
import { simulateCommand } from "./simulate.js";

export const COMMANDS: readonly CliCommand[] = [
  modelsCommand,
  inspectCommand,
  planCommand,
  compareCommand,
  simulateCommand,
  rematCommand,
  runCommand,
  profileCommand,
  exportCommand,
];
