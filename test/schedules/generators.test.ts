import assert from "node:assert/strict";
import { test } from "node:test";
import { chainPlan, planFromGroups } from "../../src/plan/build-plan.js";
import { buildStageGraph } from "../../src/plan/stage-graph.js";
import type { ScheduleKind } from "../../src/plan/types.js";
import { formatSchedule } from "../../src/schedules/action-text.js";
import { dagWarmup, generateSchedule, interleavedWarmup } from "../../src/schedules/generators/index.js";
import type { Schedule } from "../../src/schedules/types.js";
import { candleLikeGraph, chainGraph } from "../plan/fixtures.js";

function lines(s: Schedule): string[] {
  return formatSchedule(s).split("\n");
}

function chain3(kind: ScheduleKind, m = 3) {
  return chainPlan(chainGraph(3), 3, { microBatch: 1, microBatches: m, schedule: kind });
}

test("GPipe: all forwards, then all backwards, on every stage", () => {
  assert.deepEqual(lines(generateSchedule(chain3("gpipe"))), [
    "d0: s0F0 s0F1 s0F2 s0B0 s0B1 s0B2",
    "d1: s1F0 s1F1 s1F2 s1B0 s1B1 s1B2",
    "d2: s2F0 s2F1 s2F2 s2B0 s2B1 s2B2",
  ]);
});

test("1F1B: stage r warms up with p − r forwards, then alternates", () => {
  assert.deepEqual(lines(generateSchedule(chain3("1f1b"))), [
    "d0: s0F0 s0F1 s0F2 s0B0 s0B1 s0B2",
    "d1: s1F0 s1F1 s1B0 s1F2 s1B1 s1B2",
    "d2: s2F0 s2B0 s2F1 s2B1 s2F2 s2B2",
  ]);
});

test("ZB-H1: split backward, stage r holds back r weight gradients until the drain", () => {
  assert.deepEqual(lines(generateSchedule(chain3("zb-h1"))), [
    "d0: s0F0 s0F1 s0F2 s0B0 s0W0 s0B1 s0W1 s0B2 s0W2",
    "d1: s1F0 s1F1 s1B0 s1F2 s1B1 s1W0 s1B2 s1W1 s1W2",
    "d2: s2F0 s2B0 s2F1 s2B1 s2F2 s2B2 s2W0 s2W1 s2W2",
  ]);
});

test("2BW: 1F1B without a drain between iterations; iteration i reads version max(i − 1, 0)", () => {
  const s = generateSchedule(chain3("2bw"), { iterations: 3 });
  assert.equal(s.iterations, 3);
  assert.deepEqual(
    lines(s)[2],
    "d2: " +
      [0, 1, 2, 3, 4, 5, 6, 7, 8]
        .map((k) => `s2F${k}^${Math.max(Math.floor(k / 3) - 1, 0)} s2B${k}^${Math.max(Math.floor(k / 3) - 1, 0)}`)
        .join(" "),
  );
  assert.match(lines(s)[0]!, /^d0: s0F0\^0 s0F1\^0 s0F2\^0 s0B0\^0 s0F3\^0 /);
});

test("async stashing: a forward reads the newest version, its backward the stashed one", () => {
  const s = generateSchedule(chain3("async-stash"), { iterations: 2 });
  assert.deepEqual(lines(s), [
    "d0: s0F0^0 s0F1^0 s0F2^0 s0B0^0 s0F3^1 s0B1^0 s0F4^2 s0B2^0 s0F5^3 s0B3^1 s0B4^2 s0B5^3",
    "d1: s1F0^0 s1F1^0 s1B0^0 s1F2^1 s1B1^0 s1F3^2 s1B2^1 s1F4^3 s1B3^2 s1F5^4 s1B4^3 s1B5^4",
    "d2: s2F0^0 s2B0^0 s2F1^1 s2B1^1 s2F2^2 s2B2^2 s2F3^3 s2B3^3 s2F4^4 s2B4^4 s2F5^5 s2B5^5",
  ]);
});

test("interleaved (Megatron): micro-batches go through the chunks in groups of p", () => {
  const plan = chainPlan(chainGraph(4), 4, {
    microBatch: 1,
    microBatches: 4,
    schedule: "interleaved",
    virtualStages: 2,
  });
  assert.deepEqual(lines(generateSchedule(plan)), [
    "d0: s0F0 s0F1 s2F0 s2F1 s0F2 s2B0 s0F3 s2B1 s2F2 s0B0 s2F3 s0B1 s2B2 s2B3 s0B2 s0B3",
    "d1: s1F0 s1F1 s3F0 s3B0 s3F1 s3B1 s1F2 s1B0 s1F3 s1B1 s3F2 s3B2 s3F3 s3B3 s1B2 s1B3",
  ]);
  assert.deepEqual(
    [0, 1].map((g) => interleavedWarmup(2, 2, 4, g)),
    [4, 2],
  );
  // m = p: every chunk's forwards first (Megatron's special case).
  assert.equal(interleavedWarmup(4, 2, 4, 3), 8);
});

test("DAG-1F1B on the CANDLE-Uno shape: warm-up 3 on the branches, 2 on the merge, 1 on the last stage", () => {
  const { graph, groups } = candleLikeGraph();
  const plan = planFromGroups(graph, groups, { microBatch: 64, microBatches: 4, schedule: "dag-1f1b" });
  assert.deepEqual(dagWarmup(plan, buildStageGraph(plan)), [3, 3, 3, 3, 2, 1]);
  assert.deepEqual(lines(generateSchedule(plan)), [
    "d0: s0F0 s0F1 s0F2 s0B0 s0F3 s0B1 s0B2 s0B3",
    "d1: s1F0 s1F1 s1F2 s1B0 s1F3 s1B1 s1B2 s1B3",
    "d2: s2F0 s2F1 s2F2 s2B0 s2F3 s2B1 s2B2 s2B3",
    "d3: s3F0 s3F1 s3F2 s3B0 s3F3 s3B1 s3B2 s3B3",
    "d4: s4F0 s4F1 s4B0 s4F2 s4B1 s4F3 s4B2 s4B3",
    "d5: s5F0 s5B0 s5F1 s5B1 s5F2 s5B2 s5F3 s5B3",
  ]);
  // Capped by the number of micro-batches.
  assert.deepEqual(dagWarmup({ ...plan, microBatches: 2 }, buildStageGraph(plan)), [2, 2, 2, 2, 2, 1]);
});

test("data-parallel replicas run their stage's sequence", () => {
  const plan = chainPlan(chainGraph(2), 2, { microBatch: 2, microBatches: 2, schedule: "1f1b", dataParallel: [2, 1] });
  assert.deepEqual(lines(generateSchedule(plan)), [
    "d0: s0F0 s0F1 s0B0 s0B1",
    "d1: s0F0 s0F1 s0B0 s0B1",
    "d2: s1F0 s1B0 s1F1 s1B1",
  ]);
});
