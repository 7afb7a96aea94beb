/**
 * The core runs unchanged in a browser (issue 2): the planner, simulator and remat modules bundle for
 * esbuild's browser platform — no Node built-in anywhere in what they import — and the bundle runs in a
 * context that has only what a browser page has (no process, require, Buffer or fs) and gives the same plan
 * as Node (plan, simulation, a remat baseline). highs' Emscripten loader imports node:module only when it runs
 * under Node; it stays external, and the MILP's wasm is not loaded here.
 * (The same bundle was also run in headless Chromium by hand: same throughput as in Node.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { createCostModel } from "../../src/cost/create-cost-model.js";
import { resolveCluster } from "../../src/hardware/resolve-cluster.js";
import { buildZooModel } from "../../src/models/index.js";
import { simulationJudge } from "../../src/planners/judge.js";
import { PLANNERS } from "../../src/planners/run-planner.js";
import { solveRemat, trainingGraphFromGraph } from "../../src/remat/index.js";
import { unwrap } from "../../src/util/issues.js";

test("the planner bundles for the browser and runs without Node's globals, with the same answer as in Node", async () => {
  const out = await build({
    entryPoints: [new URL("./planner-entry.ts", import.meta.url).pathname],
    bundle: true,
    platform: "browser",
    format: "iife",
    write: false,
    logLevel: "silent",
    external: ["node:module"],
  });
  assert.deepEqual(out.errors, []);
  const code = out.outputFiles[0]!.text;
  const page: Record<string, unknown> = {
    console: { log() {}, warn() {}, error() {} },
    performance,
    TextEncoder,
    TextDecoder,
    setTimeout,
    clearTimeout,
    queueMicrotask,
  };
  page["globalThis"] = page;
  page["self"] = page;
  runInNewContext(code, page);
  for (let k = 0; k < 100 && page["dagpipeResult"] === undefined; k++) await new Promise((r) => setTimeout(r, 10));
  const result = page["dagpipeResult"] as { planned: number; simulated: number; remat: number | string };

  const cluster = unwrap(resolveCluster({ gpus: 4, cluster: "summit" }));
  const graph = buildZooModel("nbranch", ["--hidden", "256", "--seq", "64", "--heads", "4"]);
  const r = PLANNERS.graph({
    graph,
    cluster,
    cost: createCostModel(cluster.device, { graph }),
    batch: 32,
    judge: simulationJudge(cluster),
  });
  assert.ok(r.ok);
  assert.equal(result.planned, r.predicted.iterationSec);
  assert.equal(result.simulated, r.predicted.iterationSec);
  const training = unwrap(
    trainingGraphFromGraph(graph, { batch: 32, costModel: createCostModel(cluster.device, { graph }) }),
  );
  const budget = 0.3 * training.nodes.reduce((s, n) => s + n.memBytes, 0);
  const remat = await solveRemat(training, budget, "chen-greedy");
  assert.ok(typeof result.remat === "number" && result.remat > 1, "the budget forces recomputation");
  assert.equal(result.remat, remat.stats?.overhead);
});
