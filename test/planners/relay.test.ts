/**
 * Sequential pipelines relay tensors (relay.ts): a chain plan over a branchy graph becomes a chain of stages,
 * every op keeps its cost, and only identity relays are added, one per intermediate stage.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { planFromGroups } from "../../src/plan/build-plan.js";
import { buildStageGraph, isChain } from "../../src/plan/stage-graph.js";
import { validatePlan } from "../../src/plan/validate-plan.js";
import { relayChain, relayCost } from "../../src/planners/relay.js";
import { graphFromEdges } from "../arbitraries.js";
import { testCluster, testCost } from "./fixtures.js";

test("a 2-branch graph cut branch after branch relays branch 0's output through branch 1's stages", () => {
  // Branch A: op0→op1, branch B: op2→op3, merge op4 (reads op1 and op3).
  const g = graphFromEdges(5, [
    [0, 1],
    [2, 3],
    [1, 4],
    [3, 4],
  ]);
  const plan = planFromGroups(g, [["op0"], ["op1"], ["op2"], ["op3"], ["op4"]], {
    microBatch: 2,
    microBatches: 4,
    schedule: "1f1b",
  });
  assert.ok(!isChain(buildStageGraph(plan)), "without relays the stage graph branches");
  const r = relayChain(g, plan);
  assert.equal(r.relays, 2, "op1's output passes s2 and s3");
  assert.ok(isChain(buildStageGraph(r.plan)));
  const cluster = testCluster(1e12, 8, 1);
  assert.deepEqual(validatePlan(r.plan, r.graph, cluster), []);
  const merge = r.graph.ops.find((op) => op.id === "op4")!;
  assert.deepEqual(merge.inputs, ["op1~relay3", "op3"]);
  const cost = testCost(cluster.device);
  const rc = relayCost(cost, r.original);
  for (const op of r.graph.ops) {
    const original = g.ops.find((o) => o.id === op.id);
    const t = rc.opTime(op, 2);
    if (original) assert.deepEqual(t, cost.opTime(original, 2));
    else assert.deepEqual(t, { fwdSec: 0, bwdSec: 0 });
  }
});

test("a plan whose tensors only go to the next stage is left as it is", () => {
  const g = graphFromEdges(3, [
    [0, 1],
    [1, 2],
  ]);
  const plan = planFromGroups(g, [["op0"], ["op1"], ["op2"]], { microBatch: 1, microBatches: 2, schedule: "1f1b" });
  const r = relayChain(g, plan);
  assert.equal(r.relays, 0);
  assert.deepEqual(r.plan.stages, plan.stages);
});
