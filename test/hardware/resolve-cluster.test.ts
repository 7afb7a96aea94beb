import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseClusterJson } from "../../src/hardware/parse-cluster.js";
import { CLUSTER_PRESETS, DEVICE_PRESETS } from "../../src/hardware/presets.js";
import { DEFAULT_CLUSTER, resolveCluster } from "../../src/hardware/resolve-cluster.js";

const GiB = 2 ** 30;

function must<T>(r: { ok: true; value: T } | { ok: false; issues: readonly unknown[] }): T {
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return r.value;
}

describe("resolveCluster", () => {
  it("--gpus with a preset fills whole nodes", () => {
    const c = must(resolveCluster({ gpus: 32, cluster: "summit" }));
    assert.equal(c.nodes, 8);
    assert.equal(c.devicesPerNode, 4);
    assert.equal(c.name, "summit");
    assert.equal(c.device.name, "V100-16GB");
    assert.equal(c.inter.bytesPerSec, 12.5e9);
    assert.equal(c.interNodeBytesPerSec, 25e9);
  });

  it("fewer GPUs than a node holds → one node of that many", () => {
    const c = must(resolveCluster({ gpus: 2, cluster: "dgx-a100" }));
    assert.equal(c.nodes, 1);
    assert.equal(c.devicesPerNode, 2);
  });

  it("a count that splits a node is bad input naming --gpus", () => {
    const r = resolveCluster({ gpus: 6, cluster: "summit" });
    assert.ok(!r.ok);
    assert.equal(r.issues[0]!.code, "bad-option");
    assert.deepEqual(r.issues[0]!.path, ["gpus"]);
  });

  it("--device alone → a generic cluster of 8 per node with the device's usual links", () => {
    const c = must(resolveCluster({ gpus: 16, device: "v100-16gb" }));
    assert.equal(c.name, "generic-V100-16GB");
    assert.equal(c.device.name, "V100-16GB");
    assert.equal(c.devicesPerNode, 8);
    assert.equal(c.nodes, 2);
    assert.deepEqual(c.intra, CLUSTER_PRESETS.get("dgx-v100")!.intra);
    const h = must(resolveCluster({ gpus: 8, device: "H200" }));
    assert.deepEqual(h.inter, CLUSTER_PRESETS.get("dgx-h100")!.inter);
  });

  it("--device with --cluster swaps the device and keeps the links", () => {
    const c = must(resolveCluster({ gpus: 8, cluster: "summit", device: "A100-40GB" }));
    assert.equal(c.device.name, "A100-40GB");
    assert.equal(c.devicesPerNode, 4);
    assert.deepEqual(c.intra, CLUSTER_PRESETS.get("summit")!.intra);
    assert.equal(c.name, "summit/A100-40GB");
  });

  it("--memory replaces the device memory, in GiB", () => {
    const c = must(resolveCluster({ gpus: 4, cluster: "summit", memoryGB: 12 }));
    assert.equal(c.device.memBytes, 12 * GiB);
    assert.equal(c.device.peakFlopsPerSec.fp16, 125e12);
    assert.equal(DEVICE_PRESETS.get("V100-16GB")!.memBytes, 16 * GiB, "presets are not mutated");
  });

  it("neither cluster nor device → the default preset", () => {
    const c = must(resolveCluster({ gpus: 8 }));
    assert.equal(c.name, DEFAULT_CLUSTER);
  });

  it("collects every bad option at once", () => {
    const r = resolveCluster({ gpus: 0, cluster: "nope", device: "nope", memoryGB: -1 });
    assert.ok(!r.ok);
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.path]),
      [
        ["unknown-device", ["device"]],
        ["unknown-cluster", ["cluster"]],
        ["bad-option", ["memory"]],
        ["bad-option", ["gpus"]],
      ],
    );
    assert.match(r.issues[1]!.expected!, /summit/);
  });

  it("--gpus may be left out only for a custom file that caps its size", () => {
    const r = resolveCluster({ cluster: "summit" });
    assert.ok(!r.ok);
    assert.deepEqual(r.issues[0]!.path, ["gpus"]);
  });
});

describe("custom cluster files", () => {
  const file = JSON.stringify({
    format: "dagpipe-cluster",
    version: 1,
    name: "lab",
    device: {
      name: "X1",
      family: "ampere",
      memGiB: 24,
      peakTFLOPS: { fp32: 30, fp16: 120, bf16: 120 },
      memBandwidthGBps: 900,
    },
    devicesPerNode: 2,
    nodes: 3,
    intra: { bandwidthGBps: 32, latencyUs: 10 },
    inter: { bandwidthGBps: 12.5, latencyUs: 20 },
  });

  it("parses with units converted and sizes from --gpus within the cap", () => {
    const spec = must(parseClusterJson(file, "lab.json", DEVICE_PRESETS));
    assert.equal(spec.device.memBytes, 24 * GiB);
    assert.equal(spec.device.peakFlopsPerSec.fp16, 120e12);
    assert.equal(spec.intra.latencySec, 10e-6);
    assert.equal(spec.inter.bytesPerSec, 12.5e9);
    assert.equal(spec.interNodeBytesPerSec, undefined);
    const c = must(resolveCluster({ gpus: 4, cluster: spec }));
    assert.equal(c.name, "lab");
    assert.equal(c.nodes, 2);
    const all = must(resolveCluster({ cluster: spec }));
    assert.equal(all.nodes, 3);
    const tooMany = resolveCluster({ gpus: 8, cluster: spec });
    assert.ok(!tooMany.ok);
    assert.deepEqual(tooMany.issues[0]!.path, ["gpus"]);
  });

  it("a device may be a preset name", () => {
    const spec = must(
      parseClusterJson(
        JSON.stringify({
          device: "h100-80gb",
          devicesPerNode: 4,
          intra: { bandwidthGBps: 450, latencyUs: 3 },
          inter: { bandwidthGBps: 50, latencyUs: 5 },
        }),
        "c.json",
        DEVICE_PRESETS,
      ),
    );
    assert.equal(spec.device.name, "H100-80GB");
    assert.equal(spec.name, "custom");
  });

  it("every problem is an issue with the file and its JSON path", () => {
    const bad = JSON.stringify({
      name: "x",
      device: { memGiB: 0, peakTFLOPS: { fp32: 1, fp16: 1 }, memBandwidthGBps: 900, colour: "red" },
      devicesPerNode: 0,
      intra: { bandwidthGBps: 32 },
      inter: { bandwidthGBps: 12.5, latencyUs: -1 },
      extra: true,
    });
    const r = parseClusterJson(bad, "bad.json", DEVICE_PRESETS);
    assert.ok(!r.ok);
    const got = r.issues.map((i) => `${i.code} ${JSON.stringify(i.path)}`).sort();
    assert.deepEqual(
      got,
      [
        'invalid-value ["devicesPerNode"]',
        'missing-field ["intra","latencyUs"]',
        'invalid-value ["inter","latencyUs"]',
        'unknown-field ["extra"]',
        'invalid-value ["device","memGiB"]',
        'missing-field ["device","peakTFLOPS","bf16"]',
        'unknown-field ["device","colour"]',
      ].sort(),
    );
    assert.ok(r.issues.every((i) => i.file === "bad.json"));
  });

  it("an inline device needs a name; a wrong device type is named", () => {
    const noName = parseClusterJson(
      JSON.stringify({
        device: { memGiB: 1, peakTFLOPS: { fp32: 1, fp16: 1, bf16: 1 }, memBandwidthGBps: 1 },
        devicesPerNode: 1,
        intra: { bandwidthGBps: 1, latencyUs: 1 },
        inter: { bandwidthGBps: 1, latencyUs: 1 },
      }),
      "n.json",
      DEVICE_PRESETS,
    );
    assert.ok(!noName.ok);
    assert.deepEqual(
      noName.issues.map((i) => [i.code, i.path]),
      [["missing-field", ["device", "name"]]],
    );
    const wrongType = parseClusterJson(JSON.stringify({ device: 7 }), "w.json", DEVICE_PRESETS);
    assert.ok(!wrongType.ok);
    assert.ok(wrongType.issues.some((i) => i.code === "invalid-type" && i.path?.[0] === "device"));
  });

  it("broken JSON is a parse error with a line", () => {
    const r = parseClusterJson('{\n  "name": "x",\n  oops\n}', "broken.json", DEVICE_PRESETS);
    assert.ok(!r.ok);
    assert.equal(r.issues[0]!.code, "parse-error");
    assert.equal(r.issues[0]!.file, "broken.json");
    assert.equal(r.issues[0]!.line, 3);
  });

  it("hostile documents never throw", () => {
    for (const text of ["", "null", "[]", "42", '"x"', '{"device": null}', '{"device": []}', "{".repeat(5000)]) {
      const r = parseClusterJson(text, "h.json", DEVICE_PRESETS);
      assert.ok(!r.ok, text.slice(0, 20));
    }
  });
});
