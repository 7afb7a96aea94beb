import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildRunJob, DEFAULT_RUN_SETTINGS } from "../../src/io/launcher-job.js";
import { runJob, runReference } from "../../src/io/launcher-run.js";
import { simpleFormat, tinyGpipe, tinyPlanDoc } from "./hand-plan.js";
import { torchPython } from "./torch-python.js";

const tp = await torchPython();

test("a hand-lowered 2-stage GPipe run equals single-process training (float64, 5 iterations)", {
  skip: tp.skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-hand-"));
  try {
    const job = buildRunJob({
      doc: tinyPlanDoc,
      schedule: tinyGpipe,
      format: simpleFormat,
      run: { ...DEFAULT_RUN_SETTINGS, dtype: "float64", iterations: 5, seed: 3, lr: 0.01 },
      checkpoint: null,
      outDir: dir,
      dumpParams: true,
    });
    const logs: string[] = [];
    const out = await runJob({ python: tp.python!, job, env: process.env, onLog: (r, l) => logs.push(`[${r}] ${l}`) });
    assert.ok(out.ok, logs.join("\n"));
    assert.equal(out.iterations.length, 5);
    const ref = await runReference(tp.python!, job, process.env, dir);
    assert.ok(ref.ok, ref.error);
    for (const [i, rec] of out.iterations.entries()) {
      assert.ok(rec.loss !== null);
      assert.ok(Math.abs(rec.loss - ref.losses[i]!) <= 1e-9 * Math.abs(ref.losses[i]!), `iteration ${i}`);
    }
    const p = ref.params!;
    assert.ok(p.ok, JSON.stringify(p));
    assert.equal(p.referenceTensors, 4);
    assert.equal(p.tensorsCompared, 4);
    assert.ok(p.maxRelErr <= 1e-5, `max relative error ${p.maxRelErr}`);
    // the trace inputs: every action of every device timed once per iteration
    assert.equal(out.rankEvents.length, 2);
    assert.equal(out.rankEvents[0]!.events.length, 9 * 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
