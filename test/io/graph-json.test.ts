import assert from "node:assert/strict";
import { test } from "node:test";
import { readGraphJson, writeGraphJson } from "../../src/io/graph-json.js";
import { buildZooModel, ZOO } from "../../src/models/index.js";
import type { Issue, Result } from "../../src/util/issues.js";
import { firstSyntaxErrorOffset, locateJsonPaths } from "../../src/util/json-text.js";

function issuesOf(r: Result<unknown>): readonly Issue[] {
  assert.equal(r.ok, false, "expected issues");
  return r.ok ? [] : r.issues;
}
const brief = (i: Issue) => `${i.code}@${(i.path ?? []).join(".")}:${i.line ?? "-"}`;

test("round trip: every zoo model → write → read gives the same graph", () => {
  for (const name of Object.keys(ZOO)) {
    const g = buildZooModel(name, name === "gpt" ? ["--layers", "3"] : []);
    const r = readGraphJson(writeGraphJson(g), `${name}.json`);
    assert.ok(r.ok, `${name}: ${JSON.stringify(!r.ok && r.issues.slice(0, 2))}`);
    assert.deepEqual(r.value, g, name);
  }
});

test("the writer puts one op per line after a small header", () => {
  const g = buildZooModel("nbranch", ["--branches", "2", "--layers", "1"]);
  const lines = writeGraphJson(g).split("\n");
  const opLines = lines.filter((l) => l.startsWith('    {"id":'));
  assert.equal(opLines.length, g.ops.length);
  assert.ok(lines[1]!.includes('"format": "dagpipe-graph"'));
});

test("fields a user leaves out are derived from kind and attributes; explicit numbers win", () => {
  const text = JSON.stringify({
    name: "tiny",
    dtype: "fp32",
    ops: [
      { id: "x", kind: "input", outShape: [16] },
      { id: "fc", kind: "linear", inputs: ["x"], attrs: { inFeatures: 16, outFeatures: 4 } },
      {
        id: "act",
        kind: "relu",
        inputs: ["fc"],
        fwdFlopsPerSample: 99,
        profile: { points: [{ microBatch: 1, fwdSec: 0.001, bwdSec: 0.002 }] },
      },
      { id: "loss", kind: "loss", inputs: ["act"], attrs: { fn: "mse" } },
    ],
  });
  const r = readGraphJson(text, "tiny.json");
  assert.ok(r.ok);
  const [x, fc, act] = r.value.ops;
  assert.equal(r.value.dtype, "fp32");
  assert.deepEqual(x!.outShape, [16]);
  assert.equal(fc!.params, 16 * 4 + 4);
  assert.equal(fc!.paramBytes, 4 * (16 * 4 + 4));
  assert.equal(fc!.attrs.bias, true, "defaults are written into attrs");
  assert.deepEqual(fc!.outShape, [4]);
  assert.equal(act!.fwdFlopsPerSample, 99);
  assert.equal(act!.profile?.points[0]?.bwdSec, 0.002);
  assert.equal(
    readGraphJson(JSON.stringify({ ops: [{ id: "x", kind: "input", outShape: [1] }] }), "dir/my-graph.json").ok && "ok",
    "ok",
  );
});

test("a graph file with a cycle names the ops on the cycle, with path and line", () => {
  const text = [
    "{",
    '  "ops": [',
    '    {"id": "x", "kind": "input", "outShape": [4]},',
    '    {"id": "a", "kind": "add", "inputs": ["x", "c"]},',
    '    {"id": "b", "kind": "relu", "inputs": ["a"]},',
    '    {"id": "c", "kind": "relu", "inputs": ["b"]}',
    "  ]",
    "}",
  ].join("\n");
  const issues = issuesOf(readGraphJson(text, "cyc.json"));
  assert.deepEqual(issues.map(brief), ["cycle@ops.1:4"]);
  assert.match(issues[0]!.message, /a → b → c → a/);
  assert.equal(issues[0]!.file, "cyc.json");
});

test("schema problems: wrong type, unknown field, missing id, unknown kind — each with its JSON path and line", () => {
  const text = [
    '{"ops": [',
    '  {"id": "x", "kind": "input", "outShape": [4, "8"]},',
    '  {"id": "y", "kind": "lineer", "bogus": 1, "inputs": ["x"]},',
    '  {"kind": "relu", "inputs": ["x"]},',
    '  {"id": "z", "kind": "relu", "inputs": "x", "params": -3}',
    '], "dtype": "fp8"}',
  ].join("\n");
  assert.deepEqual(issuesOf(readGraphJson(text, "bad.json")).map(brief).sort(), [
    "bad-number@ops.3.params:5",
    "invalid-type@ops.0.outShape.1:2",
    "invalid-type@ops.3.inputs:5",
    "invalid-value@dtype:6",
    "missing-field@ops.2.id:4",
    "unknown-field@ops.1.bogus:3",
    "unknown-kind@ops.1.kind:3",
  ]);
});

test("out-of-range numbers are bad-number issues, huge integers included", () => {
  const text = '{"ops": [{"id": "x", "kind": "input", "outShape": [1e300, -1], "fwdFlopsPerSample": -2}]}';
  assert.deepEqual(issuesOf(readGraphJson(text, "n.json")).map(brief), [
    "bad-number@ops.0.outShape.0:1",
    "bad-number@ops.0.outShape.1:1",
    "bad-number@ops.0.fwdFlopsPerSample:1",
  ]);
});

test("derivation problems come back with paths inside the op: attributes, shapes, unknown inputs", () => {
  const text = [
    '{"ops": [',
    '  {"id": "x", "kind": "input", "outShape": [8]},',
    '  {"id": "fc", "kind": "linear", "inputs": ["x"], "attrs": {"inFeatures": 7, "outFeatures": 2}},',
    '  {"id": "n", "kind": "layernorm", "inputs": ["x"], "attrs": {"eps": 1e-5}},',
    '  {"id": "m", "kind": "relu", "inputs": ["ghost"]}',
    "]}",
  ].join("\n");
  assert.deepEqual(issuesOf(readGraphJson(text, "g.json")).map(brief), ["unknown-input@ops.3.inputs.0:5"]);
  const fixed = text.replace('"ghost"', '"x"');
  assert.deepEqual(issuesOf(readGraphJson(fixed, "g.json")).map(brief), [
    "shape-mismatch@ops.1.inputs.0:3",
    "missing-field@ops.2.attrs.features:4",
  ]);
  const contradict =
    '{"ops": [{"id": "x", "kind": "input", "outShape": [8]}, {"id": "r", "kind": "relu", "inputs": ["x"], "outShape": [9]}]}';
  assert.deepEqual(issuesOf(readGraphJson(contradict, "g.json")).map(brief), ["shape-mismatch@ops.1.outShape:1"]);
});

test("not JSON at all: one parse-error with line and column; an empty file says so", () => {
  const issues = issuesOf(readGraphJson('{\n  "ops": [\n    {"id": "x",, "kind": "input"}\n  ]\n}', "p.json"));
  assert.deepEqual(
    issues.map((i) => [i.code, i.line, i.column]),
    [["parse-error", 3, 16]],
  );
  assert.deepEqual(
    issuesOf(readGraphJson("  \n", "e.json")).map((i) => i.code),
    ["parse-error"],
  );
  assert.deepEqual(
    issuesOf(readGraphJson('{"ops": []}', "e.json")).map((i) => i.code),
    ["empty-graph"],
  );
  assert.deepEqual(
    issuesOf(readGraphJson("[1, 2]", "e.json")).map((i) => i.code),
    ["invalid-type"],
  );
});

test("locateJsonPaths finds many paths in one pass, through escapes and skipped nesting", () => {
  const text = '{\n "a": {"x": [1, {"q": "}\\"]"}], "y": 2},\n "b": [\n  10,\n  [20, 30],\n  {"k\\"ey": true}\n ]\n}';
  const places = locateJsonPaths(text, [["a", "y"], ["b", 1, 1], ["b", 2, 'k"ey'], ["b", 9], ["a", "missing"], []]);
  assert.deepEqual(places, [
    { line: 2, column: 38 },
    { line: 5, column: 8 },
    { line: 6, column: 13 },
    { line: 3, column: 7 },
    { line: 2, column: 7 },
    undefined,
  ]);
});

test("firstSyntaxErrorOffset points at the first bad token and accepts valid JSON", () => {
  assert.equal(firstSyntaxErrorOffset('{"a": [1, 2, {"b": null}], "c": "x\\"y"}'), -1);
  assert.equal(firstSyntaxErrorOffset('{"a": 1,}'), 8);
  assert.equal(firstSyntaxErrorOffset("[1 2]"), 3);
  assert.equal(firstSyntaxErrorOffset('{"a" 1}'), 5);
  assert.equal(firstSyntaxErrorOffset("[1, 2"), 5);
  assert.equal(firstSyntaxErrorOffset("{} {}"), 3);
  assert.equal(firstSyntaxErrorOffset("[01]"), 2);
});
