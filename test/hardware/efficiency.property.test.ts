import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { efficiencyAt } from "../../src/hardware/efficiency.js";
import { parseFamilies } from "../../src/hardware/parse-families.js";
import familiesJson from "../../src/hardware/presets/families.json" with { type: "json" };
import { FAMILY_CURVES } from "../../src/hardware/presets.js";
import { DEVICE_FAMILIES } from "../../src/hardware/types.js";

const curves = DEVICE_FAMILIES.flatMap((f) => [
  FAMILY_CURVES[f].gemm,
  FAMILY_CURVES[f].vector,
  FAMILY_CURVES[f].memory,
]);
const size = fc.double({ min: 1, max: 1e16, noNaN: true });

describe("efficiency curves (every preset curve)", () => {
  it("hit their table points exactly and clamp outside", () => {
    for (const c of curves) {
      for (const p of c) assert.ok(Math.abs(efficiencyAt(c, p.size) - p.fraction) < 1e-12);
      assert.equal(efficiencyAt(c, c[0]!.size / 1000), c[0]!.fraction);
      assert.equal(efficiencyAt(c, c[c.length - 1]!.size * 1000), c[c.length - 1]!.fraction);
    }
  });

  it("are bounded by (0, 1], never fall with size, and time = size/fraction never falls", () => {
    fc.assert(
      fc.property(fc.constantFrom(...curves), size, size, (c, a, b) => {
        const [x, y] = a <= b ? [a, b] : [b, a];
        const ex = efficiencyAt(c, x);
        const ey = efficiencyAt(c, y);
        assert.ok(ex > 0 && ex <= 1 && ey > 0 && ey <= 1);
        assert.ok(ey >= ex - 1e-12, "efficiency never falls with size");
        assert.ok(y / ey >= (x / ex) * (1 - 1e-12), "more work never takes less time");
      }),
      { numRuns: 2000 },
    );
  });

  it("interpolate in log–log space between points", () => {
    const c = [
      { size: 1e9, fraction: 0.2 },
      { size: 1e11, fraction: 0.8 },
    ];
    // Halfway in log size → geometric mean of the fractions.
    assert.ok(Math.abs(efficiencyAt(c, 1e10) - Math.sqrt(0.2 * 0.8)) < 1e-12);
  });
});

describe("parseFamilies rejects curves that would make bigger work faster", () => {
  type Mutable = Record<string, Record<string, Array<Record<string, number>> | number | string>>;
  const base = () => structuredClone(familiesJson) as unknown as Mutable;

  it("a falling fraction, a non-increasing size, a too-steep rise and unknown families are issues with paths", () => {
    const bad = base();
    const gemm = bad["volta"]!["gemmEfficiency"] as Array<Record<string, number>>;
    gemm[5]!["fraction"] = 0.1; // falls below point 4
    const mem = bad["ampere"]!["memEfficiency"] as Array<Record<string, number>>;
    mem[2]!["movedMB"] = mem[1]!["movedMB"]!; // not increasing
    const vec = bad["hopper"]!["vectorEfficiency"] as Array<Record<string, number>>;
    vec[0]!["fraction"] = 0.001; // 0.001 → 0.2 over 10×: slope > 1
    bad["tpu"] = {};
    delete bad["cpu"];
    const r = parseFamilies(bad, { file: "families.json" });
    assert.ok(!r.ok);
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.path]),
      [
        ["unknown-field", ["tpu"]],
        ["invalid-value", ["volta", "gemmEfficiency", 5, "fraction"]],
        ["invalid-value", ["ampere", "memEfficiency", 2, "movedMB"]],
        ["invalid-value", ["hopper", "vectorEfficiency", 1, "fraction"]],
        ["missing-field", ["cpu"]],
      ],
    );
  });

  it("a fraction above 1 is out of range", () => {
    const bad = base();
    (bad["generic"]!["gemmEfficiency"] as Array<Record<string, number>>)[11]!["fraction"] = 1.5;
    const r = parseFamilies(bad);
    assert.ok(!r.ok);
    assert.deepEqual(r.issues[0]!.path, ["generic", "gemmEfficiency", 11, "fraction"]);
  });
});
