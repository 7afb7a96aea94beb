/**
 * Acceptance (issue 3): bubble fractions against closed forms, uniform stages and zero communication
 * (infinite bandwidth, zero latency, free optimizer step). Times are small integers, so the simulated times
 * are exact and the comparisons use a tolerance of 1e-12 only against the division.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { chainPlan } from "../../src/plan/build-plan.js";
import type { ScheduleKind } from "../../src/plan/types.js";
import { simulatePlan } from "../../src/sim/simulate.js";
import type { SimResult } from "../../src/sim/types.js";
import { chainGraph, testCluster, uniformCost } from "../plan/fixtures.js";

const cluster = testCluster();

function run(kind: ScheduleKind, p: number, m: number, fwd = 1, bwd = 2, v = 1): SimResult {
  const g = chainGraph(p * v);
  const plan = chainPlan(g, p * v, { microBatch: 1, microBatches: m, schedule: kind, virtualStages: v });
  return simulatePlan(plan, g, cluster, uniformCost(cluster, fwd, bwd));
}

function assertBubble(r: SimResult, expected: number, label: string): void {
  assert.equal(r.status, "ok", label);
  for (const d of r.devices) {
    assert.ok(
      Math.abs(d.bubbleFraction - expected) < 1e-12,
      `${label} device ${d.device}: ${d.bubbleFraction} ≠ ${expected}`,
    );
  }
}

for (const kind of ["gpipe", "1f1b"] as const) {
  test(`${kind}: bubble = (p−1)/(m+p−1) for p ∈ {2,4,8}, m ∈ {p, 2p, 8p}`, () => {
    let cases = 0;
    for (const p of [2, 4, 8]) {
      for (const m of [p, 2 * p, 8 * p]) {
        const r = run(kind, p, m);
        assertBubble(r, (p - 1) / (m + p - 1), `${kind} p=${p} m=${m}`);
        // Iteration = (m + p − 1)(T_F + T_B) with T_F = 1, T_B = 2.
        assert.equal(r.iterationSec, 3 * (m + p - 1));
        cases++;
      }
    }
    assert.equal(cases, 9);
  });
}

test("interleaved with v chunks: bubble = (p−1)/(v·m+p−1), for several backward/forward ratios", () => {
  for (const [fwd, bwd] of [
    [1, 2],
    [1, 1],
    [2, 3],
  ] as const) {
    for (const p of [2, 4, 8]) {
      for (const v of [2, 3]) {
        for (const m of [p, 2 * p, 8 * p]) {
          assertBubble(
            run("interleaved", p, m, fwd, bwd, v),
            (p - 1) / (v * m + p - 1),
            `p=${p} v=${v} m=${m} ${fwd}/${bwd}`,
          );
        }
      }
    }
  }
});

test("ZB-H1: bubble per device (p−1)(T_F+T_B−T_W) when T_W ≤ T_F (bamboo-and-schedules.md B.1)", () => {
  // bwd is split evenly: T_B = T_W = bwd/2 for ops with weights.
  for (const [fwd, bwd] of [
    [1, 2], // T_F = T_B = T_W: (p−1)/(3m+p−1)
    [2, 2],
    [1, 1.5],
  ] as const) {
    const [tb, tw] = [bwd / 2, bwd / 2];
    for (const p of [2, 4, 8]) {
      for (const m of [p, 2 * p, 8 * p]) {
        const bubble = (p - 1) * (fwd + tb - tw);
        assertBubble(run("zb-h1", p, m, fwd, bwd), bubble / (m * (fwd + tb + tw) + bubble), `p=${p} m=${m}`);
      }
    }
  }
  // Equal times: the README's (p−1)/(3m) bubble rate, i.e. a third of 1F1B's.
  const r = run("zb-h1", 4, 8);
  assert.equal(r.iterationSec, 8 * 3 + 3);
});

test("ZB-H1 with T_W > T_F: the backward chain (p−1)·T_B sets the bubble instead", () => {
  const [fwd, bwd, p, m] = [1, 4, 4, 8];
  const bubble = (p - 1) * (bwd / 2);
  assertBubble(run("zb-h1", p, m, fwd, bwd), bubble / (m * (fwd + bwd) + bubble), "T_W = 2 > T_F = 1");
});

test("no-flush schedules have no bubble in their steady state; flushed ones pay (p−1) slots", () => {
  for (const kind of ["2bw", "async-stash"] as const) {
    const r = run(kind, 4, 8);
    assert.equal(r.iterations, 4);
    assert.equal(r.iterationSec, 8 * 3);
    assertBubble(r, 0, kind);
    assert.ok(r.windowSec[0] > 0 && r.windowSec[1] < r.makespanSec);
  }
});

test("DAG-1F1B on a chain is 1F1B", () => {
  const a = run("dag-1f1b", 4, 8);
  const b = run("1f1b", 4, 8);
  assert.equal(a.iterationSec, b.iterationSec);
  assert.deepEqual(
    a.stages.map((s) => s.warmup),
    b.stages.map((s) => s.warmup),
  );
});
