/**
 * Acceptance (issue 7): kill one worker mid-run → the launcher exits non-zero naming the rank within 10 s;
 * resume from the last checkpoint → the loss curve continues exactly as an uninterrupted run's.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { main } from "../../src/cli/main.js";
import { fakeIO } from "../helpers/cli.js";
import { chain, smallMmt, writePlan } from "./plans.js";
import { torchPython } from "./torch-python.js";

const tp = await torchPython();

function io() {
  const x = fakeIO();
  (x as { env: NodeJS.ProcessEnv }).env = process.env;
  return x;
}

interface RunJson {
  startIteration: number;
  iterations: { iteration: number; loss: number }[];
}

const COMMON = ["--dtype", "float64", "--seed", "5", "--lr", "0.01"];

test("a killed worker stops the run within 10 s naming its rank; --resume continues the loss curve exactly", {
  skip: tp.skip,
}, async (t) => {
  const g = smallMmt();
  const plan = writePlan(g, chain(g, 2, { microBatch: 2, microBatches: 4, schedule: "1f1b" }));
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-ckpt-"));
  const ckpt = join(dir, "ckpt");
  try {
    // 1. a long run, checkpointing every 2 iterations; kill rank 1 once a checkpoint exists
    const killed = io();
    const running = main(
      ["run", plan, "--iterations", "100000", "--checkpoint-every", "2", "--checkpoint-dir", ckpt, ...COMMON],
      killed,
    );
    let pid: number | undefined;
    for (let waited = 0; waited < 120_000 && pid === undefined; waited += 50) {
      await sleep(50);
      const started = /rank 1 → device 1, pid (\d+)/.exec(killed.stderr);
      if (started && existsSync(join(ckpt, "latest.json"))) pid = Number(started[1]);
    }
    assert.ok(pid !== undefined, `no checkpoint appeared:\n${killed.stderr}`);
    const t0 = performance.now();
    process.kill(pid, "SIGKILL");
    const code = await running;
    const stopSec = (performance.now() - t0) / 1000;
    assert.equal(code, 1);
    assert.ok(stopSec < 10, `the launcher took ${stopSec.toFixed(1)} s to stop`);
    t.diagnostic(`run stopped ${stopSec.toFixed(2)} s after the kill`);
    assert.match(killed.stderr, /worker rank 1 \(device 1, pid \d+\) was killed by SIGKILL/);
    assert.match(killed.stdout, /iteration +2\//, "the run was mid-way (past its first checkpoint)");

    // 2. where the last complete checkpoint is
    const latest = JSON.parse(readFileSync(join(ckpt, "latest.json"), "utf8")) as { iteration: number };
    const c = latest.iteration;
    assert.ok(c >= 2 && c % 2 === 0);
    const total = String(c + 2);

    // 3. the same run without interruption, and the resumed one
    const straight = io();
    assert.equal(await main(["run", plan, "--iterations", total, ...COMMON, "--json"], straight), 0, straight.stderr);
    const resumed = io();
    const args = ["run", plan, "--iterations", total, "--resume", "--checkpoint-dir", ckpt, ...COMMON, "--json"];
    assert.equal(await main(args, resumed), 0, resumed.stderr);
    const a = JSON.parse(straight.stdout) as RunJson;
    const b = JSON.parse(resumed.stdout) as RunJson;
    assert.equal(b.startIteration, c);
    assert.deepEqual(
      b.iterations.map((r) => r.iteration),
      [c, c + 1],
    );
    for (const r of b.iterations) {
      const want = a.iterations[r.iteration]!.loss;
      assert.ok(Math.abs(r.loss - want) <= 1e-12 * Math.abs(want), `iteration ${r.iteration}: ${r.loss} vs ${want}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
