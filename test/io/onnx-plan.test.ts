/**
 * Issue 6's end-to-end check: `dagpipe plan googlenet.onnx --gpus 8` on the real exported multi-branch CNN
 * (batch 8 keeps the search to a few seconds), and no plan file left behind when the model file is bad.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { fakeIO } from "../helpers/cli.js";
import { loadFixture } from "./onnx-fixture-helpers.js";

const GOOGLENET = fileURLToPath(new URL("../fixtures/onnx/googlenet.onnx", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dagpipe-onnx-plan-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface PlanJson {
  readonly ok: boolean;
  readonly stages: readonly { readonly ops: readonly string[]; readonly devices: readonly number[] }[];
  readonly devicesUsed: number;
}

describe("dagpipe plan on an ONNX file", () => {
  it("plans GoogLeNet on 8 GPUs: every op placed once, a pipeline of several stages, a plan file written", async () => {
    const io = fakeIO();
    const out = join(dir, "googlenet-plan.json");
    // --no-dp: with data parallelism allowed the fastest plan for GoogLeNet (6.6 M parameters) is one stage
    // replicated 8 ways; without it the planner must build a pipeline.
    const code = await main(["plan", GOOGLENET, "--gpus", "8", "--batch", "8", "--no-dp", "--out", out, "--json"], io);
    assert.equal(code, 0, io.stderr);
    const plan = JSON.parse(io.stdout) as PlanJson;
    assert.equal(plan.ok, true);
    assert.ok(plan.stages.length >= 2, `${plan.stages.length} stages`);
    const placed = plan.stages.flatMap((s) => s.ops);
    const ops = loadFixture("googlenet").ops.map((op) => op.id);
    assert.deepEqual([...placed].sort(), [...ops].sort());
    assert.ok(plan.devicesUsed <= 8);
    assert.ok(existsSync(out));
  });

  it("a broken model file: exit 2 and no plan file", async () => {
    const bad = join(dir, "broken.onnx");
    writeFileSync(bad, new Uint8Array([0x08, 0x07, 0x3a, 0xff, 0xff, 0x03, 0x0a]));
    const out = join(dir, "never.json");
    const io = fakeIO();
    const code = await main(["plan", bad, "--gpus", "8", "--out", out], io);
    assert.equal(code, 2, io.stderr);
    assert.ok(io.stderr.includes(bad));
    assert.equal(existsSync(out), false);
  });
});
