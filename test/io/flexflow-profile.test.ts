/** FlexFlow / GraphPipe profile.json → ops with measured profiles; contradictions are issues with places. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { validateGraph } from "../../src/graph/validate.js";
import { looksLikeFlexflowProfile, readFlexflowProfile } from "../../src/io/flexflow-profile.js";

const FILE = fileURLToPath(new URL("../fixtures/flexflow/two-branch.json", import.meta.url));
const TEXT = readFileSync(FILE, "utf8");
const DOC = JSON.parse(TEXT) as Record<string, Record<string, unknown>>;

function issuesOf(doc: unknown) {
  const r = readFlexflowProfile(JSON.stringify(doc, null, 1), "profile.json");
  assert.equal(r.ok, false);
  return r.ok ? [] : r.issues.map((i) => ({ code: i.code, path: i.path }));
}

describe("FlexFlow profile.json", () => {
  it("every op keeps its measured times, split forward 1 : backward 2 with weights, 1 : 1 without", () => {
    const r = readFlexflowProfile(TEXT, "two-branch.json");
    assert.ok(r.ok);
    const g = r.value;
    assert.deepEqual(validateGraph(g), []);
    const dense = g.ops.find((op) => op.id === "0");
    assert.deepEqual(
      dense?.profile?.points.map((p) => p.microBatch),
      [1, 2, 4, 8],
    );
    const p = dense?.profile?.points[3];
    assert.ok(p);
    assert.ok(Math.abs(p.fwdSec + p.bwdSec - 0.52e-3) < 1e-15);
    assert.ok(Math.abs(p.bwdSec - 2 * p.fwdSec) < 1e-15);
    const relu = g.ops.find((op) => op.id === "1")?.profile?.points[0];
    assert.equal(relu?.fwdSec, relu?.bwdSec);
  });

  it("sizes: weights as parameters, readers' input sizes as output bytes, inputs as saved bytes, workspace per sample", () => {
    const r = readFlexflowProfile(TEXT, "two-branch.json");
    assert.ok(r.ok);
    const byId = new Map(r.value.ops.map((op) => [op.id, op]));
    assert.equal(byId.get("0")?.paramBytes, 67125248);
    assert.equal(byId.get("0")?.params, 67125248 / 4);
    assert.equal(byId.get("2")?.outBytesPerSample, 16384);
    assert.equal(byId.get("6")?.savedBytesPerSample, 32768);
    assert.equal(byId.get("7")?.outBytesPerSample, 4000);
    assert.equal(byId.get("7")?.workspaceBytesPerSample, 8388608 / 8);
    // Two branches, each fed by its own graph input, joined by the concat.
    assert.deepEqual(
      r.value.ops.filter((op) => op.kind === "input").map((op) => op.id),
      ["input:0", "input:3"],
    );
    assert.deepEqual(byId.get("6")?.inputs, ["2", "5"]);
  });

  it("is recognised by content", () => {
    assert.ok(looksLikeFlexflowProfile(TEXT));
    assert.equal(looksLikeFlexflowProfile('{"model_type": "gpt2", "n_layer": 12}'), false);
  });

  it("an edge to an op the profile lacks, a cycle, a size contradiction, a negative size", () => {
    assert.deepEqual(issuesOf({ ...DOC, "2": { ...DOC["2"], inputs: [9] } }), [
      { code: "unknown-input", path: ["2", "inputs", 0] },
    ]);
    assert.deepEqual(issuesOf({ ...DOC, "0": { ...DOC["0"], inputs: [2] } }), [{ code: "cycle", path: ["0"] }]);
    // op 6 reads 16384 bytes per sample from op 2; a second reader saying 100 contradicts it.
    assert.deepEqual(issuesOf({ ...DOC, "8": { inputs: [2], input_size: [100], runtime: { "1": 0.1 } } }), [
      { code: "shape-mismatch", path: ["8", "input_size", 0] },
    ]);
    assert.deepEqual(issuesOf({ ...DOC, "6": { ...DOC["6"], input_size: [16384] } }), [
      { code: "shape-mismatch", path: ["6", "input_size"] },
    ]);
    assert.deepEqual(issuesOf({ ...DOC, "3": { ...DOC["3"], weight_size: -1 } }), [
      { code: "bad-number", path: ["3", "weight_size"] },
    ]);
    assert.deepEqual(issuesOf({ ...DOC, "3": { ...DOC["3"], runtime: { "0": 1 } } }), [
      { code: "invalid-value", path: ["3", "runtime", "0"] },
    ]);
    assert.deepEqual(issuesOf({}), [{ code: "empty-graph", path: [] }]);
  });
});
