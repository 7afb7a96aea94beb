import assert from "node:assert/strict";
import { test } from "node:test";
import { replicaRanges, replicaSamples, replicaTransfers } from "../../src/plan/sample-split.js";

test("10 samples over 4 replicas: contiguous ranges of 2, 3, 2, 3", () => {
  assert.deepEqual(replicaRanges(10, 4), [
    { start: 0, end: 2 },
    { start: 2, end: 5 },
    { start: 5, end: 7 },
    { start: 7, end: 10 },
  ]);
  assert.deepEqual(
    [0, 1, 2, 3].map((j) => replicaSamples(10, 4, j)),
    [2, 3, 2, 3],
  );
});

test("8 samples from 2 replicas to 4: each sender halves its range (the docs' example)", () => {
  assert.deepEqual(
    replicaTransfers(8, 2, 4).map((t) => [t.from, t.to, t.start, t.end]),
    [
      [0, 0, 0, 2],
      [0, 1, 2, 4],
      [1, 2, 4, 6],
      [1, 3, 6, 8],
    ],
  );
});

test("3 replicas to 2 over 6 samples: the middle replica sends to both", () => {
  assert.deepEqual(
    replicaTransfers(6, 3, 2).map((t) => [t.from, t.to, t.samples]),
    [
      [0, 0, 2],
      [1, 0, 1],
      [1, 1, 1],
      [2, 1, 2],
    ],
  );
});

test("equal degrees: replica j sends its whole range to replica j", () => {
  assert.deepEqual(
    replicaTransfers(7, 3, 3).map((t) => [t.from, t.to, t.samples]),
    [
      [0, 0, 2],
      [1, 1, 2],
      [2, 2, 3],
    ],
  );
});
