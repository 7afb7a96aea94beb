/** `dagpipe plan`: JSON fields, the plan document it writes, "no plan fits" (exit 1), bad input (exit 2). */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { readPlanJson } from "../../src/plan/plan-json.js";
import { validatePlan } from "../../src/plan/validate-plan.js";
import { fakeIO } from "../helpers/cli.js";

const SMALL = ["nbranch", "--hidden", "256", "--seq", "64", "--heads", "4"];
const CLUSTER = ["--gpus", "8", "--cluster", "summit"];

test("plan --json prints one document with the stages, edges, micro-batches, schedule, prediction and search time", async () => {
  const io = fakeIO();
  const code = await main(["plan", ...SMALL, ...CLUSTER, "--batch", "32", "--json"], io);
  assert.equal(code, 0, io.stderr);
  const doc = JSON.parse(io.stdout);
  assert.equal(doc.planner, "graph", "by default every planner runs; on this branchy model the graph plan wins");
  assert.ok(doc.stages.length >= 1);
  for (const s of doc.stages) {
    assert.ok(Array.isArray(s.ops) && s.ops.length > 0);
    assert.ok(Array.isArray(s.devices) && s.devices.length === s.dataParallel);
  }
  assert.ok(Array.isArray(doc.stageEdges));
  assert.equal(doc.microBatch * doc.microBatches, 32);
  assert.ok(["dag-1f1b", "1f1b"].includes(doc.schedule));
  assert.ok(doc.predicted.samplesPerSec > 0);
  assert.equal(doc.predicted.peakMemBytes.length, 8);
  assert.ok(doc.searchSec >= 0);
  assert.equal(io.stderr, "", "nothing on stderr without a terminal");
});

test("plan --out writes a plan document that validates and simulates to the predicted throughput", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-plan-"));
  try {
    const out = join(dir, "plan.json");
    const io = fakeIO();
    assert.equal(
      await main(
        ["plan", ...SMALL, ...CLUSTER, "--batch", "32", "--planner", "sequential", "--out", out, "--json"],
        io,
      ),
      0,
    );
    const predicted = JSON.parse(io.stdout).predicted.samplesPerSec;
    const doc = readPlanJson(readFileSync(out, "utf8"), out);
    assert.ok(doc.ok);
    assert.equal(doc.value.planner, "sequential");
    assert.deepEqual(validatePlan(doc.value.plan, doc.value.graph, doc.value.cluster), []);
    const sim = fakeIO();
    assert.equal(await main(["simulate", out, "--json"], sim), 0, sim.stderr);
    const simulated = JSON.parse(sim.stdout).result.samplesPerSec;
    assert.ok(Math.abs(simulated - predicted) <= 1e-9 * predicted, `${simulated} vs ${predicted}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("plan prints a stage table with devices, the edges, micro-batches and the prediction", async () => {
  const io = fakeIO();
  assert.equal(await main(["plan", ...SMALL, ...CLUSTER, "--batch", "32", "--no-dp", "--planner", "all"], io), 0);
  for (const text of [
    "stage",
    "devices",
    "stage edges:",
    "micro-batch",
    "samples/s",
    "peak memory per device",
    "search:",
  ]) {
    assert.ok(io.stdout.includes(text), `output mentions ${text}`);
  }
  for (const planner of ["sequential", "pipedream", "uniform"]) assert.ok(io.stdout.includes(planner));
});

test("when nothing fits: exit 1 and the least device memory with which a plan exists", async () => {
  const model = ["gpt", "--layers", "8", "--hidden", "1024", "--heads", "16", "--seq", "512"];
  const io = fakeIO();
  assert.equal(
    await main(
      ["plan", ...model, "--gpus", "4", "--cluster", "summit", "--memory", "0.5", "--batch", "16", "--json"],
      io,
    ),
    1,
  );
  const doc = JSON.parse(io.stdout);
  assert.equal(doc.ok, false);
  assert.ok(doc.leastMemBytes > 0.5 * 2 ** 30);
  const text = fakeIO();
  assert.equal(
    await main(["plan", ...model, "--gpus", "4", "--cluster", "summit", "--memory", "0.5", "--batch", "16"], text),
    1,
  );
  assert.match(text.stderr, /least device memory/);
  assert.equal(text.stdout, "");
});

test("bad options exit 2 naming the option", async () => {
  const cases: [string[], string][] = [
    [["--planner", "magic"], "planner"],
    [["--batch", "0"], "batch"],
    [["--batch", "16", "--micro-batch", "3"], "micro-batch"],
    [["--gpus", "x"], "gpus"],
    [["--remat", "magic"], "remat"],
  ];
  for (const [args, path] of cases) {
    const io = fakeIO();
    assert.equal(
      await main(
        ["plan", ...SMALL, "--cluster", "summit", ...(args.includes("--gpus") ? [] : ["--gpus", "8"]), ...args],
        io,
      ),
      2,
    );
    assert.match(io.stderr, new RegExp(path));
    assert.equal(io.stdout, "");
  }
});
