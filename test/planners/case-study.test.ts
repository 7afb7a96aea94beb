/**
 * GraphPipe's case study (graphpipe.md §2.5, issue 4 acceptance): the 2-branch `nbranch` model on 8 devices of
 * `summit`, data parallelism off. The sequential pipeline (1F1B, as PipeDream) is 8 stages deep at micro-batch 2;
 * the graph pipeline runs both branches as 4-stage pipelines side by side at micro-batch 4 and is ≥ 10 % faster.
 * With data parallelism allowed, the graph plan is at least as fast as every sequential planner's.
 * Mini-batch: 64 samples (the paper does not give it).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createCostModel } from "../../src/cost/create-cost-model.js";
import { resolveCluster } from "../../src/hardware/resolve-cluster.js";
import { buildZooModel } from "../../src/models/index.js";
import { buildStageGraph, depthToSink } from "../../src/plan/stage-graph.js";
import { validatePlan } from "../../src/plan/validate-plan.js";
import { planGraph } from "../../src/planners/graph-planner.js";
import { simulationJudge } from "../../src/planners/judge.js";
import { planPipeDream } from "../../src/planners/pipedream.js";
import { planSequential } from "../../src/planners/sequential.js";
import type { PlannerRequest, PlanResult } from "../../src/planners/types.js";
import { planUniform } from "../../src/planners/uniform.js";
import { unwrap } from "../../src/util/issues.js";

const graph = buildZooModel("nbranch", []);
const cluster = unwrap(resolveCluster({ gpus: 8, cluster: "summit" }));
const base: PlannerRequest = {
  graph,
  cluster,
  cost: createCostModel(cluster.device, { graph }),
  batch: 64,
  judge: simulationJudge(cluster),
};

function ok(r: PlanResult): Extract<PlanResult, { ok: true }> {
  assert.ok(r.ok, r.ok ? "" : r.reason);
  assert.deepEqual(validatePlan(r.plan, r.graph, cluster), []);
  assert.ok(r.predicted.fits);
  assert.ok(Math.max(...r.predicted.peakMemBytes) <= cluster.device.memBytes);
  return r;
}

/** The branch ("b0"/"b1") each stage's compute ops belong to (glue like concat and loss aside). */
function branchesOf(r: Extract<PlanResult, { ok: true }>): string[] {
  return r.plan.stages.map((s) => {
    const tags = new Set(s.ops.filter((id) => /^b\d\.block/.test(id)).map((id) => id.slice(0, 2)));
    return [...tags].join("+");
  });
}

test("case study, no data parallelism: sequential depth 8 at micro-batch 2, graph 2 × 4 stages at micro-batch 4, ≥ 10 % faster", () => {
  const noDp = { ...base, dataParallel: false };
  const sequential = ok(planSequential(noDp, ["1f1b"]));
  const pipedream = ok(planPipeDream(noDp));
  for (const seq of [sequential, pipedream]) {
    assert.equal(seq.plan.microBatch, 2);
    assert.equal(seq.plan.stages.length, 8);
    // A sequential pipeline is a chain: every micro-batch passes all 8 stages.
    assert.equal(Math.max(...depthToSink(buildStageGraph(seq.plan))), 8);
  }
  const graphPlan = ok(planGraph(noDp));
  assert.equal(graphPlan.plan.microBatch, 4);
  assert.equal(graphPlan.plan.stages.length, 8);
  // One [attention + 2 linear] block per stage, each branch a pipeline of 4 stages side by side; the concat and
  // the loss ride on the last stage of one branch, which both branches feed.
  const branches = branchesOf(graphPlan);
  assert.deepEqual(
    branches.filter((b) => b === "b0"),
    ["b0", "b0", "b0", "b0"],
  );
  assert.deepEqual(
    branches.filter((b) => b === "b1"),
    ["b1", "b1", "b1", "b1"],
  );
  for (const s of graphPlan.plan.stages) {
    assert.equal(s.ops.filter((id) => id.endsWith(".attn")).length, 1, `${s.id} holds one attention`);
  }
  const sg = buildStageGraph(graphPlan.plan);
  assert.equal(sg.preds.filter((p) => p.length === 0).length, 2, "two branch pipelines start side by side");
  assert.ok(graphPlan.predicted.samplesPerSec >= 1.1 * sequential.predicted.samplesPerSec);
  assert.ok(graphPlan.predicted.samplesPerSec >= 1.1 * pipedream.predicted.samplesPerSec);
});

test("case study with data parallelism: the graph plan is at least as fast as every sequential planner's", () => {
  const graphPlan = ok(planGraph(base));
  for (const other of [planSequential(base), planPipeDream(base), planUniform(base)]) {
    const r = ok(other);
    assert.ok(
      graphPlan.predicted.samplesPerSec >= r.predicted.samplesPerSec,
      `graph ${graphPlan.predicted.samplesPerSec} vs ${r.planner} ${r.predicted.samplesPerSec}`,
    );
  }
});
