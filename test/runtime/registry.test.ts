/**
 * The op registry against the IR: every zoo model (small configurations that still contain every kind the
 * model uses) is built op by op in torch, and each op's parameter count and output shape must equal what the
 * graph says. Catches a kind the registry lacks and any disagreement on attribute meaning.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pythonEnv } from "../../src/io/python-probe.js";
import { buildZooModel, ZOO } from "../../src/models/index.js";
import { torchPython } from "./torch-python.js";

const tp = await torchPython();

/** Small but complete configurations: every branch type and layer kind of the full model is present. */
export const SMALL_MODELS: Readonly<Record<string, readonly string[]>> = {
  gpt: ["--layers", "2", "--hidden", "16", "--heads", "4", "--seq", "8", "--vocab", "40"],
  "gpt-llama": [
    "--layers",
    "1",
    "--hidden",
    "16",
    "--heads",
    "4",
    "--kvHeads",
    "2",
    "--seq",
    "8",
    "--vocab",
    "40",
    "--mlp",
    "swiglu",
    "--norm",
    "rmsnorm",
    "--positions",
    "none",
    "--tiedEmbeddings",
    "false",
    "--bias",
    "false",
  ],
  bert: ["--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "40"],
  mmt: ["--branches", "2", "--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "4", "--ffn", "32"],
  dlrm: [
    "--dense",
    "2",
    "--sparse",
    "2",
    "--denseLayers",
    "2",
    "--width",
    "16",
    "--denseFeatures",
    "8",
    "--rows",
    "50",
    "--embeddingDim",
    "8",
    "--bagSize",
    "3",
    "--topLayers",
    "1",
  ],
  "candle-uno": ["--branches", "2", "--branchLayers", "2", "--width", "16", "--features", "8", "--topLayers", "1"],
  nbranch: ["--branches", "2", "--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "4"],
  resnet50: ["--depth", "50", "--image", "32", "--classes", "10", "--width", "8"],
  vgg16: ["--image", "32", "--classes", "10"],
  unet: ["--depth", "2", "--width", "4", "--image", "32"],
  inception: ["--image", "96", "--classes", "10"],
};

test("the small configurations cover every zoo model", () => {
  const covered = new Set(Object.keys(SMALL_MODELS).map((k) => k.replace(/-llama$/, "")));
  assert.deepEqual([...covered].sort(), Object.keys(ZOO).sort());
});

interface OpsReport {
  readonly graph: string;
  readonly ops: number;
  readonly checked: number;
  readonly mismatches: readonly unknown[];
  readonly notRunnable: readonly unknown[];
}

/** One Python process checks every model (importing torch once keeps this test fast). */
function checkAll(python: string): Map<string, OpsReport> {
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-ops-"));
  try {
    const args = ["-m", "dagpipe_runtime", "check-ops"];
    for (const [label, modelArgs] of Object.entries(SMALL_MODELS)) {
      const file = join(dir, `${label}.json`);
      writeFileSync(file, JSON.stringify(buildZooModel(label.replace(/-llama$/, ""), modelArgs)));
      args.push("--graph", file);
    }
    const r = spawnSync(python, args, { env: pythonEnv(process.env), encoding: "utf8" });
    const out = new Map<string, OpsReport>();
    for (const line of r.stdout.trim().split("\n")) {
      if (!line.startsWith("{")) continue;
      const rep = JSON.parse(line) as OpsReport;
      out.set(rep.graph.replace(/^.*\//, "").replace(/\.json$/, ""), rep);
    }
    if (out.size === 0) throw new Error(`check-ops printed nothing: ${r.stderr}`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const reports = tp.python ? checkAll(tp.python) : new Map<string, OpsReport>();

for (const [label, args] of Object.entries(SMALL_MODELS)) {
  test(`torch builds every op of ${label} as the IR describes it`, { skip: tp.skip }, () => {
    const graph = buildZooModel(label.replace(/-llama$/, ""), args);
    const report = reports.get(label);
    assert.ok(report, `no report for ${label}`);
    assert.deepEqual(report.mismatches, []);
    assert.deepEqual(report.notRunnable, []);
    assert.equal(report.ops, graph.ops.length);
    const inputs = graph.ops.filter((o) => o.kind === "input").length;
    assert.equal(report.checked, graph.ops.length - inputs, "every non-input op was built and run");
  });
}
