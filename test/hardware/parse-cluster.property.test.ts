import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseClusterJson } from "../../src/hardware/parse-cluster.js";
import { DEVICE_PRESETS } from "../../src/hardware/presets.js";
import { resolveCluster } from "../../src/hardware/resolve-cluster.js";

const valid = {
  name: "lab",
  device: { name: "X", family: "volta", memGiB: 16, peakTFLOPS: { fp32: 1, fp16: 2, bf16: 2 }, memBandwidthGBps: 900 },
  devicesPerNode: 4,
  intra: { bandwidthGBps: 50, latencyUs: 5 },
  inter: { bandwidthGBps: 12.5, latencyUs: 10, nodeBandwidthGBps: 25 },
};
const text = JSON.stringify(valid);

describe("hostile cluster files never crash the reader", () => {
  it("arbitrary JSON values: a cluster or issues, never a throw", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseClusterJson(JSON.stringify(v) ?? "null", "h.json", DEVICE_PRESETS);
        if (!r.ok) assert.ok(r.issues.length > 0 && r.issues.every((i) => typeof i.code === "string"));
      }),
      { numRuns: 1000 },
    );
  });

  it("a valid file with one value replaced anywhere: issues carry a path into the document", () => {
    let rejected = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.jsonValue({ maxDepth: 2 }), (k, replacement) => {
        // Replace the k-th leaf (depth-first) of the valid document.
        let seen = 0;
        const mutate = (node: unknown): unknown => {
          if (node !== null && typeof node === "object") {
            const out: Record<string, unknown> = {};
            for (const [key, val] of Object.entries(node)) out[key] = mutate(val);
            return out;
          }
          return seen++ === k ? replacement : node;
        };
        const r = parseClusterJson(JSON.stringify(mutate(valid)), "m.json", DEVICE_PRESETS);
        if (!r.ok) {
          rejected++;
          assert.ok(r.issues.every((i) => i.file === "m.json" && Array.isArray(i.path)));
        } else {
          const sized = resolveCluster({ gpus: r.value.devicesPerNode * 2, cluster: r.value });
          assert.ok(sized.ok);
        }
      }),
      { numRuns: 1000 },
    );
    assert.ok(rejected > 300, `only ${rejected} mutations were rejected`);
  });

  it("truncated files are parse errors", () => {
    for (let cut = 0; cut < text.length; cut += 7) {
      const r = parseClusterJson(text.slice(0, cut), "t.json", DEVICE_PRESETS);
      assert.ok(!r.ok);
      assert.equal(r.issues[0]!.code, "parse-error");
    }
  });
});
