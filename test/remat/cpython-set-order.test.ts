/** CPython's set iteration order, pinned against CPython 3.11 (`list(set(xs))`, printed by /usr/bin/python3). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkmateArtifactForwardOrder, cpythonSetOrder } from "../../src/remat/cpython-set-order.js";

test("matches list(set(xs)) of CPython 3.11", () => {
  const cases: [number[], number[]][] = [
    [
      [0, 1, 2, 28, 29, 30, 31, 32, 33, 34],
      [0, 1, 2, 32, 33, 34, 28, 29, 30, 31],
    ],
    [
      [8, 16, 24, 0],
      [8, 16, 24, 0],
    ],
    [
      [5, 13, 21, 29, 37, 45, 53, 61, 69, 77, 85],
      [37, 5, 69, 13, 45, 77, 61, 21, 53, 85, 29],
    ],
    [
      [40, 37, 34, 31, 28, 25, 22, 19, 16, 13, 10, 7, 4, 1],
      [1, 34, 4, 37, 7, 40, 10, 13, 16, 19, 22, 25, 28, 31],
    ],
  ];
  for (const [input, want] of cases) assert.deepEqual(cpythonSetOrder(input), want);
});

test("duplicates are dropped and ascending small sets stay ascending", () => {
  assert.deepEqual(cpythonSetOrder([3, 1, 3, 2, 1]), [1, 2, 3]);
  assert.deepEqual(
    cpythonSetOrder(Array.from({ length: 176 }, (_, i) => i)),
    Array.from({ length: 176 }, (_, i) => i),
  );
});

test("the artifact's forward walk is a reverse DFS postorder of the undirected graph", () => {
  // Diamond 0 → {1, 2} → 3: DFS from 0 visits 1, then 3, then 2 (reached from 3): 3 comes before 2, so
  // this is not a topological order.
  assert.deepEqual(checkmateArtifactForwardOrder([[], [0], [0], [1, 2]]), [0, 1, 3, 2]);
  // A chain walks in order.
  assert.deepEqual(checkmateArtifactForwardOrder([[], [0], [1], [2]]), [0, 1, 2, 3]);
});
