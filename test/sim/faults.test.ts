/** Faults, deadlocks and the critical path: the simulator always ends and says why. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { chainPlan } from "../../src/plan/build-plan.js";
import { parseAction } from "../../src/schedules/action-text.js";
import type { Action, Schedule } from "../../src/schedules/types.js";
import { simulate, simulatePlan } from "../../src/sim/simulate.js";
import { chainGraph, testCluster, uniformCost } from "../plan/fixtures.js";

const cluster = testCluster();
const cost = uniformCost(cluster, 1, 2);
const g = chainGraph(4);
const plan = chainPlan(g, 4, { microBatch: 1, microBatches: 8, schedule: "1f1b" });

test("a device removed mid-iteration stops a plan without redundancy: when and why", () => {
  const r = simulatePlan(plan, g, cluster, cost, { faults: [{ kind: "remove", device: 1, atSec: 10.5 }] });
  assert.equal(r.status, "stopped");
  assert.equal(r.iterationSec, 10.5);
  assert.equal(r.samplesPerSec, 0);
  const [f] = r.faults ?? [];
  assert.equal(f?.stopped, true);
  assert.equal(f?.device, 1);
  assert.deepEqual(f?.stages, ["s1"]);
  assert.ok((f?.unfinishedActions ?? 0) > 0);
});

test("removing a device the plan does not use, or after its work is done, does not stop the iteration", () => {
  const full = simulatePlan(plan, g, cluster, cost);
  // Stage 3 (last) finishes before stage 0's final backward.
  const lastDevice3 = full.makespanSec - 3 * 2;
  const r = simulatePlan(plan, g, cluster, cost, {
    faults: [
      { kind: "remove", device: 9, atSec: 1 },
      { kind: "remove", device: 3, atSec: lastDevice3 + 0.5 },
      { kind: "restore", device: 3, atSec: lastDevice3 + 1 },
    ],
  });
  assert.equal(r.status, "ok");
  assert.equal(r.iterationSec, full.iterationSec);
  assert.deepEqual(
    r.faults?.map((f) => [f.device, f.stopped, f.restoredAtSec]),
    [
      [9, false, undefined],
      [3, false, lastDevice3 + 1],
    ],
  );
});

test("a deadlocked schedule is reported with the actions that wait on each other, never a hang", () => {
  const two = chainPlan(chainGraph(2), 2, { microBatch: 1, microBatches: 2, schedule: "1f1b" });
  // d0 sends micro-batch 1 before 0, d1 receives 0 before 1: on one peer stream each, neither can go on.
  const rows = [
    ["s0F0", "s0F1", "s0sendF1→s1@1", "s0sendF0→s1@1", "s0recvB0←s1@1", "s0B0", "s0recvB1←s1@1", "s0B1"],
    ["s1recvF0←s0@0", "s1F0", "s1B0", "s1sendB0→s0@0", "s1recvF1←s0@0", "s1F1", "s1B1", "s1sendB1→s0@0"],
  ];
  const s: Schedule = {
    kind: "1f1b",
    level: "lowered",
    microBatches: 2,
    actions: rows.map((r, d) => r.map((t) => parseAction(t, d) as Action)),
  };
  const r = simulate(s, { plan: two, graph: chainGraph(2), cluster, cost });
  assert.equal(r.status, "deadlock");
  assert.equal(r.samplesPerSec, 0);
  assert.deepEqual(
    r.deadlock?.cycle.map((w) => [w.device, w.action, w.waitsFor]),
    [
      [1, "s1recvF0←s0@0", "d0 s0sendF0→s1@1"],
      [0, "s0sendF0→s1@1", "d0 s0sendF1→s1@1"],
      [0, "s0sendF1→s1@1", "d1 s1recvF1←s0@0"],
      [1, "s1recvF1←s0@0", "d1 s1recvF0←s0@0"],
    ],
  );
  assert.ok(r.deadlock!.blocked.length >= 2);
});

test("the critical path of uniform 1F1B runs from 0 to the makespan without gaps", () => {
  const r = simulatePlan(plan, g, cluster, cost);
  const path = r.criticalPath;
  assert.equal(path[0]!.startSec, 0);
  assert.equal(path[path.length - 1]!.endSec, r.makespanSec);
  for (let i = 1; i < path.length; i++) assert.ok(path[i]!.startSec >= path[i - 1]!.startSec);
  const busy = path.filter((s) => /[FB]\d+$/.test(s.action)).reduce((a, s) => a + s.endSec - s.startSec, 0);
  assert.equal(busy, r.makespanSec, "zero-time transfers: the compute on the path fills the iteration");
});
