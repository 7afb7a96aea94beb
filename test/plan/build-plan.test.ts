import assert from "node:assert/strict";
import { test } from "node:test";
import { chainPlan, deriveStageEdges, planFromGroups } from "../../src/plan/build-plan.js";
import { buildStageGraph, depthToSink, isChain, topoRank } from "../../src/plan/stage-graph.js";
import { validatePlan } from "../../src/plan/validate-plan.js";
import { graphOf } from "../graph/build.js";
import { candleLikeGraph, chainGraph, testCluster } from "./fixtures.js";

test("a skip connection across a stage gets its own stage edge", () => {
  const g = graphOf({ a: [], b: ["a"], c: ["b"], d: ["c", "a"] });
  const stages = [
    { id: "x", ops: ["a"] },
    { id: "y", ops: ["b", "c"] },
    { id: "z", ops: ["d"] },
  ];
  assert.deepEqual(deriveStageEdges(g, stages), [
    ["x", "y"],
    ["x", "z"],
    ["y", "z"],
  ]);
});

test("chainPlan with data parallelism deals consecutive devices and stays valid", () => {
  const g = chainGraph(9);
  const plan = chainPlan(g, 3, { microBatch: 4, microBatches: 4, schedule: "gpipe", dataParallel: [1, 2, 4] });
  assert.deepEqual(
    plan.stages.map((s) => [s.ops.length, s.devices]),
    [
      [3, [0]],
      [3, [1, 2]],
      [3, [3, 4, 5, 6]],
    ],
  );
  assert.deepEqual(validatePlan(plan, g, testCluster({ devicesPerNode: 8 })), []);
});

test("chainPlan leaves at least one op per stage even when asked for as many stages as ops", () => {
  const g = chainGraph(5);
  const plan = chainPlan(g, 5, { microBatch: 1, microBatches: 1, schedule: "1f1b" });
  assert.deepEqual(
    plan.stages.map((s) => s.ops.length),
    [1, 1, 1, 1, 1],
  );
});

test("stage graph of the CANDLE-Uno shape: depths 3 (branches), 2 (merge), 1 (last); not a chain", () => {
  const { graph, groups } = candleLikeGraph();
  const plan = planFromGroups(graph, groups, { microBatch: 64, microBatches: 8, schedule: "dag-1f1b" });
  const sg = buildStageGraph(plan);
  assert.deepEqual(depthToSink(sg), [3, 3, 3, 3, 2, 1]);
  assert.deepEqual(topoRank(sg), [0, 1, 2, 3, 4, 5]);
  assert.equal(isChain(sg), false);
  assert.equal(
    isChain(buildStageGraph(chainPlan(chainGraph(4), 4, { microBatch: 1, microBatches: 1, schedule: "1f1b" }))),
    true,
  );
});
