/**
 * PipeDream's partitioning DP against PipeDream's own optimizer (`optimizer_graph_hierarchical.py`, run on the
 * same profiles; pipedream.md §4 lists the results): the pipeline time per minibatch and the stage shapes.
 * The reference times are printed rounded there ("0.2055"), so they are compared to half a unit of their last
 * printed digit.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { createCostModel } from "../../src/cost/create-cost-model.js";
import { readPipeDreamGraph } from "../../src/io/pipedream-graph.js";
import { pipedreamLayers } from "../../src/planners/pipedream.js";
import { type PipeDreamLevel, pipedreamPartition } from "../../src/planners/pipedream-dp.js";
import { buildProblem } from "../../src/planners/problem.js";
import { unwrap } from "../../src/util/issues.js";
import { testDevice } from "./fixtures.js";

function layers(model: string, batch?: number) {
  const text = readFileSync(new URL(`../fixtures/pipedream/${model}/graph.txt`, import.meta.url), "utf8");
  const graph = unwrap(readPipeDreamGraph(text, `${model}/graph.txt`, batch === undefined ? {} : { batch }));
  const b = Number(graph.source?.["profiledBatch"]);
  const cost = createCostModel({ ...testDevice(16e9), name: "V100" }, { graph });
  // Only zero-cost ops are merged (the Input node PipeDream removes): every other layer stays cuttable.
  return pipedreamLayers(buildProblem(graph, cost, b, { glueTimeShare: 0 })).layersAt(b);
}

/** |x − printed| ≤ half a unit in the printed value's last decimal. */
function near(x: number, printed: string): boolean {
  const decimals = printed.split(".")[1]?.length ?? 0;
  return Math.abs(x - Number(printed)) <= 0.5 * 10 ** -decimals + 1e-12;
}

function check(
  model: string,
  levels: PipeDreamLevel[],
  expected: string,
  replicas: readonly number[][],
  options: { straight?: boolean; batch?: number } = {},
) {
  const r = pipedreamPartition(layers(model, options.batch), {
    levels,
    ...(options.straight ? { straight: true } : {}),
  });
  assert.ok(r);
  assert.ok(near(r.pipelineSec, expected), `${model}: ${r.pipelineSec} vs ${expected}`);
  assert.deepEqual(
    r.stages.map((s) => s.replicasPerLevel),
    replicas,
  );
  const devices = r.stages.flatMap((s) => s.devices).sort((a, b) => a - b);
  const total = levels.reduce((a, l) => a * l.machines, 1);
  assert.deepEqual(
    devices,
    Array.from({ length: total }, (_, i) => i),
    "every machine used once",
  );
  for (let i = 1; i < r.stages.length; i++) assert.equal(r.stages[i]!.first, r.stages[i - 1]!.last + 1);
}

test("VGG-16 on 4 GPUs (README demo, --activation_compression_ratio 1): 3-1 split, 0.2055 s", () => {
  check("vgg16", [{ machines: 4, bytesPerSec: 1e9 }], "0.2055", [[3], [1]]);
});

test("VGG-16 straight pipeline on 4 GPUs: 0.4110 s", () => {
  check("vgg16", [{ machines: 4, bytesPerSec: 1e9 }], "0.4110", [[1], [1], [1], [1]], { straight: true });
});

test("VGG-16 on 16 GPUs at 1.25 GB/s: 13-2-1, 0.0548 s", () => {
  check("vgg16", [{ machines: 16, bytesPerSec: 1.25e9 }], "0.0548", [[13], [2], [1]]);
});

test("VGG-16 hierarchical 4 × 4 (10 / 1.25 GB/s): 0.0671 s", () => {
  const r = pipedreamPartition(layers("vgg16"), {
    levels: [
      { machines: 4, bytesPerSec: 10e9 },
      { machines: 4, bytesPerSec: 1.25e9 },
    ],
  });
  assert.ok(r && near(r.pipelineSec, "0.0671"), String(r?.pipelineSec));
  // Level 2: 3 servers then 1 (pipedream.md §4); the first 3-server stage is data parallel inside its servers.
  assert.deepEqual(r.stages[0]!.replicasPerLevel, [4, 3]);
  assert.ok(r.stages.slice(1).every((s) => s.replicasPerLevel[1] === 1));
});

test("ResNet-50 on 4 GPUs: 2-2, 0.1629 s; ResNet-101 on 8 GPUs at 10 GB/s: 2 + 6 singles, 0.0521 s", () => {
  check("resnet50", [{ machines: 4, bytesPerSec: 1e9 }], "0.1629", [[2], [2]]);
  check("resnet101", [{ machines: 8, bytesPerSec: 10e9 }], "0.0521", [[2], [1], [1], [1], [1], [1], [1]]);
});

test("GNMT-8 and GNMT-16 on 4 GPUs: 4 single stages, 0.0259 s and 0.1371 s; GNMT-16 on 16 GPUs: 0.0590 s", () => {
  check("gnmt", [{ machines: 4, bytesPerSec: 1e9 }], "0.0259", [[1], [1], [1], [1]], { batch: 64 });
  check("gnmt_large", [{ machines: 4, bytesPerSec: 1e9 }], "0.1371", [[1], [1], [1], [1]], { batch: 64 });
  const r = pipedreamPartition(layers("gnmt_large", 64), { levels: [{ machines: 16, bytesPerSec: 1.25e9 }] });
  assert.ok(r && near(r.pipelineSec, "0.0590"), String(r?.pipelineSec));
});

test("the memory filter (--use_memory_constraint) only removes options; with no memory only pure replication is left", () => {
  const l = layers("vgg16");
  const free = pipedreamPartition(l, { levels: [{ machines: 4, bytesPerSec: 1e9 }] })!;
  const tight = pipedreamPartition(l, { levels: [{ machines: 4, bytesPerSec: 1e9 }], memoryBytes: 4e9 });
  assert.ok(tight && tight.pipelineSec >= free.pipelineSec);
  // PipeDream's stash heuristic counts ⌈(M − r)/r⌉ stashes: zero only for one stage on all M machines.
  const none = pipedreamPartition(l, { levels: [{ machines: 4, bytesPerSec: 1e9 }], memoryBytes: 1 })!;
  assert.deepEqual(
    none.stages.map((s) => s.replicasPerLevel),
    [[4]],
  );
});
