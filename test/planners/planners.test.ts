/**
 * Every planner on small zoo models (branchy, chain, skip connections): each plan validates, its simulated
 * peak fits the device, every candidate the judge saw validated, the answer is deterministic; when memory is
 * short the answer is "no plan" with the least memory that works, and that memory does work.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createCostModel } from "../../src/cost/create-cost-model.js";
import type { Graph } from "../../src/graph/types.js";
import { resolveCluster } from "../../src/hardware/resolve-cluster.js";
import type { Cluster } from "../../src/hardware/types.js";
import { buildZooModel } from "../../src/models/index.js";
import { validatePlan } from "../../src/plan/validate-plan.js";
import { simulationJudge } from "../../src/planners/judge.js";
import { refineWithRemat } from "../../src/planners/remat-refine.js";
import { PLANNERS } from "../../src/planners/run-planner.js";
import { PLANNER_NAMES, type PlannerRequest } from "../../src/planners/types.js";
import { unwrap } from "../../src/util/issues.js";

const MODELS: readonly [string, readonly string[]][] = [
  ["mmt", ["--branches", "3", "--layers", "2", "--hidden", "256", "--ffn", "1024", "--seq", "64", "--heads", "4"]],
  ["candle-uno", ["--width", "512", "--features", "512", "--branches", "3"]],
  ["gpt", ["--layers", "4", "--hidden", "256", "--heads", "4", "--seq", "128", "--vocab", "1000"]],
  ["unet", ["--depth", "2", "--width", "16", "--image", "64"]],
];

function request(graph: Graph, cluster: Cluster, batch: number): PlannerRequest {
  return { graph, cluster, cost: createCostModel(cluster.device, { graph }), batch, judge: simulationJudge(cluster) };
}

test("every planner's plan validates and fits, every candidate validated, same input same plan", () => {
  const cluster = unwrap(resolveCluster({ gpus: 8, cluster: "summit" }));
  for (const [name, args] of MODELS) {
    const graph = buildZooModel(name, args);
    for (const planner of PLANNER_NAMES) {
      const req = request(graph, cluster, 32);
      const r = PLANNERS[planner](req);
      assert.ok(r.ok, `${planner} on ${name}: ${r.ok ? "" : r.reason}`);
      assert.deepEqual(validatePlan(r.plan, r.graph, cluster), [], `${planner} on ${name}`);
      assert.ok(r.predicted.fits && Math.max(...r.predicted.peakMemBytes) <= cluster.device.memBytes);
      assert.ok(
        r.candidates.every((c) => c.invalid === undefined),
        `${planner} on ${name}: a candidate was invalid`,
      );
      assert.equal(r.plan.microBatch * r.plan.microBatches, 32);
      const again = PLANNERS[planner](req);
      assert.ok(again.ok);
      assert.deepEqual(again.plan, r.plan, `${planner} on ${name} is deterministic`);
    }
  }
});

test("graph plans keep branches apart: parallel branches of mmt get stages of their own", () => {
  const cluster = unwrap(resolveCluster({ gpus: 8, cluster: "summit" }));
  const graph = buildZooModel("mmt", [
    "--branches",
    "4",
    "--layers",
    "2",
    "--hidden",
    "512",
    "--seq",
    "128",
    "--heads",
    "8",
  ]);
  const r = PLANNERS.graph({ ...request(graph, cluster, 64), dataParallel: false });
  assert.ok(r.ok);
  const branchOf = (id: string) => /^b(\d+)\./.exec(id)?.[1];
  const mixed = r.plan.stages.filter((s) => new Set(s.ops.map(branchOf).filter((b) => b !== undefined)).size > 1);
  assert.ok(mixed.length <= 1, "at most the merge stage mixes branches");
  assert.ok(r.plan.stageEdges.length >= r.plan.stages.length - 1);
});

test("default mmt on 8 V100s (summit): the graph plan uses every device and beats the best sequential plan", () => {
  // Before fused joins the series-parallel space put the small tail after the concat on a device of its own:
  // 4 branches + tail left 3 of 8 devices idle and the graph plan lost to the sequential one (483 vs 542/s).
  const cluster = unwrap(resolveCluster({ gpus: 8, cluster: "summit" }));
  const req = request(buildZooModel("mmt", []), cluster, 64);
  const graph = PLANNERS.graph(req);
  const sequential = PLANNERS.sequential(req);
  assert.ok(graph.ok && sequential.ok);
  const used = new Set(graph.plan.stages.flatMap((s) => s.devices));
  assert.equal(used.size, 8, `devices used: ${[...used].join(",")}`);
  assert.ok(
    graph.predicted.samplesPerSec > sequential.predicted.samplesPerSec * 1.05,
    `graph ${graph.predicted.samplesPerSec} vs sequential ${sequential.predicted.samplesPerSec} samples/s`,
  );
  // A fused stage: one branch's last layers with the ops after the concat (loss included).
  const fused = graph.plan.stages.filter(
    (s) => s.ops.some((id) => /^b\d+\.layer/.test(id)) && s.ops.includes("loss") && s.devices.length === 1,
  );
  assert.equal(fused.length, 1, "one stage holds a branch's tail and the ops after the join");
});

test("when nothing fits: no plan, with the least memory; planning with that memory succeeds", () => {
  const graph = buildZooModel("gpt", ["--layers", "8", "--hidden", "1024", "--heads", "16", "--seq", "512"]);
  for (const planner of ["graph", "sequential"] as const) {
    const small = unwrap(resolveCluster({ gpus: 4, cluster: "summit", memoryGB: 0.5 }));
    const r = PLANNERS[planner](request(graph, small, 16));
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.leastMemBytes !== undefined && r.leastMemBytes > 0.5 * 2 ** 30);
    const least = !r.ok ? r.leastMemBytes! : 0;
    // The least memory from the planner's model; the simulator's accounting may need a little more.
    const enough = unwrap(resolveCluster({ gpus: 4, cluster: "summit", memoryGB: (least * 1.05) / 2 ** 30 }));
    const again = PLANNERS[planner](request(graph, enough, 16));
    assert.ok(again.ok, `${planner} with ${(least * 1.05) / 2 ** 30} GiB: ${again.ok ? "" : again.reason}`);
  }
});

test("recompute inside plans: stages recompute where that makes the plan fit, or faster", () => {
  const graph = buildZooModel("gpt", ["--layers", "8", "--hidden", "1024", "--heads", "16", "--seq", "1024"]);
  for (const planner of ["graph", "sequential"] as const) {
    // 0.9 GiB: only recomputing some stage's forward fits (its activations no longer wait per micro-batch).
    const tight = unwrap(resolveCluster({ gpus: 4, cluster: "summit", memoryGB: 0.9 }));
    const withRc = PLANNERS[planner]({ ...request(graph, tight, 32), dataParallel: false });
    const without = PLANNERS[planner]({ ...request(graph, tight, 32), dataParallel: false, recompute: false });
    assert.ok(withRc.ok, withRc.ok ? "" : withRc.reason);
    assert.ok(
      withRc.plan.stages.some((s) => s.recompute === "full"),
      `${planner}: some stage recomputes`,
    );
    assert.ok(withRc.predicted.fits);
    assert.equal(without.ok, false, `${planner}: without recompute nothing fits at 0.9 GiB`);
    // 1 GiB: both fit, recompute buys a better plan.
    const roomier = unwrap(resolveCluster({ gpus: 4, cluster: "summit", memoryGB: 1 }));
    const a = PLANNERS[planner]({ ...request(graph, roomier, 32), dataParallel: false });
    const b = PLANNERS[planner]({ ...request(graph, roomier, 32), dataParallel: false, recompute: false });
    assert.ok(a.ok && b.ok && a.predicted.samplesPerSec >= b.predicted.samplesPerSec);
  }
});

test("remat schedules from src/remat replace whole-stage recompute where they cost less, never slowing the plan", async () => {
  const graph = buildZooModel("gpt", ["--layers", "8", "--hidden", "1024", "--heads", "16", "--seq", "1024"]);
  const cluster = unwrap(resolveCluster({ gpus: 4, cluster: "summit", memoryGB: 0.9 }));
  const req = { ...request(graph, cluster, 32), dataParallel: false };
  const planned = PLANNERS.graph(req);
  assert.ok(planned.ok && planned.plan.stages.some((s) => s.recompute === "full"));
  const { result, replaced } = await refineWithRemat(req, planned, { solver: "chen-greedy" });
  assert.ok(result.ok);
  assert.ok(replaced.length >= 1, "some stage takes a remat schedule");
  const remat = result.plan.stages.filter((s) => s.recompute === "remat");
  assert.deepEqual(
    remat.map((s) => s.id),
    replaced,
  );
  for (const s of remat)
    assert.ok(s.rematCost && s.rematCost.extraFwdFraction < 1 && s.rematCost.extraFwdFraction >= 0);
  assert.deepEqual(validatePlan(result.plan, result.graph, cluster), []);
  assert.ok(result.predicted.fits && result.predicted.samplesPerSec >= planned.predicted.samplesPerSec);
});
