/** Chain coarsening: the coarse graph keeps the layout, and every expanded coarse schedule executes on the real graph. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { buildZooModel } from "../../src/models/index.js";
import { checkpointAll, checkpointLastNode, chenSqrt } from "../../src/remat/baselines/simple.js";
import { coarsenChains, expandSchedule } from "../../src/remat/coarsen.js";
import { evaluateSchedule } from "../../src/remat/evaluate-schedule.js";
import { loadHighs } from "../../src/remat/milp/run-highs.js";
import { solveCoarsened } from "../../src/remat/solve-coarsened.js";
import { solveR } from "../../src/remat/solve-r.js";
import { trainingGraphFromGraph } from "../../src/remat/training-graph.js";
import { checkTrainingGraph, totalCost } from "../../src/remat/training-graph-layout.js";
import { unitChain } from "../../src/remat/unit-chain.js";
import { arbDagCase } from "../arbitraries.js";

const zoo = (name: string, batch: number) => {
  const r = trainingGraphFromGraph(buildZooModel(name, []), { batch });
  if (!r.ok) throw new Error(name);
  return r.value;
};

describe("coarsenChains", () => {
  test("a unit chain of 16 collapses to one forward group; costs are kept", () => {
    const c = coarsenChains(unitChain(16), Number.POSITIVE_INFINITY);
    assert.equal(c.coarse.nodes.length, 3);
    assert.equal(c.coarse.nodes[0]?.memBytes, 16);
    assert.equal(totalCost(c.coarse), 33);
    const c4 = coarsenChains(unitChain(16), 4);
    assert.equal(c4.coarse.nodes.length, 9);
    assert.deepEqual(checkTrainingGraph(c4.coarse), []);
  });

  test("zoo ResNet-50: coarse graph valid; expanded baselines execute on the real graph", () => {
    const g = zoo("resnet50", 2);
    const c = coarsenChains(g, Number.POSITIVE_INFINITY);
    assert.ok(c.coarse.nodes.length < g.nodes.length / 3);
    assert.deepEqual(checkTrainingGraph(c.coarse), []);
    assert.equal(totalCost(c.coarse), totalCost(g));
    for (const s of [checkpointAll(c.coarse), chenSqrt(c.coarse, false), checkpointLastNode(c.coarse)]) {
      const fine = expandSchedule(c, g, s);
      assert.deepEqual(evaluateSchedule(g, fine).issues, []);
    }
  });

  test("any coarse S expands to a valid fine execution (random DAGs, random S)", () => {
    fc.assert(
      fc.property(
        arbDagCase({ minOps: 2, maxOps: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }),
        (dag, maxGroup, bits) => {
          const built = trainingGraphFromGraph(dag.graph, { batch: 1 });
          assert.ok(built.ok);
          const g = built.value;
          const c = coarsenChains(g, maxGroup);
          const nc = c.coarse.nodes.length;
          const S = new Uint8Array(nc * nc);
          let k = 0;
          for (let t = 0; t < nc; t++) for (let i = 0; i < t; i++) S[t * nc + i] = bits[k++ % 300] ? 1 : 0;
          const coarse = { R: solveR(c.coarse, S), S };
          assert.deepEqual(evaluateSchedule(c.coarse, coarse).issues, []);
          assert.deepEqual(evaluateSchedule(g, expandSchedule(c, g, coarse)).issues, []);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("solveCoarsened", async () => {
  const highs = await loadHighs();
  test("zoo ResNet-50 at 60 % of checkpoint-all's memory: a fitting schedule with its gap to the proven bound", async () => {
    const g = zoo("resnet50", 2);
    const budget = 0.6 * evaluateSchedule(g, checkpointAll(g)).stats.activationBytes;
    const r = await solveCoarsened(g, budget, { highs, timeLimitSec: 15 });
    assert.ok(r.schedule && r.stats, r.note);
    assert.deepEqual(evaluateSchedule(g, r.schedule, budget).issues, []);
    assert.ok((r.lowerBoundOverhead ?? 0) > 1 && (r.lowerBoundOverhead ?? 0) <= r.stats.overhead);
    assert.match(r.note ?? "", /gap to the proven bound/);
  });
});
