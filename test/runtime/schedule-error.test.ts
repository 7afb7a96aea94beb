/**
 * A broken action list: device 1 computes micro-batch 0 without having received its input. The worker must
 * say which step failed, with the device × step grid marked, and the launcher must stop the other worker and
 * blame rank 1 — not hang on rank 0's pending receive.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildRunJob, DEFAULT_RUN_SETTINGS } from "../../src/io/launcher-job.js";
import { runJob } from "../../src/io/launcher-run.js";
import { simpleFormat, tinyGpipe, tinyPlanDoc } from "./hand-plan.js";
import { torchPython } from "./torch-python.js";

const tp = await torchPython();

test("a compute before its input arrived fails with the marked grid; the launcher blames that rank", {
  skip: tp.skip,
}, async () => {
  const broken = { ...tinyGpipe, actions: [tinyGpipe.actions[0]!, tinyGpipe.actions[1]!.slice(1)] };
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-broken-"));
  try {
    const job = buildRunJob({
      doc: tinyPlanDoc,
      schedule: broken,
      format: simpleFormat,
      run: { ...DEFAULT_RUN_SETTINGS, iterations: 1 },
      checkpoint: null,
      outDir: dir,
      verify: false,
    });
    const logs: string[] = [];
    const t0 = performance.now();
    const out = await runJob({ python: tp.python!, job, env: process.env, onLog: (r, l) => logs.push(`[${r}] ${l}`) });
    const sec = (performance.now() - t0) / 1000;
    assert.equal(out.ok, false);
    assert.equal(out.cause?.rank, 1);
    assert.match(
      out.errors.get(1) ?? "",
      /ScheduleError: forward of stage s1 micro-batch 0 before receiving input 'r'/,
    );
    const text = logs.join("\n");
    assert.match(text, /\[1\] .*action failed at step 0 \(s1F0\)/);
    assert.match(text, /\[1\] +1 \| s1F0 .*<-- ERROR HERE \(step 0: s1F0\)/);
    assert.ok(sec < 30, `stopped after ${sec.toFixed(1)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
