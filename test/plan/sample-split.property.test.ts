import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { replicaRange, replicaSamples, replicaTransfers } from "../../src/plan/sample-split.js";

const arbSplit = fc
  .record({
    samples: fc.integer({ min: 1, max: 300 }),
    a: fc.integer({ min: 1, max: 40 }),
    b: fc.integer({ min: 1, max: 40 }),
  })
  .filter(({ samples, a, b }) => samples >= a && samples >= b);

test("ranges tile [0, samples) in order, sizes differ by at most one", () => {
  fc.assert(
    fc.property(arbSplit, ({ samples, a }) => {
      let at = 0;
      const sizes: number[] = [];
      for (let j = 0; j < a; j++) {
        const r = replicaRange(samples, a, j);
        assert.equal(r.start, at);
        assert.ok(r.end > r.start);
        assert.equal(replicaSamples(samples, a, j), r.end - r.start);
        sizes.push(r.end - r.start);
        at = r.end;
      }
      assert.equal(at, samples);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    }),
  );
});

test("transfers cover each sender's and each receiver's range exactly once", () => {
  fc.assert(
    fc.property(arbSplit, ({ samples, a, b }) => {
      const t = replicaTransfers(samples, a, b);
      const sent = new Array<number>(a).fill(0);
      const got = new Array<number>(b).fill(0);
      let at = 0;
      for (const x of t) {
        assert.equal(x.start, at, "pieces are ordered and contiguous");
        assert.ok(x.samples > 0 && x.samples === x.end - x.start);
        const fr = replicaRange(samples, a, x.from);
        const tr = replicaRange(samples, b, x.to);
        assert.ok(x.start >= fr.start && x.end <= fr.end && x.start >= tr.start && x.end <= tr.end);
        sent[x.from]! += x.samples;
        got[x.to]! += x.samples;
        at = x.end;
      }
      assert.equal(at, samples);
      for (let j = 0; j < a; j++) assert.equal(sent[j], replicaSamples(samples, a, j));
      for (let j = 0; j < b; j++) assert.equal(got[j], replicaSamples(samples, b, j));
      assert.ok(t.length <= a + b - 1);
    }),
  );
});
