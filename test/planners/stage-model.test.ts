/**
 * The planners' stage model: its memory equals the cost model's stage-memory breakdown (src/cost), its time per
 * sample is the closed form of stage-model.ts, and recompute trades exactly one forward for the activations.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { stageMemory } from "../../src/cost/stage-memory.js";
import { buildProblem } from "../../src/planners/problem.js";
import { judgeStage, stageContext, stageMemBytes, sumsOfSet } from "../../src/planners/stage-model.js";
import { arbDag, graphFromEdges } from "../arbitraries.js";
import { testCluster, testCost } from "./fixtures.js";

test("stage memory equals src/cost stageMemory for random stages, degrees, in-flight counts and recompute", () => {
  fc.assert(
    fc.property(
      arbDag({ minOps: 2, maxOps: 12 }),
      fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
      fc.constantFrom(1, 2, 4, 8),
      fc.integer({ min: 1, max: 9 }),
      fc.boolean(),
      (graph, pick, b, inFlight, recompute) => {
        const cluster = testCluster(1e12);
        const p = buildProblem(graph, testCost(cluster.device), 8, { mergeGlue: false });
        const units = graph.ops.map((_, i) => i).filter((i) => pick[i]);
        fc.pre(units.length > 0);
        const inSet = new Uint8Array(p.units.count);
        for (const u of units) inSet[u] = 1;
        const sums = sumsOfSet(p, units, inSet);
        for (const d of [1, 2, 4, 8].filter((x) => x <= b)) {
          const ctx = stageContext(p, cluster, {
            microBatch: b,
            microBatches: 8,
            devices: 8,
            dataParallel: true,
            bytesPerParam: 16,
          });
          const ops = units.map((u) => graph.ops[u]!);
          const reference = stageMemory(ops, {
            graph,
            samplesPerDevice: b / d,
            inFlight,
            recompute: recompute ? "full" : "none",
          }).totalBytes;
          const mine = stageMemBytes(sums, d, ctx, inFlight, recompute);
          assert.ok(Math.abs(mine - reference) <= 1e-9 * reference + 1e-6, `${mine} vs ${reference}`);
        }
      },
    ),
    { numRuns: 150, seed: 11 },
  );
});

test("time per sample: [T(s) + p2p(in·s) + p2p(out·s) + (allReduce + step)/m] / b, recompute adds F(s)", () => {
  const cluster = testCluster(1e12, 4, 2);
  const graph = graphFromEdges(5, [
    [0, 1],
    [1, 2],
    [2, 3],
    [3, 4],
  ]);
  const p = buildProblem(graph, testCost(cluster.device), 4, { mergeGlue: false });
  const ctx = stageContext(p, cluster, {
    microBatch: 4,
    microBatches: 8,
    devices: 8,
    dataParallel: true,
    bytesPerParam: 16,
  });
  const units = [1, 2];
  const inSet = new Uint8Array(p.units.count);
  for (const u of units) inSet[u] = 1;
  const s = sumsOfSet(p, units, inSet);
  const v = { tpsSec: 0, tpsRecomputeSec: 0, maxInFlight: 0, maxInFlightRecompute: 0 };
  judgeStage(s, 2, ctx, v);
  const k = p.sampleSizes.indexOf(2);
  const p2p = (bytes: number) => (bytes > 0 ? ctx.p2pLatencySec + bytes / ctx.p2pBytesPerSec : 0);
  const ar = ctx.allReduceAlpha[2]! + ctx.allReduceBeta[2]! * s.paramBytes;
  const base =
    s.timeSec[k]! +
    p2p(s.inBytesPerSample * 2) +
    p2p(s.outBytesPerSample * 2) +
    (ar + s.params * ctx.stepSecPerParam) / 8;
  assert.ok(Math.abs(v.tpsSec - base / 4) <= 1e-15);
  assert.ok(Math.abs(v.tpsRecomputeSec - (base + s.fwdSec[k]!) / 4) <= 1e-15);
  assert.ok(s.inBytesPerSample > 0 && s.outBytesPerSample > 0, "the stage has both boundaries");
  // Two nodes of 4: 1 of the 7 boundaries of a chain on 8 devices crosses nodes.
  const secPerByte = 6 / 7 / cluster.intra.bytesPerSec + 1 / 7 / cluster.inter.bytesPerSec;
  assert.ok(Math.abs(ctx.p2pBytesPerSec - 1 / secPerByte) <= 1e-6 * ctx.p2pBytesPerSec);
});
