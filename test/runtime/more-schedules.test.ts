/**
 * The executor beyond the acceptance trio: interleaved virtual stages (two stages per device) with full
 * recomputation, and ZB-H1's split backward (B = input gradient, W = weight gradient later) with a
 * data-parallel stage — both on a small GPT whose output layer is tied to its token embedding on another
 * device, so the tied copies' gradient sum is exercised too. Each must equal single-process training.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildZooModel } from "../../src/models/index.js";
import { chain } from "./plans.js";
import { torchPython } from "./torch-python.js";
import { assertEqualTraining, runVerified } from "./verify.js";

const tp = await torchPython();
const gpt = () =>
  buildZooModel("gpt", ["--layers", "2", "--hidden", "16", "--heads", "4", "--seq", "8", "--vocab", "40"]);

function tiedAcrossStages(plan: ReturnType<typeof chain>): boolean {
  const stageOf = (op: string) => plan.stages.findIndex((s) => s.ops.includes(op));
  return stageOf("embed") !== stageOf("lm_head");
}

test("gpt, interleaved 1F1B (4 stages on 2 devices) with full recompute equals single-process training", {
  skip: tp.skip,
}, async () => {
  const g = gpt();
  const plan = chain(g, 4, {
    microBatch: 2,
    microBatches: 4,
    schedule: "interleaved",
    virtualStages: 2,
    recompute: "full",
  });
  assert.deepEqual(
    plan.stages.map((s) => s.devices[0]),
    [0, 1, 0, 1],
  );
  assert.ok(tiedAcrossStages(plan), "the tied weight spans two devices");
  assertEqualTraining(await runVerified(g, plan), false);
});

test("gpt, ZB-H1 (split backward) with a data-parallel last stage equals single-process training", {
  skip: tp.skip,
}, async () => {
  const g = gpt();
  const plan = chain(g, 2, { microBatch: 2, microBatches: 4, schedule: "zb-h1", dataParallel: [1, 2] });
  assert.ok(tiedAcrossStages(plan));
  assertEqualTraining(await runVerified(g, plan), true);
});
