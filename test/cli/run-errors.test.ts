/** `dagpipe run` on bad input and without torch: the exit codes and messages users see (no torch needed). */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { fakeIO } from "../helpers/cli.js";
import { chain, smallMmt, writePlan } from "../runtime/plans.js";

function io() {
  const x = fakeIO();
  (x as { env: NodeJS.ProcessEnv }).env = process.env;
  return x;
}

test("a missing plan file is bad input (exit 2) naming the file", async () => {
  const x = io();
  assert.equal(await main(["run", "/no/such/plan.json"], x), 2);
  assert.match(x.stderr, /\/no\/such\/plan\.json/);
  assert.equal(x.stdout, "");
});

test("--procs must equal the devices the plan uses (exit 2)", async () => {
  const g = smallMmt();
  const file = writePlan(g, chain(g, 2, { microBatch: 2, microBatches: 2, schedule: "gpipe" }));
  const x = io();
  assert.equal(await main(["run", file, "--procs", "3"], x), 2);
  assert.match(x.stderr, /--procs 3/);
});

test("async weight stashing is refused: one version per in-flight micro-batch is not implemented (exit 2 at plan.schedule)", async () => {
  const g = smallMmt();
  const file = writePlan(g, chain(g, 2, { microBatch: 2, microBatches: 2, schedule: "async-stash" }));
  const x = io();
  assert.equal(await main(["run", file], x), 2);
  assert.match(x.stderr, /plan\.schedule/);
});

test("bad option values are bad input (exit 2)", async () => {
  const g = smallMmt();
  const file = writePlan(g, chain(g, 2, { microBatch: 2, microBatches: 2, schedule: "gpipe" }));
  for (const args of [
    ["--iterations", "0"],
    ["--dtype", "float16"],
    ["--device", "tpu"],
    ["--lr", "-1"],
  ]) {
    const x = io();
    assert.equal(await main(["run", file, ...args], x), 2, args.join(" "));
    assert.match(x.stderr, new RegExp(args[0]!));
  }
});

test("without a Python that has torch: one message saying how to install it, exit 1", async () => {
  const g = smallMmt();
  const file = writePlan(g, chain(g, 2, { microBatch: 2, microBatches: 2, schedule: "gpipe" }));
  const x = io();
  assert.equal(await main(["run", file, "--python", "/no/such/python3"], x), 1);
  assert.match(x.stderr, /apt-get install python3-torch/);
  assert.match(x.stderr, /\/no\/such\/python3: not found/);
  assert.equal(x.stdout, "");
});

test("--resume past the requested iterations has nothing to run (exit 0, says so)", async () => {
  const g = smallMmt();
  const file = writePlan(g, chain(g, 2, { microBatch: 2, microBatches: 2, schedule: "gpipe" }));
  const ckpt = `${file}.ckpt`;
  mkdirSync(ckpt);
  writeFileSync(join(ckpt, "latest.json"), JSON.stringify({ iteration: 6, dir: "iter-00000006" }));
  const x = io();
  assert.equal(await main(["run", file, "--resume", "--iterations", "5", "--json"], x), 0);
  assert.match(x.stderr, /nothing to run/);
  assert.deepEqual(JSON.parse(x.stdout), { ok: true, startIteration: 6, iterations: [] });
});
