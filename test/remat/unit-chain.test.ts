/**
 * Exact oracles on Checkmate's unit-cost linear chains (research note §8.5): costs count node evaluations,
 * memory counts live tensors. Checkpoint-all, Chen √n and the MILP optimum at every budget for N = 8, and
 * the fast budgets for N = 16 (the slow N = 16 points are in bench/remat.bench.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkpointAll, chenSqrt } from "../../src/remat/baselines/simple.js";
import { evaluateSchedule } from "../../src/remat/evaluate-schedule.js";
import { loadHighs } from "../../src/remat/milp/run-highs.js";
import { solveMilp } from "../../src/remat/milp/solve-milp.js";
import { unitChain } from "../../src/remat/unit-chain.js";

describe("unit-cost chain baselines", () => {
  for (const [N, all, sqrt] of [
    [8, { cost: 17, peak: 10 }, { cost: 21, peak: 7 }],
    [16, { cost: 33, peak: 18 }, { cost: 45, peak: 10 }],
  ] as const) {
    test(`N = ${N}: checkpoint all and Chen √n`, () => {
      const g = unitChain(N);
      const a = evaluateSchedule(g, checkpointAll(g));
      assert.deepEqual(a.issues, []);
      assert.equal(a.stats.cost, all.cost);
      assert.equal(a.stats.activationBytes, all.peak);
      const s = evaluateSchedule(g, chenSqrt(g, true));
      assert.deepEqual(s.issues, []);
      assert.equal(s.stats.cost, sqrt.cost);
      assert.equal(s.stats.activationBytes, sqrt.peak);
    });
  }
});

describe("unit-cost chain MILP optima", async () => {
  const highs = await loadHighs();
  const cases: [number, number, number | "infeasible"][] = [
    [8, 2, "infeasible"],
    [8, 3, 45],
    [8, 4, 26],
    [8, 5, 22],
    [8, 6, 21],
    [8, 7, 20],
    [8, 8, 19],
    [8, 9, 18],
    [8, 10, 17],
    [16, 15, 36],
    [16, 16, 35],
    [16, 17, 34],
    [16, 18, 33],
  ];
  for (const [N, budget, want] of cases) {
    test(`N = ${N}, budget ${budget} live tensors → ${want}`, async () => {
      const g = unitChain(N);
      const r = await solveMilp(g, budget, { highs, timeLimitSec: 60 });
      if (want === "infeasible") {
        assert.equal(r.status, "infeasible");
        assert.equal(r.schedule, undefined);
        return;
      }
      assert.equal(r.status, "optimal", r.note);
      assert.ok(r.schedule && r.stats);
      assert.equal(r.stats.cost, want);
      // The memory simulation, not the solver, certifies the budget.
      const check = evaluateSchedule(g, r.schedule, budget);
      assert.deepEqual(check.issues, []);
      assert.ok(check.stats.activationBytes <= budget);
    });
  }

  test("a time limit keeps the best schedule found, with the bound proven so far", async () => {
    const g = unitChain(16);
    let progressCalls = 0;
    const r = await solveMilp(g, 5, { highs, timeLimitSec: 2, onProgress: () => progressCalls++ });
    assert.equal(r.status, "feasible");
    assert.ok(r.schedule && r.stats);
    assert.deepEqual(evaluateSchedule(g, r.schedule, 5).issues, []);
    // §8.5: the optimum at B = 5 is at most 53; the bound is a proof, the schedule an upper bound.
    assert.ok((r.lowerBoundOverhead ?? 0) * 33 <= 53 + 1e-6);
    assert.ok(r.stats.cost >= (r.lowerBoundOverhead ?? 0) * 33 - 1e-6);
    assert.ok(progressCalls > 0);
  });

  test("from B = 5 (N = 8) every missing slot costs exactly one recomputation", async () => {
    const N = 8;
    const g = unitChain(N);
    const peakAll = evaluateSchedule(g, checkpointAll(g)).stats.activationBytes;
    for (const budget of [5, 7, 9]) {
      const r = await solveMilp(g, budget, { highs });
      assert.equal(r.stats?.cost, 2 * N + 1 + (peakAll - budget));
    }
  });
});
