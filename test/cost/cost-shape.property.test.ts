import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createCostModel } from "../../src/cost/create-cost-model.js";
import type { OpKind } from "../../src/graph/types.js";
import { DEVICE_PRESETS } from "../../src/hardware/presets.js";
import { mkOp } from "./helpers.js";

const KINDS: OpKind[] = [
  "linear",
  "matmul",
  "attention",
  "conv2d",
  "layernorm",
  "relu",
  "softmax",
  "add",
  "embedding",
  "loss",
  "concat",
];
const devices = [...DEVICE_PRESETS.values()];

const opArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  fwd: fc.double({ min: 1e3, max: 1e11, noNaN: true }),
  bwdFactor: fc.double({ min: 0.5, max: 3, noNaN: true }),
  out: fc.double({ min: 1, max: 1e8, noNaN: true }),
  params: fc.integer({ min: 0, max: 1e8 }),
  saved: fc.double({ min: 0, max: 1e8, noNaN: true }),
  workspace: fc.double({ min: 0, max: 1e7, noNaN: true }),
});

describe("roofline shape on every preset device", () => {
  it("bigger micro-batches never take less time in total, and never more time per sample", () => {
    let gains = 0;
    fc.assert(
      fc.property(
        opArb,
        fc.constantFrom(...devices),
        fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 1, max: 512 }),
        (o, device, a, b) => {
          fc.pre(a !== b);
          const [s, t] = a < b ? [a, b] : [b, a];
          const op = mkOp("x", o.kind, {
            fwdFlopsPerSample: o.fwd,
            bwdFlopsPerSample: o.fwd * o.bwdFactor,
            outBytesPerSample: o.out,
            params: o.params,
            paramBytes: 2 * o.params,
            savedBytesPerSample: o.saved,
            workspaceBytesPerSample: o.workspace,
            inputs: ["in"],
          });
          const cost = createCostModel(device);
          const x = cost.opTime(op, s);
          const y = cost.opTime(op, t);
          const eps = 1 + 1e-12;
          assert.ok(y.fwdSec * eps >= x.fwdSec && y.bwdSec * eps >= x.bwdSec, "total time grows");
          assert.ok(
            y.fwdSec / t <= (x.fwdSec / s) * eps && y.bwdSec / t <= (x.bwdSec / s) * eps,
            "per-sample time falls",
          );
          if ((y.fwdSec + y.bwdSec) / t < 0.95 * ((x.fwdSec + x.bwdSec) / s)) gains++;
        },
      ),
      { numRuns: 3000 },
    );
    // The interesting case: larger micro-batches were clearly cheaper per sample in many draws.
    assert.ok(gains > 300, `only ${gains} draws showed a per-sample gain`);
  });
});
