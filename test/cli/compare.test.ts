/** `dagpipe compare`: every planner on one input, one table / one JSON document, every plan simulated. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { fakeIO } from "../helpers/cli.js";

const SMALL = ["nbranch", "--hidden", "256", "--seq", "64", "--heads", "4"];

test("compare --json: one result per planner, each with its simulated throughput", async () => {
  const io = fakeIO();
  assert.equal(
    await main(["compare", ...SMALL, "--gpus", "8", "--cluster", "summit", "--batch", "32", "--json"], io),
    0,
  );
  const doc = JSON.parse(io.stdout);
  assert.deepEqual(
    doc.results.map((r: { planner: string }) => r.planner),
    ["graph", "sequential", "pipedream", "uniform"],
  );
  for (const r of doc.results) {
    assert.equal(r.ok, true);
    assert.ok(r.predicted.samplesPerSec > 0 && r.searchSec >= 0);
  }
  assert.equal(doc.batch, 32);
});

test("compare prints one table row per planner, with the graph plan's speed-up", async () => {
  const io = fakeIO();
  assert.equal(
    await main(["compare", ...SMALL, "--gpus", "4", "--cluster", "summit", "--batch", "16", "--no-dp"], io),
    0,
  );
  const lines = io.stdout.split("\n");
  for (const planner of ["graph", "sequential", "pipedream", "uniform"]) {
    assert.equal(lines.filter((l) => l.startsWith(planner)).length, 1, planner);
  }
  assert.ok(io.stdout.includes("graph ÷ this"));
});
