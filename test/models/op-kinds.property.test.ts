import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { broadcastShapes, deriveOp, type OpSpec } from "../../src/graph/op-kinds/index.js";
import { pooledSize } from "../../src/graph/op-kinds/pool.js";
import type { Op } from "../../src/graph/types.js";
import { buildZooModel, ZOO } from "../../src/models/index.js";

/** Output positions of a sliding window, counted by trying every start (the definition, not the formula). */
function windowsBruteForce(size: number, k: number, s: number, p: number, d: number): number {
  const span = d * (k - 1) + 1;
  let n = 0;
  for (let start = -p; start + span <= size + p; start += s) n++;
  return n;
}

test("conv2d output size and MAC count match a brute-force sliding window", () => {
  let reached = 0;
  fc.assert(
    fc.property(
      fc.record({
        h: fc.integer({ min: 1, max: 40 }),
        w: fc.integer({ min: 1, max: 40 }),
        k: fc.integer({ min: 1, max: 7 }),
        s: fc.integer({ min: 1, max: 4 }),
        p: fc.integer({ min: 0, max: 3 }),
        d: fc.integer({ min: 1, max: 3 }),
        groups: fc.constantFrom(1, 2, 4),
        bias: fc.boolean(),
      }),
      (c) => {
        const inC = 4 * c.groups;
        const outC = 2 * c.groups;
        const spec: OpSpec = {
          id: "c",
          kind: "conv2d",
          inputs: ["x"],
          attrs: {
            inChannels: inC,
            outChannels: outC,
            kernel: [c.k, c.k],
            stride: [c.s, c.s],
            padding: [c.p, c.p],
            dilation: [c.d, c.d],
            groups: c.groups,
            bias: c.bias,
          },
        };
        const r = deriveOp(spec, [[inC, c.h, c.w]], "fp32");
        const oh = windowsBruteForce(c.h, c.k, c.s, c.p, c.d);
        const ow = windowsBruteForce(c.w, c.k, c.s, c.p, c.d);
        if (oh < 1 || ow < 1) {
          assert.ok(!r.ok && r.issues[0]!.code === "shape-mismatch");
          return;
        }
        reached++;
        assert.ok(r.ok);
        assert.deepEqual(r.value.outShape, [outC, oh, ow]);
        const macs = outC * oh * ow * (inC / c.groups) * c.k * c.k;
        assert.equal(r.value.fwdFlopsPerSample, 2 * macs + (c.bias ? outC * oh * ow : 0));
        assert.equal(r.value.params, outC * (inC / c.groups) * c.k * c.k + (c.bias ? outC : 0));
      },
    ),
    { numRuns: 300 },
  );
  assert.ok(reached > 100, `valid convolutions reached: ${reached}`);
});

test("pool output size follows torch's rule: windows start inside the (left-padded) input", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 2 }),
      fc.boolean(),
      (size, k, s, p, ceil) => {
        fc.pre(2 * p <= k && size + 2 * p >= k);
        // Window starts t = 0, s, 2s, … in padded coordinates (padded length L). floor: the window fits in L.
        // ceil: also a last partial window (t < L − k + s), as long as it starts inside the input or its
        // left padding (t < size + p).
        const L = size + 2 * p;
        let n = 0;
        for (let t = 0; t < L; t += s) {
          if (t + k <= L || (ceil && t < L - k + s && t < size + p)) n++;
        }
        assert.equal(pooledSize(size, k, s, p, ceil), n);
      },
    ),
    { numRuns: 500 },
  );
});

test("broadcasting is symmetric and agrees with the NumPy rule", () => {
  const shape = fc.array(fc.constantFrom(1, 2, 3), { maxLength: 4 });
  fc.assert(
    fc.property(shape, shape, (a, b) => {
      const ab = broadcastShapes(a, b);
      assert.deepEqual(ab, broadcastShapes(b, a));
      const n = Math.max(a.length, b.length);
      const pad = (x: number[]) => [...new Array<number>(n - x.length).fill(1), ...x];
      const [pa, pb] = [pad(a), pad(b)];
      const ok = pa.every((x, i) => x === pb[i] || x === 1 || pb[i] === 1);
      assert.deepEqual(ab, ok ? pa.map((x, i) => Math.max(x, pb[i]!)) : undefined);
    }),
  );
});

test("derivation is idempotent: re-deriving any zoo op from its own record gives the same op", () => {
  const graphs = Object.keys(ZOO).map((name) => buildZooModel(name, name === "gpt" ? ["--layers", "2"] : []));
  const ops = graphs.flatMap((g) => g.ops.map((op) => ({ g, op })));
  fc.assert(
    fc.property(fc.constantFrom(...ops), ({ g, op }) => {
      const byId = new Map(g.ops.map((o) => [o.id, o] as const));
      const inputs = op.inputs.map((i) => byId.get(i)!);
      const elemBytes = inputs.map(
        (o: Op) =>
          o.outBytesPerSample /
          Math.max(
            1,
            o.outShape.reduce((a, b) => a * b, 1),
          ),
      );
      const bare: OpSpec = {
        id: op.id,
        kind: op.kind,
        inputs: op.inputs,
        attrs: op.attrs,
        ...(op.kind === "input" ? { outShape: op.outShape } : {}),
      };
      const r = deriveOp(
        bare,
        inputs.map((o) => o.outShape),
        g.dtype,
        elemBytes,
      );
      assert.ok(r.ok);
      assert.deepEqual(r.value, op);
    }),
    { numRuns: 300 },
  );
});
