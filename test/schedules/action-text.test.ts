import assert from "node:assert/strict";
import { test } from "node:test";
import { actionKey, formatAction, formatGrid, parseAction } from "../../src/schedules/action-text.js";
import type { Action } from "../../src/schedules/types.js";

const examples: [string, Action][] = [
  ["2F0", { device: 1, kind: "F", stage: "2", microBatch: 0 }],
  ["2B13", { device: 1, kind: "B", stage: "2", microBatch: 13 }],
  ["s1W3", { device: 1, kind: "W", stage: "s1", microBatch: 3 }],
  ["s1R3", { device: 1, kind: "recompute", stage: "s1", microBatch: 3 }],
  ["s1F7^2", { device: 1, kind: "F", stage: "s1", microBatch: 7, version: 2 }],
  ["1sendF3→2@5", { device: 1, kind: "send", stage: "1", microBatch: 3, peer: 5, peerStage: "2", tensor: "act" }],
  [
    "2recvB3←1@4#4096",
    { device: 1, kind: "recv", stage: "2", microBatch: 3, peer: 4, peerStage: "1", tensor: "grad", bytes: 4096 },
  ],
  ["1allreduce#1024", { device: 1, kind: "allreduce", stage: "1", microBatch: -1, bytes: 1024 }],
  ["1step", { device: 1, kind: "step", stage: "1", microBatch: -1 }],
  ["1step15^2", { device: 1, kind: "step", stage: "1", microBatch: 15, version: 2 }],
  // Stage ids that contain kind letters and digits still parse back.
  ["F1F0", { device: 1, kind: "F", stage: "F1", microBatch: 0 }],
  ["b2.stepB4", { device: 1, kind: "B", stage: "b2.step", microBatch: 4 }],
];

test("the text form of each action kind, both ways", () => {
  for (const [text, action] of examples) {
    assert.equal(formatAction(action), text);
    assert.deepEqual(parseAction(text, 1), action, text);
  }
});

test("texts that are not actions parse to undefined", () => {
  for (const text of ["", "F0", "2X0", "1send3→2@5", "1sendF3←2@5", "1recvF3→2@5", "2F", "2F0#x"]) {
    assert.equal(parseAction(text, 0), undefined, text);
  }
});

test("actionKey tells the same action on two devices apart", () => {
  const a: Action = { device: 0, kind: "F", stage: "s0", microBatch: 1 };
  assert.notEqual(actionKey(a), actionKey({ ...a, device: 1 }));
  assert.equal(actionKey(a), "0:s0F1");
});

test("formatGrid marks the failing cell and its row", () => {
  const grid = formatGrid(
    [
      ["s0F0", "s0F1", null, "s0B0"],
      ["s1F0", "s1B0"],
    ],
    { device: 1, step: 1 },
  );
  const lines = grid.split("\n");
  assert.match(lines[0]!, /s0 +s1 +s2 +s3/);
  assert.match(lines[1]!, /^d0 +s0F0 +s0F1 +\. +s0B0$/);
  assert.match(lines[2]!, /^d1 +s1F0 +\[s1B0\] +<-- ERROR HERE \(step 1\)$/);
});
