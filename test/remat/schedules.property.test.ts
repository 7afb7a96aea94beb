/**
 * Laws over random training graphs (random DAGs from test/arbitraries.ts through the Checkmate extractor
 * rules): the cheapest R for any S executes validly; every baseline executes validly; every MILP schedule
 * passes the independent memory simulation at its budget and is no costlier than any baseline that fits the
 * MILP's memory accounting; the proven bound never exceeds what was found.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { chenGreedySweep } from "../../src/remat/baselines/chen-greedy.js";
import {
  checkpointAll,
  checkpointArticulationPoints,
  checkpointLastNode,
  chenSqrt,
} from "../../src/remat/baselines/simple.js";
import { evaluateSchedule } from "../../src/remat/evaluate-schedule.js";
import { recomputeLowerBound } from "../../src/remat/lower-bound.js";
import { memoryFloorBytes } from "../../src/remat/memory-floor.js";
import { buildRematModel } from "../../src/remat/milp/build-model.js";
import { loadHighs } from "../../src/remat/milp/run-highs.js";
import { solveMilp } from "../../src/remat/milp/solve-milp.js";
import { solutionFromSchedule } from "../../src/remat/milp/warm-start.js";
import { scheduleCost, solveR } from "../../src/remat/solve-r.js";
import { trainingGraphFromGraph } from "../../src/remat/training-graph.js";
import type { RematSchedule, TrainingGraph } from "../../src/remat/types.js";
import { arbDagCase } from "../arbitraries.js";

/**
 * Random DAG → training graph, with output sizes of 1..4 units so that budgets bind often, and scratch
 * bytes (0..2) on some nodes.
 */
const arbTrainingGraph = (maxOps: number): fc.Arbitrary<TrainingGraph> =>
  fc
    .tuple(
      arbDagCase({ minOps: 1, maxOps }),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 64, maxLength: 64 }),
      fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 64, maxLength: 64 }),
      fc.array(fc.integer({ min: -4, max: 2 }), { minLength: 64, maxLength: 64 }),
    )
    .map(([c, sizes, costs, works]) => {
      const r = trainingGraphFromGraph(c.graph, { batch: 1 });
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      const g = r.value;
      const n = g.nodes.length;
      const L = (n - 1) / 2;
      const forwardOf = (i: number) => (i < L ? i : n - 1 - i);
      const nodes = g.nodes.map((x, i) =>
        i === L
          ? { ...x, memBytes: 1 }
          : { ...x, memBytes: sizes[forwardOf(i)]!, cost: costs[i % 64]!, workBytes: Math.max(0, works[i % 64]!) },
      );
      return { ...g, nodes };
    });

function baselines(g: TrainingGraph): RematSchedule[] {
  return [
    checkpointAll(g),
    checkpointArticulationPoints(g),
    checkpointLastNode(g),
    chenSqrt(g, true),
    chenSqrt(g, false),
    ...chenGreedySweep(g, false, 0.25).map((r) => r.schedule),
    ...chenGreedySweep(g, true, 0.25).map((r) => r.schedule),
  ];
}

describe("schedule laws", () => {
  test("the cheapest R for any S executes validly and costs Σ R·C", () => {
    fc.assert(
      fc.property(arbTrainingGraph(12), fc.array(fc.boolean(), { minLength: 700, maxLength: 700 }), (g, bits) => {
        const n = g.nodes.length;
        const S = new Uint8Array(n * n);
        let k = 0;
        for (let t = 0; t < n; t++) for (let i = 0; i < t; i++) S[t * n + i] = bits[k++ % bits.length] ? 1 : 0;
        const R = solveR(g, S);
        const v = evaluateSchedule(g, { R, S });
        assert.deepEqual(v.issues, []);
        assert.equal(v.stats.cost, scheduleCost(g, R));
        assert.ok(v.stats.activationBytes >= memoryFloorBytes(g).bytes);
      }),
      { numRuns: 150 },
    );
  });

  test("the knapsack bound never exceeds the overhead of a schedule that fits", () => {
    fc.assert(
      fc.property(arbTrainingGraph(12), (g) => {
        for (const s of baselines(g)) {
          const v = evaluateSchedule(g, s);
          assert.ok(recomputeLowerBound(g, v.stats.activationBytes).overhead <= v.stats.overhead + 1e-12);
        }
      }),
      { numRuns: 100 },
    );
  });

  test("every baseline executes validly and never beats checkpoint-all's cost", () => {
    fc.assert(
      fc.property(arbTrainingGraph(12), (g) => {
        const base = evaluateSchedule(g, checkpointAll(g)).stats;
        assert.equal(base.overhead, 1);
        for (const s of baselines(g)) {
          const v = evaluateSchedule(g, s);
          assert.deepEqual(v.issues, []);
          assert.ok(v.stats.cost >= base.cost);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("MILP laws", async () => {
  const highs = await loadHighs();
  test("MILP schedules fit their budget and are no costlier than any baseline it could have used", async () => {
    let recomputed = 0;
    let infeasible = 0;
    await fc.assert(
      fc.asyncProperty(arbTrainingGraph(7), fc.integer({ min: 0, max: 100 }), async (g, k) => {
        const floor = memoryFloorBytes(g).bytes;
        const top = evaluateSchedule(g, checkpointAll(g)).stats.activationBytes;
        // One case in ten below the floor; the rest between the floor and checkpoint-all's memory, most
        // near the floor where recomputation is forced.
        const budget = k < 10 ? floor - 1 : Math.floor(floor + ((k - 10) / 90) ** 2 * (top - floor));
        const r = await solveMilp(g, budget, { highs, timeLimitSec: 20 });
        if (r.status === "infeasible") {
          infeasible++;
          return;
        }
        assert.equal(r.status, "optimal", r.note);
        assert.ok(r.schedule && r.stats);
        assert.deepEqual(evaluateSchedule(g, r.schedule, budget).issues, []);
        assert.ok((r.lowerBoundOverhead ?? 1) <= r.stats.overhead + 1e-9);
        // The knapsack bound is below what the MILP achieved, and below every baseline that fits.
        const lb = recomputeLowerBound(g, budget).overhead;
        assert.ok(lb <= r.stats.overhead + 1e-9, `bound ${lb} above the optimum ${r.stats.overhead}`);
        if (r.stats.overhead > 1) recomputed++;
        const { model, layout } = buildRematModel(g, budget);
        for (const s of baselines(g)) {
          if (!solutionFromSchedule(g, model, layout, s)) continue;
          const c = evaluateSchedule(g, s).stats.cost;
          assert.ok(r.stats.cost <= c * (1 + 1e-4) + 1e-9, `MILP ${r.stats.cost} > baseline ${c}`);
        }
      }),
      { numRuns: 60 },
    );
    assert.ok(recomputed > 0, `some budgets forced recomputation (${recomputed} of 60)`);
    assert.ok(infeasible > 0, "some budgets were infeasible");
  });
});
