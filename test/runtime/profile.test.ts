import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { createCostModel } from "../../src/cost/create-cost-model.js";
import { findDevice } from "../../src/hardware/presets.js";
import { readGraphJson } from "../../src/io/graph-json.js";
import { unwrap } from "../../src/util/issues.js";
import { fakeIO } from "../helpers/cli.js";
import { torchPython } from "./torch-python.js";

const tp = await torchPython();

function io() {
  const x = fakeIO();
  (x as { env: NodeJS.ProcessEnv }).env = process.env;
  return x;
}

const MODEL = [
  "candle-uno",
  "--branches",
  "2",
  "--branchLayers",
  "1",
  "--width",
  "32",
  "--features",
  "16",
  "--topLayers",
  "1",
];

test("profile writes the graph back with a measured profile on every op, which the cost model then uses", {
  skip: tp.skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-prof-"));
  try {
    const out = join(dir, "g.json");
    const x = io();
    const code = await main(
      ["profile", ...MODEL, "--batches", "2,1", "--reps", "3", "--warmup", "1", "--out", out, "--json"],
      x,
    );
    assert.equal(code, 0, x.stderr);
    const summary = JSON.parse(x.stdout) as { opsProfiled: number; ops: number; device: string };
    assert.equal(summary.device, "cpu");
    const g = unwrap(readGraphJson(readFileSync(out, "utf8"), out));
    assert.equal(summary.ops, g.ops.length);
    assert.equal(summary.opsProfiled, g.ops.length);
    const cpu = unwrap(findDevice("cpu"));
    const cost = createCostModel(cpu, { graph: g });
    let timed = 0;
    for (const op of g.ops) {
      assert.ok(op.profile, `op ${op.id} has a profile`);
      assert.deepEqual(
        op.profile.points.map((p) => p.microBatch),
        [1, 2],
      );
      assert.equal(op.profile.device, "cpu");
      if (op.kind === "linear") {
        assert.ok(op.profile.points.every((p) => p.fwdSec > 0 && p.bwdSec > 0));
        timed++;
      }
      // the cost model prefers the measurement over the roofline
      const at2 = op.profile.points[1]!;
      assert.deepEqual(cost.opTime(op, 2), { fwdSec: at2.fwdSec, bwdSec: at2.bwdSec });
    }
    assert.ok(timed >= 4, "the linear layers were timed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("profile: a bad --batches list is bad input (exit 2) naming the option", async () => {
  const x = io();
  assert.equal(await main(["profile", ...MODEL, "--batches", "1,0"], x), 2);
  assert.match(x.stderr, /--batches/);
});
