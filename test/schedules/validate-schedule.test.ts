import assert from "node:assert/strict";
import { test } from "node:test";
import { chainPlan } from "../../src/plan/build-plan.js";
import { parseAction } from "../../src/schedules/action-text.js";
import { dryRun } from "../../src/schedules/dry-run.js";
import { generateSchedule } from "../../src/schedules/generators/index.js";
import { lowerSchedule } from "../../src/schedules/passes/lower.js";
import type { Action, Schedule } from "../../src/schedules/types.js";
import { validateSchedule } from "../../src/schedules/validate-schedule.js";
import { chainGraph } from "../plan/fixtures.js";

const g = chainGraph(2);
const plan = chainPlan(g, 2, { microBatch: 1, microBatches: 2, schedule: "1f1b" });

/** A schedule written as text rows, one per device (test fixtures in the action text form). */
function fromRows(level: Schedule["level"], rows: string[][]): Schedule {
  return {
    kind: "1f1b",
    level,
    microBatches: 2,
    actions: rows.map((r, d) => r.map((t) => parseAction(t, d) as Action)),
  };
}

test("a generated schedule is valid at both levels", () => {
  const compute = generateSchedule(plan);
  assert.deepEqual(validateSchedule(compute, plan), []);
  assert.deepEqual(validateSchedule(lowerSchedule(compute, plan, g), plan), []);
});

test("backward before forward: schedule-order at the backward, with the grid marked there", () => {
  const s = fromRows("compute", [
    ["s0F0", "s0B1", "s0F1", "s0B0"],
    ["s1F0", "s1B0", "s1F1", "s1B1"],
  ]);
  const issues = validateSchedule(s, plan);
  assert.deepEqual(
    issues.map((i) => [i.code, i.path]),
    [["schedule-order", ["actions", 0, 1]]],
  );
  assert.match(issues[0]!.grid!, /\[s0B1\].*<-- ERROR HERE \(step 1\)/);
});

test("missing and duplicated micro-batches: schedule-count", () => {
  const s = fromRows("compute", [
    ["s0F0", "s0F0", "s0B0", "s0B1"],
    ["s1F0", "s1B0", "s1F1", "s1B1"],
  ]);
  const codes = validateSchedule(s, plan).map((i) => i.code);
  assert.ok(codes.includes("schedule-count"));
  assert.ok(validateSchedule(s, plan).some((i) => i.message.includes("appears twice")));
});

test("a stage on a device that does not hold it: schedule-placement", () => {
  const s = fromRows("compute", [
    ["s0F0", "s0F1", "s0B0", "s0B1", "s1F0"],
    ["s1F0", "s1B0", "s1F1", "s1B1"],
  ]);
  assert.deepEqual(
    validateSchedule(s, plan)
      .filter((i) => i.code === "schedule-placement")
      .map((i) => i.path),
    [["actions", 0, 4]],
  );
});

test("lowered: a receive without a send, a send without a receive", () => {
  const lowered = lowerSchedule(generateSchedule(plan), plan, g);
  const broken: Schedule = {
    ...lowered,
    actions: lowered.actions.map((list) =>
      list.filter((a) => !(a.kind === "send" && a.microBatch === 1 && a.tensor === "act")),
    ),
  };
  const issues = validateSchedule(broken, plan);
  assert.deepEqual(
    issues.map((i) => [i.code, i.path?.[1]]),
    [["schedule-count", 1]],
  );
  assert.match(issues[0]!.message, /no matching send/);
  // The dry run cannot finish it either and says who waits for what.
  const run = dryRun(broken, plan);
  assert.equal(run.ok, false);
  assert.deepEqual(run.blocked?.[0]?.waitsFor, "d1 s1sendB1→s0@0#128");
  assert.deepEqual(run.blocked?.[1], {
    device: 1,
    position: 4,
    action: "s1recvF1←s0@0#128",
    waitsFor: "a send that does not exist",
  });
});

test("dryRun finds a deadlock: two devices each wait for the other's later send", () => {
  // d0 waits for the gradient of micro-batch 0 before sending activations of micro-batch 0.
  const s = fromRows("lowered", [
    ["s0recvB0←s1@1", "s0F0", "s0sendF0→s1@1", "s0B0"],
    ["s1recvF0←s0@0", "s1F0", "s1B0", "s1sendB0→s0@0"],
  ]);
  const one = { ...plan, microBatches: 1 };
  const run = dryRun({ ...s, microBatches: 1 }, one, { grid: true });
  assert.equal(run.ok, false);
  assert.equal(run.steps, 0);
  assert.deepEqual(
    run.blocked?.map((b) => [b.device, b.action, b.waitsFor]),
    [
      [0, "s0recvB0←s1@1", "d1 s1sendB0→s0@0"],
      [1, "s1recvF0←s0@0", "d0 s0sendF0→s1@1"],
    ],
  );
});
