import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { chainPlan } from "../../src/plan/build-plan.js";
import { writePlanJson } from "../../src/plan/plan-json.js";
import type { PlanDocument } from "../../src/plan/types.js";
import { fakeIO } from "../helpers/cli.js";
import { chainGraph, testCluster } from "../plan/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "dagpipe-simulate-"));
const graph = chainGraph(8);
const base = testCluster({ nodes: 2, devicesPerNode: 4 });
const cluster = {
  ...base,
  device: { ...base.device, memBytesPerSec: 9e11 },
  intra: { bytesPerSec: 1e11, latencySec: 1e-6 },
  inter: { bytesPerSec: 1e10, latencySec: 5e-6 },
};
const doc: PlanDocument = {
  format: "dagpipe-plan",
  version: 1,
  graph,
  cluster,
  plan: chainPlan(graph, 4, { microBatch: 8, microBatches: 8, schedule: "1f1b", dataParallel: [1, 2, 1, 2] }),
};
const planFile = join(dir, "plan.json");
writeFileSync(planFile, writePlanJson(doc));

async function run(...args: string[]) {
  const io = fakeIO();
  const code = await main(["simulate", ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

test("simulate prints the iteration, per-device and per-stage tables; exit 0", async () => {
  const r = await run(planFile);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^1f1b: iteration /);
  assert.match(r.out, /\(fits\)/);
  assert.match(r.out, /^d5 +s3 /m);
  assert.match(r.out, /^s0 +4 +4 +32 +1$/m);
});

test("--json prints exactly one JSON document with the result", async () => {
  const r = await run(planFile, "--json");
  assert.equal(r.code, 0);
  const json = JSON.parse(r.out);
  assert.equal(json.result.status, "ok");
  assert.equal(json.plan.devices, 6);
  assert.equal(json.result.devices.length, 6);
  assert.ok(json.result.iterationSec > 0);
  assert.equal(json.result.events, undefined);
});

test("--trace writes a valid Chrome trace: a process per device, a thread per stream, memory counters", async () => {
  const trace = join(dir, "trace.json");
  const r = await run(planFile, "--trace", trace, "--json");
  assert.equal(r.code, 0);
  JSON.parse(r.out);
  const t = JSON.parse(readFileSync(trace, "utf8"));
  const events = t.traceEvents as { ph: string; name: string; pid: number; tid: number; args?: { name?: string } }[];
  const threads = events.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => `${e.pid}:${e.args?.name}`);
  assert.ok(threads.includes("0:compute"));
  assert.ok(threads.includes("0:send→d1") && threads.includes("0:send→d2"));
  assert.ok(threads.includes("1:allreduce"));
  assert.ok(events.filter((e) => e.ph === "X").length > 200);
  assert.ok(events.some((e) => e.ph === "C" && e.name === "memory"));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes(".tmp-")),
    [],
    "no temporary file left",
  );
});

test("--print-schedule prints each device's lowered list", async () => {
  const r = await run(planFile, "--print-schedule");
  assert.equal(r.code, 0);
  assert.match(r.out, /^d0: s0F0 s0sendF0→s1@1#/m);
  assert.match(r.out, /s1allreduce#\d+ s1step/);
});

test("a bad plan file: exit 2 naming the file and the JSON path", async () => {
  const raw = JSON.parse(writePlanJson(doc));
  raw.plan.stages[1].devicez = [1];
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify(raw, null, 2));
  const r = await run(bad);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.json:\d+ plan\.stages\[1\]\.devicez/);
  assert.equal(r.out, "");
  const missing = await run(join(dir, "nope.json"));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope\.json does not exist/);
  const dirAsPlan = await run(dir);
  assert.equal(dirAsPlan.code, 2);
  assert.match(dirAsPlan.err, /cannot read the plan file \(EISDIR\)/);
});

test("a plan that does not fit: exit 1 and the least memory that would fit", async () => {
  const r = await run(planFile, "--memory", "0.0001");
  assert.equal(r.code, 1);
  assert.match(r.out, /DOES NOT FIT/);
  assert.match(r.out, /memory overflow on device 0 at /);
  assert.match(r.err, /needs at least [\d.]+ KiB per device/);
  const j = await run(planFile, "--memory", "0.0001", "--json");
  assert.equal(j.code, 1);
  assert.equal(JSON.parse(j.out).result.fits, false);
});

test("a fault stops the plan: exit 1 and the reason", async () => {
  const r = await run(planFile, "--fault", "1@0.0001", "--restore", "1@0.5");
  assert.equal(r.code, 1);
  assert.match(r.out, /STOPPED at 100\.000 µs/);
  assert.match(r.out, /fault: device 1 \(stage s1\) was removed at 0\.0001 s/);
});

test("overrides: schedule and micro-batches; invalid ones exit 2 with the option named", async () => {
  const g = await run(planFile, "--schedule", "gpipe", "--micro-batches", "4", "--json");
  assert.equal(g.code, 0);
  assert.equal(JSON.parse(g.out).plan.schedule, "gpipe");
  assert.equal(JSON.parse(g.out).plan.microBatches, 4);
  const bogus = await run(planFile, "--schedule", "zigzag");
  assert.equal(bogus.code, 2);
  assert.match(bogus.err, /--schedule: expected one of gpipe, 1f1b/);
  const twoBW = await run(planFile, "--schedule", "2bw", "--micro-batches", "2");
  assert.equal(twoBW.code, 2);
  assert.match(twoBW.err, /after the command-line overrides/);
  assert.match(twoBW.err, /plan\.microBatches/);
  const fault = await run(planFile, "--fault", "x");
  assert.equal(fault.code, 2);
  assert.match(fault.err, /<device>@<seconds>/);
});

test("no-flush schedules: the steady-state period over several iterations", async () => {
  const r = await run(planFile, "--schedule", "2bw", "--json");
  assert.equal(r.code, 0);
  const result = JSON.parse(r.out).result;
  assert.equal(result.iterations, 4);
  assert.deepEqual(
    result.stages.map((s: { peakWeightVersions: number }) => s.peakWeightVersions),
    [2, 2, 2, 2],
  );
});
