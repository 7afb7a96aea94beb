/**
 * Acceptance (issue 3): in-flight activations and weight versions per schedule, the DAG-1F1B CANDLE-Uno plan,
 * the memory breakdown against cost/stage-memory.ts, and the overflow report (device, time, bytes over).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createCostModel } from "../../src/cost/create-cost-model.js";
import { stageMemory } from "../../src/cost/stage-memory.js";
import { buildZooModel } from "../../src/models/zoo.js";
import { chainPlan, planFromGroups } from "../../src/plan/build-plan.js";
import type { ScheduleKind } from "../../src/plan/types.js";
import { simulatePlan } from "../../src/sim/simulate.js";
import { candleLikeGraph, chainGraph, testCluster, uniformCost } from "../plan/fixtures.js";

const cluster = testCluster();
const cost = uniformCost(cluster, 1, 2);

function chainRun(kind: ScheduleKind, p: number, m: number, memBytes?: number) {
  const g = chainGraph(p);
  const plan = chainPlan(g, p, { microBatch: 2, microBatches: m, schedule: kind });
  const c = memBytes === undefined ? cluster : testCluster({ memBytes });
  return { g, plan, r: simulatePlan(plan, g, c, uniformCost(c, 1, 2)) };
}

test("peak in-flight micro-batches: 1F1B stage r holds p − r, GPipe holds m on every stage", () => {
  for (const p of [2, 4, 8]) {
    for (const m of [p, 4 * p]) {
      const f = chainRun("1f1b", p, m).r;
      assert.deepEqual(
        f.stages.map((s) => s.peakInFlightMicroBatches),
        Array.from({ length: p }, (_, r) => p - r),
      );
      const gp = chainRun("gpipe", p, m).r;
      assert.deepEqual(
        gp.stages.map((s) => s.peakInFlightMicroBatches),
        Array.from({ length: p }, () => m),
      );
    }
  }
});

test("2BW holds 2 weight versions on every stage; async stashing holds p − r on stage r", () => {
  const p = 4;
  const two = chainRun("2bw", p, 8).r;
  assert.deepEqual(
    two.stages.map((s) => s.peakWeightVersions),
    [2, 2, 2, 2],
  );
  const stash = chainRun("async-stash", p, 8).r;
  assert.deepEqual(
    stash.stages.map((s) => s.peakWeightVersions),
    [4, 3, 2, 1],
  );
  // The extra versions are in the breakdown: (versions − 1) × weight bytes of the stage (64·64 fp16 = 8192 B).
  assert.deepEqual(
    two.devices.map((d) => d.peakBreakdown.weightVersions),
    [8192, 8192, 8192, 8192],
  );
  assert.deepEqual(
    stash.devices.map((d) => d.peakBreakdown.weightVersions),
    [3 * 8192, 2 * 8192, 8192, 0],
  );
  // Flushed schedules keep one version.
  assert.ok(chainRun("1f1b", p, 8).r.stages.every((s) => s.peakWeightVersions === 1));
});

test("DAG-1F1B on the CANDLE-Uno plan: warm-up 3, 2, 1 and in-flight samples 192/128/64 at micro-batch 64", () => {
  const { graph, groups } = candleLikeGraph();
  const plan = planFromGroups(graph, groups, { microBatch: 64, microBatches: 8, schedule: "dag-1f1b" });
  const r = simulatePlan(plan, graph, cluster, cost);
  assert.equal(r.status, "ok");
  assert.deepEqual(
    r.stages.map((s) => s.warmup),
    [3, 3, 3, 3, 2, 1],
  );
  assert.deepEqual(
    r.stages.map((s) => s.peakInFlightSamples),
    [192, 192, 192, 192, 128, 64],
  );
  // The sequential 1F1B of the same six stages holds 6·64 = 384 samples on its first stage.
  const seq = simulatePlan({ ...plan, schedule: "1f1b" }, graph, cluster, cost);
  assert.deepEqual(
    seq.stages.map((s) => s.peakInFlightSamples),
    [384, 320, 256, 192, 128, 64],
  );
});

test("the memory breakdown at the peak agrees with cost/stage-memory.ts for 1F1B (static and activations)", () => {
  const p = 4;
  const { g, plan, r } = chainRun("1f1b", p, 8);
  r.devices.forEach((d, rank) => {
    const op = g.ops[rank]!;
    const expected = stageMemory([op], { samplesPerDevice: plan.microBatch, inFlight: p - rank, graph: g });
    assert.equal(d.peakBreakdown.weights, expected.weightsBytes);
    assert.equal(d.peakBreakdown.gradients, expected.gradientsBytes);
    assert.equal(d.peakBreakdown.optimizerState, expected.optimizerBytes);
    assert.equal(d.peakBreakdown.activations, expected.activationsBytes, `stage ${rank}`);
  });
});

test("a plan that does not fit: the device, the time and the bytes over", () => {
  const p = 4;
  const fits = chainRun("1f1b", p, 8).r;
  assert.equal(fits.fits, true);
  assert.deepEqual(fits.memoryOverflow, []);
  // Stage 0 holds 4 micro-batches of 2 samples × 128 saved bytes, and the output of its latest forward
  // (the same size) until it is sent: give it room for 2.5 micro-batches plus that buffer.
  const stat = fits.devices[0]!.peakBreakdown;
  const staticBytes = stat.weights + stat.gradients + stat.optimizerState;
  const perMb = 2 * 128;
  const capacity = staticBytes + 3.5 * perMb;
  const r = chainRun("1f1b", p, 8, capacity).r;
  assert.equal(r.fits, false);
  const over = r.memoryOverflow.find((o) => o.device === 0);
  assert.ok(over, "device 0 overflows");
  // The third forward ends at 3 × T_F (T_F = 2 samples × 1 s) and its activations push it over.
  assert.equal(over.atSec, 6);
  assert.equal(over.bytesOver, r.devices[0]!.peakMemBytes - capacity);
  assert.equal(over.capacityBytes, capacity);
  assert.ok(over.bytesOver > 0);
  assert.equal(r.peakMemBytes, Math.max(...r.devices.map((d) => d.peakMemBytes)));
});

test("memory returns to its start level after a flushed iteration", () => {
  for (const kind of ["gpipe", "1f1b", "zb-h1"] as const) {
    const g = chainGraph(4);
    const plan = chainPlan(g, 4, { microBatch: 2, microBatches: 6, schedule: kind, dataParallel: [1, 2, 1, 2] });
    const r = simulatePlan(plan, g, testCluster({ intra: { bytesPerSec: 1e4, latencySec: 0.01 } }), cost, {
      recordEvents: true,
    });
    const byDevice = new Map<number, number[]>();
    for (const s of r.memory ?? []) byDevice.set(s.device, [...(byDevice.get(s.device) ?? []), s.bytes]);
    assert.equal(byDevice.size, 6);
    for (const [d, samples] of byDevice) {
      assert.ok(samples.length > 2, `device ${d} has memory changes`);
      assert.ok(Math.abs(samples[samples.length - 1]! - samples[0]!) < 1e-6, `${kind} device ${d}`);
      assert.ok(Math.max(...samples) > samples[0]!);
    }
  }
});

test("recompute full keeps only the stage input per micro-batch and pays a second forward", () => {
  const g = chainGraph(8);
  const base = chainPlan(g, 2, { microBatch: 2, microBatches: 8, schedule: "1f1b" });
  const full = chainPlan(g, 2, { microBatch: 2, microBatches: 8, schedule: "1f1b", recompute: "full" });
  const a = simulatePlan(base, g, cluster, cost);
  const b = simulatePlan(full, g, cluster, cost);
  // Stage 0: 4 ops × 128 saved bytes per sample kept ×2 in flight vs its input (128 B/sample) per micro-batch.
  assert.equal(a.devices[0]!.peakBreakdown.activations, 2 * 2 * 4 * 128);
  assert.ok(b.devices[0]!.peakBreakdown.activations < a.devices[0]!.peakBreakdown.activations);
  assert.ok(b.iterationSec > a.iterationSec);
});

test("interleaved: device 0 peaks at 2(p−1) + (v−1)p + 1 chunk activations, i.e. (p + (p−1)/v) stages' worth", () => {
  for (const [p, v, m] of [
    [4, 2, 8],
    [8, 2, 16],
    [4, 3, 8],
  ] as const) {
    const g = chainGraph(p * v);
    const plan = chainPlan(g, p * v, { microBatch: 1, microBatches: m, schedule: "interleaved", virtualStages: v });
    const r = simulatePlan(plan, g, cluster, cost);
    // One chunk is one 64×64 linear: 128 saved bytes per sample.
    assert.equal(r.devices[0]!.peakBreakdown.activations / 128, 2 * (p - 1) + (v - 1) * p + 1, `p=${p} v=${v}`);
  }
});

test("the zoo's CANDLE-Uno with GraphPipe's shipped plan (4 branch stages → branch 5 + concat → top MLP)", () => {
  const graph = buildZooModel("candle-uno", ["--branches", "5", "--width", "256", "--features", "256"]);
  const ids = graph.ops.map((op) => op.id);
  const branch = (b: number) => ids.filter((id) => id.startsWith(`branch${b}.`));
  const groups = [branch(0), branch(1), branch(2), branch(3), [...branch(4), "concat"]];
  groups.push(ids.filter((id) => !groups.flat().includes(id)));
  const plan = planFromGroups(graph, groups, { microBatch: 64, microBatches: 8, schedule: "dag-1f1b" });
  const v100 = testCluster({ devicesPerNode: 8, intra: { bytesPerSec: 25e9, latencySec: 5e-6 } });
  const r = simulatePlan(plan, graph, v100, createCostModel(v100.device, { graph }));
  assert.equal(r.status, "ok");
  assert.deepEqual(
    r.stages.map((s) => s.warmup),
    [3, 3, 3, 3, 2, 1],
  );
  assert.deepEqual(
    r.stages.map((s) => s.peakInFlightSamples),
    [192, 192, 192, 192, 128, 64],
  );
  assert.ok(r.iterationSec > 0 && r.samplesPerSec > 0);
});
