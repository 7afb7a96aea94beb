/**
 * Acceptance (issue 7): after 5 iterations the loss and every parameter of a pipelined run equal plain
 * single-process training of the same graph from the same seed within 1e-5 relative — GPipe, 1F1B and
 * DAG-1F1B, on a small mmt and a small candle-uno, with data-parallel stages (an uneven 1 + 2 sample split
 * among them). float64, so the only differences are summation orders.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { branchGroups, chain, dag, smallCandleUno, smallMmt } from "./plans.js";
import { torchPython } from "./torch-python.js";
import { assertEqualTraining, runVerified } from "./verify.js";

const tp = await torchPython();

const opts = { microBatch: 2, microBatches: 4 } as const;

test("mmt, GPipe over 2 stages equals single-process training", { skip: tp.skip }, async () => {
  const g = smallMmt();
  const plan = chain(g, 2, { ...opts, schedule: "gpipe" });
  assertEqualTraining(await runVerified(g, plan), false);
});

test("mmt, 1F1B over 2 stages, the first data-parallel on 2 devices, equals single-process training", {
  skip: tp.skip,
}, async () => {
  const g = smallMmt();
  const plan = chain(g, 2, { ...opts, schedule: "1f1b", dataParallel: [2, 1] });
  assert.equal(plan.stages[0]!.dataParallel, 2);
  assertEqualTraining(await runVerified(g, plan), true);
});

test("mmt, DAG-1F1B with one stage per branch and a merge stage equals single-process training", {
  skip: tp.skip,
}, async () => {
  const g = smallMmt();
  const plan = dag(g, branchGroups(g, ["b0.", "b1."]), { ...opts, schedule: "dag-1f1b" });
  assert.equal(plan.stageEdges.length, 2, "two branch stages feed the merge stage");
  assertEqualTraining(await runVerified(g, plan), false);
});

test("candle-uno, DAG-1F1B with a data-parallel branch stage (1 + 2 sample split) equals single-process training", {
  skip: tp.skip,
}, async () => {
  const g = smallCandleUno();
  const plan = dag(g, branchGroups(g, ["branch0.", "branch1."]), {
    microBatch: 3,
    microBatches: 3,
    schedule: "dag-1f1b",
    dataParallel: [2, 1, 1],
  });
  assert.deepEqual(
    plan.stages.map((s) => s.dataParallel),
    [2, 1, 1],
  );
  assertEqualTraining(await runVerified(g, plan), true);
});

test("candle-uno, GPipe over 2 stages (one process group per message direction, as for NCCL) equals single-process training", {
  skip: tp.skip,
}, async () => {
  const g = smallCandleUno();
  const plan = chain(g, 2, { microBatch: 3, microBatches: 2, schedule: "gpipe" });
  const r = await runVerified(g, plan, ["--p2p-groups", "directed"]);
  assert.equal(r.directedGroups, 2, "one group per direction between the two devices");
  assertEqualTraining(r, false);
});
