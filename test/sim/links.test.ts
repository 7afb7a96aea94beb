/** Transfers over links: latency + bytes / bandwidth, shared bandwidth, and the data-parallel all-reduce. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { allReduceSec } from "../../src/hardware/comm.js";
import { chainPlan } from "../../src/plan/build-plan.js";
import { simulatePlan } from "../../src/sim/simulate.js";
import { chainGraph, testCluster, uniformCost } from "../plan/fixtures.js";

// 64 fp16 features: 128 bytes per sample cross each stage edge.
const BYTES_PER_SAMPLE = 128;

test("one transfer each way between two nodes: latency + bytes / bandwidth", () => {
  const g = chainGraph(2);
  const plan = chainPlan(g, 2, { microBatch: 4, microBatches: 1, schedule: "gpipe" });
  const inter = { bytesPerSec: 1024, latencySec: 0.25 };
  const cluster = testCluster({ nodes: 2, devicesPerNode: 1, inter });
  const r = simulatePlan(plan, g, cluster, uniformCost(cluster, 1, 2));
  const transfer = 0.25 + (4 * BYTES_PER_SAMPLE) / 1024;
  // F0 (4 s), transfer, F1 (4 s), B1 (8 s), transfer back, B0 (8 s).
  assert.equal(r.iterationSec, 4 + transfer + 4 + 8 + transfer + 8);
  assert.equal(r.criticalPath.length, 8, "F, send/recv, F, B, send/recv, B, step");
  assert.equal(r.criticalPath[0]!.startSec, 0);
  assert.equal(r.criticalPath[r.criticalPath.length - 1]!.endSec, r.makespanSec);
});

test("two transfers through one node's adapters share its bandwidth", () => {
  const g = chainGraph(2);
  // Stage 0 on devices 0, 1 (node 0), stage 1 on devices 2, 3 (node 1): two transfers leave node 0 at once.
  const plan = chainPlan(g, 2, { microBatch: 2, microBatches: 1, schedule: "gpipe", dataParallel: 2 });
  const inter = { bytesPerSec: 512, latencySec: 0 };
  const shared = testCluster({ nodes: 2, devicesPerNode: 2, inter });
  const apart = { ...shared, interNodeBytesPerSec: 2 * 512 };
  const cost = uniformCost(shared, 1, 2);
  const a = simulatePlan(plan, g, { ...shared, interNodeBytesPerSec: 512 }, cost);
  const b = simulatePlan(plan, g, apart, cost);
  // Each transfer moves 128 bytes: 0.25 s alone, 0.5 s when two share 512 B/s; once forward, once back.
  assert.equal(a.iterationSec - b.iterationSec, 2 * (0.5 - 0.25));
});

test("the all-reduce of a replicated stage takes allReduceSec and overlaps the other stage's backward", () => {
  const g = chainGraph(2);
  const plan = chainPlan(g, 2, { microBatch: 2, microBatches: 4, schedule: "1f1b", dataParallel: [1, 2] });
  const slow = testCluster({ devicesPerNode: 8, intra: { bytesPerSec: 8192, latencySec: 0 } });
  const cost = uniformCost(slow, 1, 2);
  const r = simulatePlan(plan, g, slow, cost, { recordEvents: true });
  const ar = r.events?.filter((e) => e.kind === "allreduce") ?? [];
  assert.equal(ar.length, 2, "one per replica");
  const gradBytes = 64 * 64 * 2;
  for (const e of ar) assert.equal(e.endSec - e.startSec, allReduceSec(slow, [1, 2], gradBytes));
  assert.ok(ar.every((e) => e.stream === "allreduce"));
  // It starts after stage 1's last backward, while stage 0 still runs its own.
  const lastB0 = r.events!.filter((e) => e.action === "s0B3")[0]!;
  assert.ok(ar[0]!.startSec < lastB0.endSec && ar[0]!.endSec > lastB0.startSec, "overlaps");
});
