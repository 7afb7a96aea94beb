/** The knapsack lower bound: exact on unit chains above their floor, and never above an achievable overhead. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkpointAll } from "../../src/remat/baselines/simple.js";
import { evaluateSchedule } from "../../src/remat/evaluate-schedule.js";
import { recomputeLowerBound } from "../../src/remat/lower-bound.js";
import { unitChain } from "../../src/remat/unit-chain.js";
import { checkmateGraph, GB, skipWithoutCheckmate } from "./checkmate-graphs.js";

test("unit chain N = 16: the bound equals the §8.5 optimum from B = 7 up, and says infeasible below the floor", () => {
  const g = unitChain(16);
  const optimum: Record<number, number> = { 7: 44, 8: 43, 10: 41, 12: 39, 15: 36, 18: 33 };
  for (const [b, want] of Object.entries(optimum)) {
    assert.ok(Math.abs(recomputeLowerBound(g, Number(b)).overhead * 33 - want) < 1e-9, `B=${b}`);
  }
  // Below B = 7 the optimum grows faster than the bound (153 at B = 3): still a bound.
  assert.ok(recomputeLowerBound(g, 3).overhead * 33 <= 153);
  assert.equal(recomputeLowerBound(g, 1).overhead, Number.POSITIVE_INFINITY);
  assert.equal(recomputeLowerBound(g, evaluateSchedule(g, checkpointAll(g)).stats.activationBytes).overhead, 1);
});

test("Checkmate graphs: below the proven optima of research note §8.2 / §8.4", { skip: skipWithoutCheckmate }, () => {
  for (const [m, budget, optimum] of [
    ["vgg16", 15.668, 1.0077],
    ["vgg19", 14.645, 1.0263],
    ["unet", 13.77, 1.0352],
    ["fcn8", 8.883, 1.0162],
    ["mobilenet", 22.696, 1.0081],
  ] as const) {
    const lb = recomputeLowerBound(checkmateGraph(m), budget * GB).overhead;
    assert.ok(lb > 1 && lb <= optimum + 1e-4, `${m}: ${lb}`);
  }
});
