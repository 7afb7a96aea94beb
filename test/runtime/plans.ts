/** Small plans of small zoo models for the runtime tests, written to a temporary file. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Graph } from "../../src/graph/types.js";
import { resolveCluster } from "../../src/hardware/resolve-cluster.js";
import { buildZooModel } from "../../src/models/index.js";
import { chainPlan, type PlanOptions, planFromGroups } from "../../src/plan/build-plan.js";
import { writePlanJson } from "../../src/plan/plan-json.js";
import type { Plan } from "../../src/plan/types.js";
import { unwrap } from "../../src/util/issues.js";

export const smallMmt = (): Graph =>
  buildZooModel("mmt", [
    "--branches",
    "2",
    "--layers",
    "1",
    "--hidden",
    "16",
    "--heads",
    "2",
    "--seq",
    "4",
    "--ffn",
    "32",
  ]);

export const smallCandleUno = (): Graph =>
  buildZooModel("candle-uno", [
    "--branches",
    "3",
    "--branchLayers",
    "2",
    "--width",
    "16",
    "--features",
    "8",
    "--topLayers",
    "1",
  ]);

/** Stage groups of a branchy graph: one group per id prefix ("b0.", "branch1/" …), the rest in the last. */
export function branchGroups(g: Graph, prefixes: readonly string[]): string[][] {
  const groups: string[][] = prefixes.map(() => []);
  const rest: string[] = [];
  for (const op of g.ops) {
    const k = prefixes.findIndex((p) => op.id.startsWith(p));
    (k >= 0 ? groups[k]! : rest).push(op.id);
  }
  return [...groups, rest];
}

export function chain(g: Graph, stages: number, opts: PlanOptions): Plan {
  return chainPlan(g, stages, opts);
}

export function dag(g: Graph, groups: readonly (readonly string[])[], opts: PlanOptions): Plan {
  return planFromGroups(g, groups, opts);
}

/** Writes the plan document into a fresh temporary directory; returns the file path. */
export function writePlan(g: Graph, plan: Plan, name = "plan.json"): string {
  const devices = new Set(plan.stages.flatMap((s) => s.devices)).size;
  const cluster = unwrap(resolveCluster({ gpus: devices, cluster: "cpu-local" }));
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-plan-"));
  const file = join(dir, name);
  writeFileSync(file, writePlanJson({ format: "dagpipe-plan", version: 1, graph: g, cluster, plan }));
  return file;
}
