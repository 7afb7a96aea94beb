/** The planners' question: cheapest recompute for a stage's ops at a micro-batch and an activation budget. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildZooModel } from "../../src/models/index.js";
import { loadHighs } from "../../src/remat/milp/run-highs.js";
import { stageRematCost } from "../../src/remat/stage-remat.js";

test("a GPT stage: no recompute with room to spare, recompute under a tight budget", async () => {
  const highs = await loadHighs();
  const graph = buildZooModel("gpt", ["--layers", "2"]);
  const ops = graph.ops.filter((op) => op.kind !== "input" && op.kind !== "loss").map((op) => op.id);
  const stage = ops.slice(0, Math.ceil(ops.length / 2));
  const roomy = await stageRematCost({ graph, ops: stage, microBatch: 2, activationBudgetBytes: 1e12, highs });
  assert.ok(roomy.ok);
  assert.equal(roomy.value.overhead, 1);
  assert.equal(roomy.value.extraFwdFraction, 0);
  const need = roomy.value.activationBytes ?? 0;
  const tight = await stageRematCost({ graph, ops: stage, microBatch: 2, activationBudgetBytes: 0.6 * need, highs });
  assert.ok(tight.ok);
  const a = tight.value;
  assert.equal(a.status, "optimal");
  assert.ok((a.overhead ?? 0) > 1 && (a.extraFwdFraction ?? 0) > 0);
  assert.ok((a.activationBytes ?? Infinity) <= 0.6 * need);
  assert.ok((a.savedBytesPerSample ?? Infinity) * 2 <= (roomy.value.savedBytesPerSample ?? 0) * 2);
  assert.ok(a.fixedBytes > 0, "weights and the stage's received input are outside the budget");
});

test("a budget below the stage's floor: infeasible with the least bytes; bad ops are issues", async () => {
  const graph = buildZooModel("gpt", ["--layers", "1"]);
  const r = await stageRematCost({ graph, microBatch: 1, activationBudgetBytes: 1 });
  assert.ok(r.ok);
  assert.equal(r.value.status, "infeasible");
  assert.ok((r.value.leastBytes ?? 0) > 1);
  const bad = await stageRematCost({ graph, ops: ["nope"], microBatch: 1, activationBudgetBytes: 1e9 });
  assert.ok(!bad.ok);
  assert.equal(bad.issues[0]?.code, "unknown-op");
});
