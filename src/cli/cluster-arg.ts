/**
 * `--gpus N [--cluster P|file.json] [--device D] [--memory GB]` → Cluster, for every command that plans.
 * Node side only: reads a custom cluster file; the meaning of the options lives in the pure
 * `resolveCluster` (src/hardware/resolve-cluster.ts). Bad input throws InputError (exit 2) naming the option.
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import { canonicalName } from "../hardware/lookup.js";
import { type ClusterSpec, parseClusterJson } from "../hardware/parse-cluster.js";
import { CLUSTER_PRESETS, DEVICE_PRESETS } from "../hardware/presets.js";
import { DEFAULT_CLUSTER, resolveCluster } from "../hardware/resolve-cluster.js";
import type { Cluster } from "../hardware/types.js";
import { InputError, type Issue } from "../util/issues.js";
import { readTextFile } from "./read-text-file.js";

export interface ClusterOptionValues {
  readonly gpus?: string | number;
  readonly cluster?: string;
  readonly device?: string;
  readonly memory?: string | number;
}

/** Adds the four cluster options to a command, with help that lists the presets. */
export function addClusterOptions(command: Command): Command {
  return command
    .option("--gpus <n>", "number of devices to plan for")
    .option(
      "--cluster <preset|file.json>",
      `cluster preset (${[...CLUSTER_PRESETS.keys()].join(", ")}; default ${DEFAULT_CLUSTER}) or a cluster JSON file`,
    )
    .option("--device <name>", `device preset (${[...DEVICE_PRESETS.keys()].join(", ")})`)
    .option("--memory <GB>", "memory per device in GB (GiB), replacing the device's own: the planner's budget");
}

function looksLikeFile(value: string): boolean {
  return value.endsWith(".json") || value.includes("/") || value.includes("\\");
}

/** A preset name stays a name; anything that looks like a path, or names an existing file, is read. */
function readCluster(value: string, cwd: string): ClusterSpec | string {
  if (canonicalName(CLUSTER_PRESETS, value) !== undefined) return value;
  const path = isAbsolute(value) ? value : resolve(cwd, value);
  if (!looksLikeFile(value) && !existsSync(path)) return value;
  const text = readTextFile(path, cwd, (reason) => ({
    code: "bad-option",
    message: `cannot read cluster file (${reason})`,
    file: value,
    path: ["cluster"],
    expected: "a readable cluster JSON file",
  }));
  const parsed = parseClusterJson(text, value, DEVICE_PRESETS);
  if (!parsed.ok) throw new InputError(parsed.issues);
  return parsed.value;
}

function parseNumber(raw: string | number | undefined, option: string, integer: boolean): number | undefined | Issue {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const value = Number(text);
  const valid = text !== "" && Number.isFinite(value) && (!integer || /^\d+$/.test(text));
  if (valid) return value;
  return {
    code: "bad-option",
    message: `--${option} must be ${integer ? "a whole number" : "a number"}`,
    path: [option],
    expected: integer ? "an integer ≥ 1" : "a positive number",
    got: text,
  };
}

/** The cluster the options describe; throws InputError with every problem found. */
export function clusterFromOptions(values: ClusterOptionValues, cwd: string): Cluster {
  const gpus = parseNumber(values.gpus, "gpus", true);
  const memory = parseNumber(values.memory, "memory", false);
  const bad = [gpus, memory].filter((v): v is Issue => typeof v === "object");
  if (bad.length > 0) throw new InputError(bad);
  const cluster = values.cluster === undefined ? undefined : readCluster(values.cluster, cwd);
  const result = resolveCluster({
    ...(typeof gpus === "number" ? { gpus } : {}),
    ...(typeof memory === "number" ? { memoryGB: memory } : {}),
    ...(cluster === undefined ? {} : { cluster }),
    ...(values.device === undefined ? {} : { device: values.device }),
  });
  if (!result.ok) throw new InputError(result.issues);
  return result.value;
}
