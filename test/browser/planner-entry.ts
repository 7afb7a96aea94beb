/**
 * What a web page would run: build a zoo model, plan it with the graph planner, simulate the plan, solve a
 * rematerialization baseline on it. Bundled for
 * the browser by browser-bundle.test.ts; the answer goes to `globalThis.dagpipeResult`.
 */
import { createCostModel } from "../../src/cost/create-cost-model.js";
import { resolveCluster } from "../../src/hardware/resolve-cluster.js";
import { buildZooModel } from "../../src/models/index.js";
import { simulationJudge } from "../../src/planners/judge.js";
import { PLANNERS } from "../../src/planners/run-planner.js";
import { solveRemat, trainingGraphFromGraph } from "../../src/remat/index.js";
import { simulatePlan } from "../../src/sim/simulate.js";
import { unwrap } from "../../src/util/issues.js";

const cluster = unwrap(resolveCluster({ gpus: 4, cluster: "summit" }));
const graph = buildZooModel("nbranch", ["--hidden", "256", "--seq", "64", "--heads", "4"]);
const cost = createCostModel(cluster.device, { graph });
const r = PLANNERS.graph({ graph, cluster, cost, batch: 32, judge: simulationJudge(cluster) });
const sim = r.ok
  ? simulatePlan(r.plan, r.graph, cluster, createCostModel(cluster.device, { graph: r.graph }))
  : undefined;
// A remat baseline (no HiGHS: loading its wasm is the page's business, through loadHighs' locateFile).
const training = unwrap(trainingGraphFromGraph(graph, { batch: 32, costModel: cost }));
solveRemat(training, 0.3 * training.nodes.reduce((s, n) => s + n.memBytes, 0), "chen-greedy").then((remat) => {
  (globalThis as { dagpipeResult?: unknown }).dagpipeResult = {
    planned: r.ok ? r.predicted.iterationSec : r.reason,
    simulated: sim?.iterationSec,
    remat: remat.stats?.overhead ?? remat.status,
  };
});
