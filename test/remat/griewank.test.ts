/** Revolve (binomial checkpointing): Griewank & Walther's closed form, and valid schedules on graphs. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { griewank, revolveCosts, revolveHoldings } from "../../src/remat/baselines/griewank.js";
import { evaluateSchedule } from "../../src/remat/evaluate-schedule.js";
import { unitChain } from "../../src/remat/unit-chain.js";
import { checkmateGraph, skipWithoutCheckmate } from "./checkmate-graphs.js";

const binomial = (n: number, k: number): number => {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
};

test("fewest forward steps match Griewank's t(l, s) = r·l − β(s+1, r−1) (s counts the held start)", () => {
  const L = 60;
  const p = revolveCosts(L, 8);
  let checked = 0;
  for (let free = 1; free <= 8; free++) {
    const s = free + 1;
    for (let l = 2; l <= L; l++) {
      let r = 0;
      while (binomial(s + r, s) < l) r++;
      assert.equal(p[l]?.[free], r * l - binomial(s + r, s + 1), `l=${l} s=${s}`);
      checked++;
    }
  }
  assert.equal(checked, 8 * 59);
});

test("every segment is reversed from a held state at or before it, within the snapshot count", () => {
  for (const [N, s] of [
    [10, 2],
    [17, 3],
    [30, 1],
  ] as const) {
    const { reversing } = revolveHoldings(N, s);
    let exact = 0;
    reversing.forEach((held, q) => {
      assert.ok(held.length >= 1 && held.every((h) => h <= q), `segment ${q}: ${held}`);
      assert.ok(held.length <= s + 1);
      if (held.includes(q)) exact++;
    });
    assert.ok(exact >= s, "snapshots are used");
  }
});

test("schedules are valid, and more snapshots never cost more on a unit chain", () => {
  const g = unitChain(16);
  let last = Infinity;
  for (let s = 1; s <= 16; s++) {
    const v = evaluateSchedule(g, griewank(g, s));
    assert.deepEqual(v.issues, []);
    assert.ok(v.stats.cost <= last);
    last = v.stats.cost;
  }
  assert.equal(last, 33, "with a snapshot per node nothing is recomputed");
});

test("VGG16 and U-Net (AP chain) schedules are valid", { skip: skipWithoutCheckmate }, () => {
  for (const m of ["vgg16", "unet"] as const) {
    const g = checkmateGraph(m);
    for (const s of [1, 3, 10]) assert.deepEqual(evaluateSchedule(g, griewank(g, s)).issues, [], `${m} s=${s}`);
  }
});
