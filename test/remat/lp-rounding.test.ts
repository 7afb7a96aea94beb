/** LP relaxation + rounding: what it returns fits the budget, costs no less than the MILP, and is seeded. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { evaluateSchedule } from "../../src/remat/evaluate-schedule.js";
import { solveLpRounding } from "../../src/remat/lp-rounding.js";
import { loadHighs } from "../../src/remat/milp/run-highs.js";
import { solveMilp } from "../../src/remat/milp/solve-milp.js";
import { unitChain } from "../../src/remat/unit-chain.js";
import { checkmateGraph, GB, skipWithoutCheckmate } from "./checkmate-graphs.js";

describe("LP rounding", async () => {
  const highs = await loadHighs();

  test("unit chain N = 8: every feasible budget gives a fitting schedule no cheaper than the optimum", async () => {
    const g = unitChain(8);
    let feasible = 0;
    for (const budget of [6, 8, 10, 12]) {
      const lp = await solveLpRounding(g, budget, { highs, seed: 7 });
      const milp = await solveMilp(g, budget, { highs });
      assert.ok(milp.stats);
      if (lp.status !== "feasible") continue;
      feasible++;
      assert.ok(lp.schedule && lp.stats);
      assert.deepEqual(evaluateSchedule(g, lp.schedule, budget).issues, []);
      assert.ok(lp.stats.cost >= milp.stats.cost);
    }
    assert.ok(feasible >= 2, "the rounding path was exercised");
  });

  test("the same seed gives the same roundings", async () => {
    const g = unitChain(8);
    const a = await solveLpRounding(g, 9, { highs, seed: 3 });
    const b = await solveLpRounding(g, 9, { highs, seed: 3 });
    assert.deepEqual(
      a.roundings?.map((r) => [r.method, r.stats.cost, r.fits]),
      b.roundings?.map((r) => [r.method, r.stats.cost, r.fits]),
    );
  });

  test("below the memory floor it reports infeasible without solving", async () => {
    const r = await solveLpRounding(unitChain(8), 2, { highs });
    assert.equal(r.status, "infeasible");
    assert.equal(r.leastBytes, 3);
  });

  test("VGG16 at 15.668 GB: the threshold sweep finds 1.0197 (research note §8.3)", {
    skip: skipWithoutCheckmate,
  }, async () => {
    const g = checkmateGraph("vgg16");
    const r = await solveLpRounding(g, 15.668 * GB, { highs });
    assert.equal(r.status, "feasible");
    assert.ok(Math.abs((r.stats?.overhead ?? 0) - 1.0197) < 1e-3);
  });
});
