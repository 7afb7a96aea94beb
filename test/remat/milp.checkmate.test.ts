/**
 * The MILP on Checkmate's graphs against the reference optima of research note §8.2 (HiGHS, native). Every
 * returned schedule is re-checked by the independent memory simulation at its budget. The slower points
 * (U-Net, MobileNet, …) are in bench/remat.bench.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkpointAll } from "../../src/remat/baselines/simple.js";
import { evaluateSchedule } from "../../src/remat/evaluate-schedule.js";
import { memoryFloorBytes } from "../../src/remat/memory-floor.js";
import { loadHighs } from "../../src/remat/milp/run-highs.js";
import { solveMilp } from "../../src/remat/milp/solve-milp.js";
import { type CheckmateModel, checkmateGraph, GB, skipWithoutCheckmate } from "./checkmate-graphs.js";

describe("Checkmate MILP on the MLSys graphs (§8.2)", { skip: skipWithoutCheckmate }, async () => {
  const highs = skipWithoutCheckmate ? undefined : await loadHighs();
  const points: [CheckmateModel, number, number][] = [
    ["vgg16", 15.668, 1.0077],
    ["vgg16", 14.493, 1.0197],
    ["vgg16", 13.318, 1.0197],
    ["vgg19", 14.645, 1.0263],
    ["fcn8", 8.883, 1.0162],
  ];
  for (const [model, budgetGb, want] of points) {
    test(`${model} at ${budgetGb} GB: optimal overhead ${want}`, async () => {
      const g = checkmateGraph(model);
      const r = await solveMilp(g, budgetGb * GB, { ...(highs ? { highs } : {}), timeLimitSec: 120 });
      assert.equal(r.status, "optimal", r.note);
      assert.ok(r.schedule && r.stats);
      assert.ok(Math.abs(r.stats.overhead - want) <= 0.001, `overhead ${r.stats.overhead}`);
      const check = evaluateSchedule(g, r.schedule, budgetGb * GB);
      assert.deepEqual(check.issues, []);
      assert.ok((r.lowerBoundOverhead ?? 0) <= r.stats.overhead + 1e-9);
    });
  }

  test("vgg16 at 11.751 GB is infeasible, caught by the memory floor (13.153 GB)", async () => {
    const g = checkmateGraph("vgg16");
    const r = await solveMilp(g, 11.751 * GB, { ...(highs ? { highs } : {}) });
    assert.equal(r.status, "infeasible");
    assert.equal(r.leastBytes, memoryFloorBytes(g).bytes);
    assert.ok(Math.abs((r.leastBytes ?? 0) / GB - 13.1533) < 1e-4);
    assert.ok((r.solveSec ?? 1) < 0.5, "rejected before any MILP is built");
  });

  test("vgg16 at checkpoint-all's memory: overhead 1.0 with a lower simulated peak (≈15.83 GB)", async () => {
    const g = checkmateGraph("vgg16");
    const budget = evaluateSchedule(g, checkpointAll(g)).stats.activationBytes;
    assert.ok(Math.abs(budget / GB - 19.585) < 1e-3);
    const r = await solveMilp(g, budget, { ...(highs ? { highs } : {}) });
    assert.equal(r.status, "optimal");
    assert.equal(r.stats?.overhead, 1);
    const peakGb = (r.stats?.activationBytes ?? 0) / GB;
    assert.ok(peakGb < 15.9 && peakGb > 15.0, `simulated peak ${peakGb} GB`);
  });
});
