import assert from "node:assert/strict";
import { test } from "node:test";
import { chainPlan, planFromGroups } from "../../src/plan/build-plan.js";
import { chromeTrace, chromeTraceChunks } from "../../src/report/chrome-trace.js";
import { formatSimJson } from "../../src/report/sim-json.js";
import { formatSeconds, formatSimTable } from "../../src/report/sim-table.js";
import { simulatePlan } from "../../src/sim/simulate.js";
import { candleLikeGraph, chainGraph, testCluster, uniformCost } from "../plan/fixtures.js";

const cluster = testCluster({ intra: { bytesPerSec: 1e4, latencySec: 1e-3 } });
const cost = uniformCost(cluster, 1e-3, 2e-3);

test("the trace is one valid JSON document however it is chunked, with every event and counter", () => {
  const g = chainGraph(4);
  const plan = chainPlan(g, 4, { microBatch: 2, microBatches: 4, schedule: "zb-h1", dataParallel: [1, 2, 1, 1] });
  const r = simulatePlan(plan, g, cluster, cost, { recordEvents: true });
  const whole = JSON.parse(chromeTrace(r));
  const chunks = [...chromeTraceChunks(r, { chunkEvents: 1 })];
  assert.ok(chunks.length > r.events!.length, "one chunk per event");
  assert.deepEqual(JSON.parse(chunks.join("")), whole);
  const ev = whole.traceEvents as { ph: string; ts?: number; dur?: number; pid: number }[];
  assert.equal(ev.filter((e) => e.ph === "X").length, r.events!.length);
  assert.equal(ev.filter((e) => e.ph === "C").length, r.memory!.length);
  assert.ok(ev.every((e) => e.ph === "M" || (Number.isFinite(e.ts) && (e.dur ?? 0) >= 0)));
  assert.equal(whole.otherData.schedule, "zb-h1");
});

test("stage ids that need escaping stay valid JSON in the trace", () => {
  const { graph, groups } = candleLikeGraph();
  const ids = ['a"b', "c\\d", "e\nf", "g", "h", "ü"];
  const plan = planFromGroups(graph, groups, { microBatch: 2, microBatches: 2, schedule: "dag-1f1b", ids });
  const r = simulatePlan(plan, graph, cluster, cost, { recordEvents: true });
  const t = JSON.parse(chromeTrace(r));
  assert.ok(t.traceEvents.some((e: { name: string }) => e.name === 'a"bF0'));
});

test("the table and the JSON say what went on", () => {
  const g = chainGraph(2);
  const plan = chainPlan(g, 2, { microBatch: 2, microBatches: 4, schedule: "1f1b" });
  const r = simulatePlan(plan, g, cluster, cost);
  const text = formatSimTable(plan, r);
  assert.match(text, /^1f1b: iteration [\d.]+ ms, [\d.e+]+ samples\/s \(4 × 2 samples\)$/m);
  assert.match(text, /^s0 +2 +2 +4 +1$/m);
  // The critical path's time splits between compute and transfers (each transfer counted once).
  const m = /critical path \d+ actions: compute ([\d.]+) %, transfers ([\d.]+) %/.exec(text);
  assert.ok(m, text);
  assert.ok(Math.abs(Number(m[1]) + Number(m[2]) - 100) < 0.2, text);
  const json = JSON.parse(formatSimJson(plan, r));
  assert.equal(json.result.iterationSec, r.iterationSec);
  assert.deepEqual(Object.keys(json), ["plan", "result"]);
  assert.equal(formatSeconds(0.0015), "1.500 ms");
  assert.equal(formatSeconds(2.5e-6), "2.500 µs");
  assert.equal(formatSeconds(12), "12.000 s");
});
