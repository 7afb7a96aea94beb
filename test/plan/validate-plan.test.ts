import assert from "node:assert/strict";
import { test } from "node:test";
import { chainPlan, planFromGroups } from "../../src/plan/build-plan.js";
import type { Plan, Stage } from "../../src/plan/types.js";
import { validatePlan } from "../../src/plan/validate-plan.js";
import type { Issue } from "../../src/util/issues.js";
import { graphOf } from "../graph/build.js";
import { candleLikeGraph, chainGraph, testCluster } from "./fixtures.js";

const cluster = testCluster({ devicesPerNode: 8 });
const chain = chainGraph(6);
const base = chainPlan(chain, 3, { microBatch: 4, microBatches: 8, schedule: "1f1b" });

function codes(issues: readonly Issue[]): [string, string][] {
  return issues.map((i) => [i.code, JSON.stringify(i.path ?? [])]);
}

function withStage(plan: Plan, i: number, patch: Partial<Stage>): Plan {
  return { ...plan, stages: plan.stages.map((s, k) => (k === i ? { ...s, ...patch } : s)) };
}

test("a chain plan built by chainPlan is valid and cuts 6 ops into 3 stages of 2", () => {
  assert.deepEqual(validatePlan(base, chain, cluster), []);
  assert.deepEqual(
    base.stages.map((s) => s.ops),
    [
      ["op0", "op1"],
      ["op2", "op3"],
      ["op4", "op5"],
    ],
  );
  assert.deepEqual(base.stageEdges, [
    ["s0", "s1"],
    ["s1", "s2"],
  ]);
  assert.deepEqual(
    base.stages.map((s) => s.devices),
    [[0], [1], [2]],
  );
});

test("the CANDLE-Uno-shaped stage graph is valid with dag-1f1b", () => {
  const { graph, groups } = candleLikeGraph();
  const plan = planFromGroups(graph, groups, { microBatch: 64, microBatches: 8, schedule: "dag-1f1b" });
  assert.deepEqual(validatePlan(plan, graph, cluster), []);
  assert.equal(plan.stageEdges.length, 5);
});

test("an op in no stage and an op in two stages are reported with their paths", () => {
  const plan = withStage(withStage(base, 1, { ops: ["op2", "op1"] }), 2, { ops: ["op4"] });
  assert.deepEqual(codes(validatePlan(plan, chain, cluster)), [
    ["op-placed-twice", '["stages",1,"ops",1]'],
    ["op-unplaced", '["stages"]'],
    ["op-unplaced", '["stages"]'],
    // op3 is unplaced, so nothing of s1 feeds s2 any more.
    ["invalid-value", '["stageEdges",1]'],
  ]);
});

test("unknown op ids and empty stages", () => {
  const plan = withStage(base, 2, { ops: ["op4", "op5", "nope"] });
  assert.deepEqual(codes(validatePlan(plan, chain, cluster)), [["unknown-op", '["stages",2,"ops",2]']]);
  const empty: Plan = { ...base, stages: [...base.stages, { ...base.stages[0]!, id: "e", ops: [], devices: [5] }] };
  assert.deepEqual(codes(validatePlan(empty, chain, cluster)), [["invalid-value", '["stages",3,"ops"]']]);
});

test("a non-convex stage: a path leaves it and comes back", () => {
  const g = graphOf({ a: [], b: ["a"], c: ["b"] });
  const plan = planFromGroups(g, [["a", "c"], ["b"]], { microBatch: 1, microBatches: 1, schedule: "gpipe" });
  const issues = validatePlan(plan, g, cluster);
  assert.ok(codes(issues).some(([c, p]) => c === "stage-not-convex" && p === '["stages",0,"ops"]'));
  assert.ok(issues.some((i) => i.code === "stage-cycle"));
});

test("two convex stages feeding each other form a stage cycle", () => {
  const g = graphOf({ a: [], b: ["a"], c: [], d: ["c"] });
  const plan = planFromGroups(
    g,
    [
      ["a", "d"],
      ["b", "c"],
    ],
    { microBatch: 1, microBatches: 1, schedule: "gpipe" },
  );
  assert.deepEqual(codes(validatePlan(plan, g, cluster)), [["stage-cycle", '["stageEdges"]']]);
});

test("stage edges: unknown stage, self loop, duplicate, no data, missing", () => {
  const plan: Plan = {
    ...base,
    stageEdges: [
      ["s0", "s1"],
      ["s0", "s1"],
      ["s1", "zz"],
      ["s2", "s2"],
    ],
  };
  assert.deepEqual(codes(validatePlan(plan, chain, cluster)), [
    ["invalid-value", '["stageEdges",1]'],
    ["unknown-stage", '["stageEdges",2,1]'],
    ["stage-cycle", '["stageEdges",3]'],
  ]);
  const missing: Plan = { ...base, stageEdges: [["s0", "s2"]] };
  assert.deepEqual(codes(validatePlan(missing, chain, cluster)), [
    ["missing-stage-edge", '["stageEdges"]'],
    ["missing-stage-edge", '["stageEdges"]'],
    ["invalid-value", '["stageEdges",0]'],
  ]);
});

test("devices: outside the cluster, shared between stages, listed twice", () => {
  const plan = withStage(withStage(base, 1, { devices: [0] }), 2, { devices: [8] });
  assert.deepEqual(codes(validatePlan(plan, chain, cluster)), [
    ["device-shared", '["stages",1,"devices",0]'],
    ["device-out-of-range", '["stages",2,"devices",0]'],
  ]);
  const twice = withStage(base, 0, { devices: [3, 3], dataParallel: 2 });
  assert.deepEqual(codes(validatePlan(twice, chain, cluster)), [["device-shared", '["stages",0,"devices",1]']]);
});

test("degrees: device count, tensor parallelism, more replicas than samples", () => {
  const plan = withStage(base, 0, { devices: [3, 4], dataParallel: 1 });
  assert.deepEqual(codes(validatePlan(plan, chain, cluster)), [["bad-degree", '["stages",0,"devices"]']]);
  const tp = withStage(base, 0, { devices: [3, 4], tensorParallel: 2 });
  assert.deepEqual(codes(validatePlan(tp, chain, cluster)), [["unsupported", '["stages",0,"tensorParallel"]']]);
  const dp = withStage(base, 0, { devices: [3, 4, 5, 6, 7], dataParallel: 5 });
  assert.deepEqual(codes(validatePlan(dp, chain, cluster)), [["bad-degree", '["stages",0,"dataParallel"]']]);
});

test("numbers, duplicate stage ids and remat without its cost", () => {
  const plan: Plan = { ...withStage(base, 1, { id: "s0", recompute: "remat" }), microBatches: 0, microBatch: 1.5 };
  const c = codes(validatePlan(plan, chain, cluster));
  assert.ok(c.some(([k, p]) => k === "bad-number" && p === '["microBatch"]'));
  assert.ok(c.some(([k, p]) => k === "bad-number" && p === '["microBatches"]'));
  assert.ok(c.some(([k, p]) => k === "duplicate-id" && p === '["stages",1,"id"]'));
  assert.ok(c.some(([k, p]) => k === "missing-field" && p === '["stages",1,"rematCost"]'));
});

test("interleaved: loop placement over p device sets, micro-batches a multiple of p", () => {
  const g = chainGraph(8);
  const plan = chainPlan(g, 8, { microBatch: 2, microBatches: 8, schedule: "interleaved", virtualStages: 2 });
  assert.deepEqual(
    plan.stages.map((s) => s.devices[0]),
    [0, 1, 2, 3, 0, 1, 2, 3],
  );
  assert.deepEqual(validatePlan(plan, g, cluster), []);
  assert.deepEqual(codes(validatePlan({ ...plan, microBatches: 6 }, g, cluster)), [
    ["invalid-value", '["microBatches"]'],
  ]);
  const misplaced = withStage(plan, 5, { devices: [2] });
  assert.deepEqual(codes(validatePlan(misplaced, g, cluster)), [["device-shared", '["stages",5,"devices"]']]);
  assert.deepEqual(codes(validatePlan({ ...plan, virtualStages: 3 }, g, cluster)), [
    ["invalid-value", '["virtualStages"]'],
  ]);
  assert.deepEqual(codes(validatePlan({ ...base, virtualStages: 2 }, chain, cluster)), [
    ["invalid-value", '["virtualStages"]'],
  ]);
});

test("2BW needs at least as many micro-batches as stages on the longest path", () => {
  const plan: Plan = { ...base, schedule: "2bw", microBatches: 2 };
  assert.deepEqual(codes(validatePlan(plan, chain, cluster)), [["invalid-value", '["microBatches"]']]);
  assert.deepEqual(validatePlan({ ...plan, microBatches: 3 }, chain, cluster), []);
});
