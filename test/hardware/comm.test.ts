import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  allReduceSec,
  linkBetween,
  nodeBytesPerSec,
  ringAllReduceSec,
  ringReduceScatterSec,
  transferSec,
} from "../../src/hardware/comm.js";
import type { Cluster, Device } from "../../src/hardware/types.js";

const device: Device = { name: "d", memBytes: 1, peakFlopsPerSec: { fp32: 1, fp16: 1, bf16: 1 }, memBytesPerSec: 1 };
/** 3 nodes × 4 devices; round numbers so every expected value is exact arithmetic below. */
const cluster: Cluster = {
  name: "t",
  device,
  nodes: 3,
  devicesPerNode: 4,
  intra: { bytesPerSec: 100e9, latencySec: 2e-6 },
  inter: { bytesPerSec: 10e9, latencySec: 8e-6 },
  interNodeBytesPerSec: 20e9,
};

describe("links and point-to-point transfers", () => {
  it("devices on one node use intra, across nodes inter", () => {
    assert.equal(linkBetween(cluster, 0, 3), cluster.intra);
    assert.equal(linkBetween(cluster, 3, 4), cluster.inter);
    assert.equal(linkBetween(cluster, 9, 1), cluster.inter);
    assert.equal(linkBetween(cluster, 5, 5), cluster.intra);
  });

  it("transferSec = latency + bytes / bandwidth, 0 on one device or for no bytes", () => {
    assert.equal(transferSec(cluster, 0, 1, 1e9), 2e-6 + 1e9 / 100e9);
    assert.equal(transferSec(cluster, 3, 4, 1e9), 8e-6 + 1e9 / 10e9);
    assert.equal(transferSec(cluster, 2, 2, 1e9), 0);
    assert.equal(transferSec(cluster, 0, 5, 0), 0);
  });

  it("the node's aggregate defaults to one adapter per device", () => {
    assert.equal(nodeBytesPerSec(cluster), 20e9);
    const { interNodeBytesPerSec: _drop, ...noAggregate } = cluster;
    assert.equal(nodeBytesPerSec(noAggregate), 4 * 10e9);
  });
});

describe("collectives (closed forms)", () => {
  it("ring all-reduce: 2(n−1)/n · B/bw + 2(n−1)·latency", () => {
    const link = { bytesPerSec: 50e9, latencySec: 5e-6 };
    assert.equal(ringAllReduceSec(1e9, 4, link), ((2 * 3) / 4) * (1e9 / 50e9) + 2 * 3 * 5e-6);
    assert.equal(ringAllReduceSec(1e9, 1, link), 0);
    assert.equal(ringAllReduceSec(0, 8, link), 0);
    // Bandwidth term tends to 2·B/bw as n grows.
    assert.ok(Math.abs(ringAllReduceSec(1e9, 1e6, { bytesPerSec: 50e9, latencySec: 0 }) - 2 * (1e9 / 50e9)) < 1e-7);
  });

  it("reduce-scatter is half an all-reduce", () => {
    const link = { bytesPerSec: 50e9, latencySec: 5e-6 };
    assert.equal(2 * ringReduceScatterSec(3e8, 6, link), ringAllReduceSec(3e8, 6, link));
  });

  it("inside one node: a ring over intra", () => {
    assert.equal(allReduceSec(cluster, [0, 1, 2, 3], 4e8), ringAllReduceSec(4e8, 4, cluster.intra));
    assert.equal(allReduceSec(cluster, [5, 6], 4e8), ringAllReduceSec(4e8, 2, cluster.intra));
    assert.equal(allReduceSec(cluster, [7], 4e8), 0);
    assert.equal(allReduceSec(cluster, [], 4e8), 0);
    assert.equal(
      allReduceSec(cluster, [1, 1, 2], 4e8),
      ringAllReduceSec(4e8, 2, cluster.intra),
      "duplicates count once",
    );
  });

  it("across nodes: intra reduce-scatter + inter all-reduce of the shard + intra all-gather", () => {
    const B = 1.2e9;
    // 3 nodes × 4 devices: k = 4, m = 3; 4 rings share the node's 20 GB/s → 5 GB/s each (below 10 GB/s per device).
    const intra = (3 / 4) * (B / 100e9) + 3 * 2e-6;
    const inter = ((2 * 2) / 3) * (B / 4 / 5e9) + 2 * 2 * 8e-6;
    const all = Array.from({ length: 12 }, (_, i) => i);
    assert.ok(Math.abs(allReduceSec(cluster, all, B) - (2 * intra + inter)) < 1e-15);
  });

  it("one device per node: a plain ring over inter at the per-device bandwidth", () => {
    const B = 1e9;
    assert.equal(allReduceSec(cluster, [0, 4, 8], B), ringAllReduceSec(B, 3, cluster.inter));
  });

  it("uneven groups are costed with the most devices on any node", () => {
    const B = 1e9;
    assert.equal(allReduceSec(cluster, [0, 1, 2, 4], B), allReduceSec(cluster, [0, 1, 2, 4, 5, 6], B));
  });

  it("grows with bytes and crossing nodes never beats staying inside one", () => {
    let prev = 0;
    for (const B of [1e3, 1e6, 1e9]) {
      const t = allReduceSec(cluster, [0, 1, 4, 5], B);
      assert.ok(t > prev);
      prev = t;
      assert.ok(t > allReduceSec(cluster, [0, 1, 2, 3], B));
    }
  });
});
