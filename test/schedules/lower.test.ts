import assert from "node:assert/strict";
import { test } from "node:test";
import { chainPlan, planFromGroups } from "../../src/plan/build-plan.js";
import type { Plan } from "../../src/plan/types.js";
import { formatSchedule } from "../../src/schedules/action-text.js";
import { dryRun } from "../../src/schedules/dry-run.js";
import { generateSchedule } from "../../src/schedules/generators/index.js";
import { lowerSchedule } from "../../src/schedules/passes/lower.js";
import { mergeBW } from "../../src/schedules/passes/merge-bw.js";
import { validateSchedule } from "../../src/schedules/validate-schedule.js";
import { candleLikeGraph, chainGraph } from "../plan/fixtures.js";

test("1F1B over a stage of 1 and a stage of 2 replicas: sends split the micro-batch by sample range", () => {
  const g = chainGraph(2);
  const plan = chainPlan(g, 2, { microBatch: 4, microBatches: 2, schedule: "1f1b", dataParallel: [1, 2] });
  const lowered = lowerSchedule(generateSchedule(plan), plan, g);
  assert.equal(lowered.level, "lowered");
  // 64 fp16 features = 128 bytes per sample; each replica gets 2 of the 4 samples.
  assert.deepEqual(formatSchedule(lowered).split("\n"), [
    "d0: s0F0 s0sendF0→s1@1#256 s0sendF0→s1@2#256 s0F1 s0sendF1→s1@1#256 s0sendF1→s1@2#256 s0recvB0←s1@1#256 s0recvB0←s1@2#256 s0B0 s0recvB1←s1@1#256 s0recvB1←s1@2#256 s0B1 s0step",
    "d1: s1recvF0←s0@0#256 s1F0 s1B0 s1sendB0→s0@0#256 s1recvF1←s0@0#256 s1F1 s1B1 s1sendB1→s0@0#256 s1allreduce#8192 s1step",
    "d2: s1recvF0←s0@0#256 s1F0 s1B0 s1sendB0→s0@0#256 s1recvF1←s0@0#256 s1F1 s1B1 s1sendB1→s0@0#256 s1allreduce#8192 s1step",
  ]);
  assert.deepEqual(validateSchedule(lowered, plan), []);
  assert.deepEqual(dryRun(lowered, plan), { ok: true, steps: 14 });
});

test("a merge stage receives from every branch; a branch stage sends to its one successor", () => {
  const { graph, groups } = candleLikeGraph();
  const plan = planFromGroups(graph, groups, { microBatch: 2, microBatches: 2, schedule: "dag-1f1b" });
  const lowered = lowerSchedule(generateSchedule(plan), plan, graph);
  const merge = lowered.actions[4]!.map((a) => a.kind + (a.peerStage ?? ""));
  assert.deepEqual(merge.slice(0, 6), ["recvs0", "recvs1", "recvs2", "recvs3", "F", "sends5"]);
  assert.deepEqual(validateSchedule(lowered, plan), []);
  assert.equal(dryRun(lowered, plan).ok, true);
});

test("recompute stages get R before each B; no-flush schedules step per window with the new version", () => {
  const g = chainGraph(4);
  const plan: Plan = chainPlan(g, 2, { microBatch: 1, microBatches: 2, schedule: "2bw", recompute: "full" });
  const lowered = lowerSchedule(generateSchedule(plan, { iterations: 2 }), plan, g);
  const d1 = formatSchedule(lowered).split("\n")[1]!;
  assert.match(d1, /s1R0\^0 s1B0\^0/);
  assert.match(d1, /s1step1\^1/);
  assert.match(d1, /s1step3\^2$/);
  const async = chainPlan(g, 2, { microBatch: 1, microBatches: 2, schedule: "async-stash" });
  const la = lowerSchedule(generateSchedule(async, { iterations: 1 }), async, g);
  assert.deepEqual(
    la.actions[1]!.filter((a) => a.kind === "step").map((a) => [a.microBatch, a.version]),
    [
      [0, 1],
      [1, 2],
    ],
  );
  assert.deepEqual(validateSchedule(lowered, plan), []);
});

test("lowering twice is refused: its input must be compute-only", () => {
  const g = chainGraph(2);
  const plan = chainPlan(g, 2, { microBatch: 1, microBatches: 1, schedule: "gpipe" });
  const lowered = lowerSchedule(generateSchedule(plan), plan, g);
  assert.throws(() => lowerSchedule(lowered, plan, g), /compute-only/);
  assert.throws(() => lowerSchedule({ ...lowered, level: "compute" }, plan, g), /holds a "send"/);
});

test("mergeBW fuses a W into the B right before it and leaves deferred W's alone", () => {
  const g = chainGraph(2);
  const plan = chainPlan(g, 2, { microBatch: 1, microBatches: 2, schedule: "zb-h1" });
  const merged = mergeBW(generateSchedule(plan));
  assert.deepEqual(formatSchedule(merged).split("\n"), [
    "d0: s0F0 s0F1 s0B0 s0B1",
    "d1: s1F0 s1B0 s1F1 s1B1 s1W0 s1W1",
  ]);
});
