import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { rangeSizes, rangeTimes, stageTime } from "../../src/cost/stage-cost.js";
import type { CostModel } from "../../src/cost/types.js";
import type { Op } from "../../src/graph/types.js";
import { flatDevice, mkOp } from "./helpers.js";

/** A cost model with exact, recognisable times: fwd = id·samples ms, bwd = twice that. */
const linearCost: CostModel = {
  device: flatDevice,
  opTime: (op, samples) => ({ fwdSec: Number(op.id) * samples * 1e-3, bwdSec: 2 * Number(op.id) * samples * 1e-3 }),
};

function ops(n: number, seed = 1): Op[] {
  return Array.from({ length: n }, (_, i) =>
    mkOp(String(i + 1), "linear", {
      params: (i * 7 + seed) % 11,
      paramBytes: 2 * ((i * 7 + seed) % 11),
      savedBytesPerSample: (i * 13 + seed) % 17,
      fwdFlopsPerSample: i + 1,
      bwdFlopsPerSample: 2 * (i + 1),
      workspaceBytesPerSample: (i * 31 + seed) % 23,
    }),
  );
}

describe("stageTime", () => {
  it("sums op times at the micro-batch size", () => {
    const t = stageTime(ops(4), linearCost, 8);
    assert.ok(Math.abs(t.fwdSec - (1 + 2 + 3 + 4) * 8e-3) < 1e-15);
    assert.ok(Math.abs(t.bwdSec - 2 * (1 + 2 + 3 + 4) * 8e-3) < 1e-15);
    assert.deepEqual(stageTime([], linearCost, 8), { fwdSec: 0, bwdSec: 0 });
  });
});

describe("range structures", () => {
  it("answer every contiguous range like a direct sum (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 64 }),
        fc.nat(),
        fc.nat(),
        (n, samples, a, b) => {
          const list = ops(n, samples);
          const times = rangeTimes(list, linearCost, samples);
          const sizes = rangeSizes(list);
          const from = n === 0 ? 0 : a % (n + 1);
          const to = n === 0 ? 0 : from + (b % (n - from + 1));
          const slice = list.slice(from, to);
          const direct = stageTime(slice, linearCost, samples);
          const tol = 1e-9;
          assert.ok(Math.abs(times.fwdSec(from, to) - direct.fwdSec) < tol);
          assert.ok(Math.abs(times.bwdSec(from, to) - direct.bwdSec) < tol);
          const sum = (f: (o: Op) => number) => slice.reduce((s, o) => s + f(o), 0);
          assert.equal(
            sizes.params(from, to),
            sum((o) => o.params),
          );
          assert.equal(
            sizes.paramBytes(from, to),
            sum((o) => o.paramBytes),
          );
          assert.equal(
            sizes.savedBytesPerSample(from, to),
            sum((o) => o.savedBytesPerSample),
          );
          assert.equal(
            sizes.fwdFlopsPerSample(from, to),
            sum((o) => o.fwdFlopsPerSample),
          );
          assert.equal(
            sizes.bwdFlopsPerSample(from, to),
            sum((o) => o.bwdFlopsPerSample),
          );
          assert.equal(
            sizes.maxWorkspaceBytesPerSample(from, to),
            Math.max(0, ...slice.map((o) => o.workspaceBytesPerSample ?? 0)),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("ask the cost model once per op, not once per query", () => {
    let calls = 0;
    const counting: CostModel = {
      device: flatDevice,
      opTime: (op, s) => {
        calls++;
        return linearCost.opTime(op, s);
      },
    };
    const t = rangeTimes(ops(100), counting, 4);
    for (let i = 0; i < 100; i++) for (let j = i; j <= 100; j++) t.fwdSec(i, j);
    assert.equal(calls, 100);
  });

  it("reject ranges outside the order", () => {
    const t = rangeTimes(ops(3), linearCost, 1);
    assert.throws(() => t.fwdSec(2, 1), RangeError);
    assert.throws(() => t.fwdSec(0, 4), RangeError);
    assert.throws(() => rangeSizes(ops(3)).maxWorkspaceBytesPerSample(-1, 2), RangeError);
  });
});
