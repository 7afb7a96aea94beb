import assert from "node:assert/strict";
import { describe, it } from "node:test";
import clustersJson from "../../src/hardware/presets/clusters.json" with { type: "json" };
import devicesJson from "../../src/hardware/presets/devices.json" with { type: "json" };
import {
  CLUSTER_PRESETS,
  DEVICE_PRESETS,
  FAMILY_CURVES,
  findClusterPreset,
  findDevice,
  parseClusterPresets,
  parseDevicePresets,
  USUAL_CLUSTER,
} from "../../src/hardware/presets.js";
import { DEVICE_FAMILIES } from "../../src/hardware/types.js";

const GiB = 2 ** 30;

describe("device presets", () => {
  it("has every device the task names, in datasheet numbers converted to base units", () => {
    assert.deepEqual(
      [...DEVICE_PRESETS.keys()],
      ["V100-16GB", "V100-32GB", "A100-40GB", "A100-80GB", "H100-80GB", "H200", "cpu"],
    );
    const v100 = DEVICE_PRESETS.get("V100-16GB")!;
    assert.equal(v100.memBytes, 16 * GiB);
    assert.equal(v100.peakFlopsPerSec.fp16, 125e12);
    assert.equal(v100.peakFlopsPerSec.fp32, 15.7e12);
    assert.equal(v100.memBytesPerSec, 900e9);
    assert.equal(v100.family, "volta");
    const a100 = DEVICE_PRESETS.get("A100-80GB")!;
    assert.equal(a100.memBytes, 80 * GiB);
    assert.equal(a100.peakFlopsPerSec.bf16, 312e12);
    assert.equal(a100.memBytesPerSec, 2039e9);
    assert.equal(DEVICE_PRESETS.get("A100-40GB")!.memBytesPerSec, 1555e9);
    const h100 = DEVICE_PRESETS.get("H100-80GB")!;
    assert.equal(h100.peakFlopsPerSec.fp16, 989.4e12, "dense, not the 1,979 TFLOPS sparsity figure");
    assert.equal(h100.memBytesPerSec, 3350e9);
    assert.equal(DEVICE_PRESETS.get("H200")!.memBytes, 141 * GiB);
    assert.equal(DEVICE_PRESETS.get("H200")!.memBytesPerSec, 4800e9);
  });

  it("every device's usual cluster exists", () => {
    for (const [name, cluster] of USUAL_CLUSTER) assert.ok(CLUSTER_PRESETS.has(cluster), `${name} → ${cluster}`);
    assert.equal(USUAL_CLUSTER.size, DEVICE_PRESETS.size);
  });

  it("finds devices case-insensitively and lists the names on a miss", () => {
    const found = findDevice("v100-16gb");
    assert.ok(found.ok);
    assert.equal(found.value.name, "V100-16GB");
    const miss = findDevice("V99");
    assert.ok(!miss.ok);
    assert.equal(miss.issues[0]!.code, "unknown-device");
    assert.deepEqual(miss.issues[0]!.path, ["device"]);
    assert.match(miss.issues[0]!.expected!, /V100-16GB.*H200.*cpu/);
  });
});

describe("cluster presets", () => {
  it("has every cluster the task names", () => {
    assert.deepEqual(
      [...CLUSTER_PRESETS.keys()],
      ["summit", "dgx-v100", "dgx-a100", "dgx-h100", "pcie-v100", "cpu-local"],
    );
  });

  it("summit is GraphPipe's machine: 4 × V100-16GB, NVLink inside, dual-rail EDR between nodes", () => {
    const summit = CLUSTER_PRESETS.get("summit")!;
    assert.equal(summit.device.name, "V100-16GB");
    assert.equal(summit.devicesPerNode, 4);
    assert.equal(summit.intra.bytesPerSec, 50e9);
    assert.equal(summit.inter.bytesPerSec, 12.5e9, "one EDR rail: 100 Gb/s");
    assert.equal(summit.interNodeBytesPerSec, 25e9, "two rails per node");
    assert.equal(summit.intra.latencySec, 5e-6);
    assert.equal(summit.nodes, undefined, "presets are sized by --gpus");
  });

  it("pcie-v100 is PipeDream's Cluster-A: PCIe inside, 10 Gb/s between servers", () => {
    const c = CLUSTER_PRESETS.get("pcie-v100")!;
    assert.equal(c.devicesPerNode, 4);
    assert.equal(c.inter.bytesPerSec, 1.25e9);
    assert.equal(c.interNodeBytesPerSec, 1.25e9);
  });

  it("DGX machines have 8 devices per node and one network adapter per device", () => {
    for (const name of ["dgx-v100", "dgx-a100", "dgx-h100"]) {
      const c = CLUSTER_PRESETS.get(name)!;
      assert.equal(c.devicesPerNode, 8, name);
      assert.ok(c.intra.bytesPerSec > c.inter.bytesPerSec, name);
    }
    assert.equal(CLUSTER_PRESETS.get("dgx-a100")!.interNodeBytesPerSec, 8 * 25e9);
    assert.equal(CLUSTER_PRESETS.get("dgx-h100")!.interNodeBytesPerSec, 8 * 50e9);
  });

  it("a miss lists every preset", () => {
    const miss = findClusterPreset("frontier");
    assert.ok(!miss.ok);
    assert.equal(miss.issues[0]!.code, "unknown-cluster");
    assert.match(miss.issues[0]!.expected!, /summit, dgx-v100, dgx-a100, dgx-h100, pcie-v100, cpu-local/);
  });
});

describe("bad preset files are issues with paths", () => {
  it("unknown keys, bad ranges and missing fields in devices.json", () => {
    const bad = structuredClone(devicesJson) as Record<string, Record<string, unknown>>;
    bad["V100-16GB"]!["memGB"] = 16;
    (bad["A100-40GB"]!["peakTFLOPS"] as Record<string, number>)["fp16"] = -1;
    delete bad["H200"]!["memBandwidthGBps"];
    bad["cpu"]!["family"] = "pentium";
    const r = parseDevicePresets(bad);
    assert.ok(!r.ok);
    const got = r.issues.map((i) => [i.code, i.path]);
    assert.deepEqual(got, [
      ["unknown-field", ["V100-16GB", "memGB"]],
      ["invalid-value", ["A100-40GB", "peakTFLOPS", "fp16"]],
      ["missing-field", ["H200", "memBandwidthGBps"]],
      ["invalid-value", ["cpu", "family"]],
    ]);
    assert.ok(r.issues.every((i) => i.file === "devices.json"));
  });

  it("a cluster naming an unknown device, a wrong type and a node slower than its device", () => {
    const bad = structuredClone(clustersJson) as Record<string, Record<string, unknown>>;
    bad["summit"]!["device"] = "V100-12GB";
    bad["dgx-a100"]!["devicesPerNode"] = 2.5;
    (bad["dgx-h100"]!["inter"] as Record<string, number>)["nodeBandwidthGBps"] = 10;
    const r = parseClusterPresets(bad, DEVICE_PRESETS);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.path]),
      [
        ["unknown-device", ["summit", "device"]],
        ["invalid-type", ["dgx-a100", "devicesPerNode"]],
        ["invalid-value", ["dgx-h100", "inter", "nodeBandwidthGBps"]],
      ],
    );
  });
});

describe("family curves", () => {
  it("every family has curves", () => {
    for (const f of DEVICE_FAMILIES) {
      const c = FAMILY_CURVES[f];
      assert.ok(c.gemm.length > 0 && c.vector.length > 0 && c.memory.length > 0, f);
      assert.ok(c.kernelLaunchSec >= 0, f);
    }
    assert.equal(FAMILY_CURVES.volta.kernelLaunchSec, 1e-6);
    assert.equal(FAMILY_CURVES.volta.gemm[0]!.size, 0.001e9, "kernelGFLOP converted to FLOPs");
  });
});
