/** Max batch search: floor and bound proofs, baselines, and the MILP as the feasibility probe. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { maxBatchSize, oneForwardOverhead, scaleBatch } from "../../src/remat/max-batch.js";
import { loadHighs } from "../../src/remat/milp/run-highs.js";
import { solveMinPeak } from "../../src/remat/milp/solve-min-peak.js";
import { unitChain } from "../../src/remat/unit-chain.js";
import { checkmateGraph, skipWithoutCheckmate } from "./checkmate-graphs.js";

test("unit chain N = 8 in 50 units: baselines reach 7 (√n peaks at 7 tensors), the MILP 10 (5 tensors, cost 22 ≤ 25)", async () => {
  const highs = await loadHighs();
  const g = unitChain(8);
  assert.equal(oneForwardOverhead(g), 25 / 17);
  const graphAt = (b: number) => scaleBatch(g, b);
  const base = await maxBatchSize(graphAt, { deviceMemBytes: 50, method: "baselines", highs });
  assert.equal(base.batch, 7);
  const milp = await maxBatchSize(graphAt, { deviceMemBytes: 50, highs });
  assert.equal(milp.batch, 10);
  assert.equal(milp.provenInfeasible, 11);
  assert.ok(
    milp.probes.some((p) => p.by === "milp" && p.verdict === "feasible"),
    "the MILP probe decided a batch",
  );
  assert.ok(milp.stats && milp.stats.activationBytes <= 50 && milp.stats.overhead <= 25 / 17);
});

test("VGG19 on 16 GB: 289 as Checkmate's MILP (certified by the memory floor at 290)", {
  skip: skipWithoutCheckmate,
}, async () => {
  const g = checkmateGraph("vgg19");
  const r = await maxBatchSize((b) => scaleBatch(g, b), { deviceMemBytes: 16e9 });
  assert.equal(r.batch, 289);
  assert.equal(r.provenInfeasible, 290);
  assert.equal(r.probes.find((p) => p.batch === 290)?.by, "memory floor");
});

test("the min-peak MILP (Checkmate's max-batch model made linear): unit chain N = 8 under one extra forward needs 5 tensors", async () => {
  const g = unitChain(8);
  const r = await solveMinPeak(g, { maxOverhead: oneForwardOverhead(g), highs: await loadHighs() });
  assert.equal(r.status, "optimal");
  // §8.5: B = 5 costs 22 ≤ 25, B = 4 costs 26 > 25.
  assert.equal(r.stats?.activationBytes, 5);
  assert.ok((r.stats?.cost ?? Infinity) <= 25);
  assert.ok((r.boundBytes ?? 0) <= 5 + 1e-6 && (r.boundBytes ?? 0) > 4);
});
