import assert from "node:assert/strict";
import { test } from "node:test";
import { chainPlan } from "../../src/plan/build-plan.js";
import { readPlanJson, writePlanJson } from "../../src/plan/plan-json.js";
import type { PlanDocument } from "../../src/plan/types.js";
import type { Issue } from "../../src/util/issues.js";
import { chainGraph, testCluster } from "./fixtures.js";

const graph = chainGraph(4);
const cluster = { ...testCluster({ devicesPerNode: 4 }), device: { ...testCluster().device, memBytesPerSec: 9e11 } };
const linked = {
  ...cluster,
  intra: { bytesPerSec: 1e11, latencySec: 1e-6 },
  inter: { bytesPerSec: 1e10, latencySec: 5e-6 },
};
const doc: PlanDocument = {
  format: "dagpipe-plan",
  version: 1,
  planner: "test",
  graph,
  cluster: linked,
  plan: chainPlan(graph, 2, { microBatch: 4, microBatches: 8, schedule: "1f1b" }),
};

function issuesOf(text: string): readonly Issue[] {
  const r = readPlanJson(text, "p.json");
  assert.equal(r.ok, false);
  return r.ok ? [] : r.issues;
}

test("a written plan document reads back equal", () => {
  const text = writePlanJson(doc);
  const r = readPlanJson(text, "p.json");
  assert.ok(r.ok);
  if (r.ok) assert.deepEqual(r.value, doc);
  assert.ok(text.endsWith("}\n"));
});

test("bad JSON: a parse-error with the line and column", () => {
  const [issue] = issuesOf('{\n  "format": "dagpipe-plan",\n  oops\n}');
  assert.equal(issue?.code, "parse-error");
  assert.equal(issue?.file, "p.json");
  assert.equal(issue?.line, 3);
  assert.equal(issue?.column, 3);
});

test("shape errors name the JSON path and the line: unknown field, wrong type, missing field, bad enum", () => {
  const raw = JSON.parse(writePlanJson(doc));
  raw.plan.stages[1].devicez = [1];
  raw.plan.microBatch = "4";
  delete raw.plan.stages[0].dataParallel;
  raw.plan.schedule = "zigzag";
  const text = JSON.stringify(raw, null, 2);
  const issues = issuesOf(text);
  const byCode = (c: string) => issues.find((i) => i.code === c);
  assert.deepEqual(byCode("unknown-field")?.path, ["plan", "stages", 1, "devicez"]);
  assert.deepEqual(byCode("invalid-type")?.path, ["plan", "microBatch"]);
  assert.deepEqual(byCode("missing-field")?.path, ["plan", "stages", 0, "dataParallel"]);
  assert.deepEqual(byCode("invalid-value")?.path, ["plan", "schedule"]);
  const lines = text.split("\n");
  const unknown = byCode("unknown-field")!;
  assert.match(lines[unknown.line! - 1]!, /"devicez"/);
  assert.match(lines[byCode("invalid-type")!.line! - 1]!, /"microBatch": "4"/);
  assert.ok(issues.every((i) => i.file === "p.json"));
});

test("a structurally valid document with an invalid plan reports the plan's issues under plan.*", () => {
  const raw = JSON.parse(writePlanJson(doc));
  raw.plan.stages[1].devices = [9];
  const issues = issuesOf(JSON.stringify(raw, null, 1));
  assert.deepEqual(
    issues.map((i) => [i.code, i.path]),
    [["device-out-of-range", ["plan", "stages", 1, "devices", 0]]],
  );
  assert.ok(issues[0]!.line! > 1);
});

test("an invalid graph inside the document is reported under graph.*", () => {
  const raw = JSON.parse(writePlanJson(doc));
  raw.graph.ops[2].inputs = ["ghost"];
  const issues = issuesOf(JSON.stringify(raw));
  assert.ok(issues.length > 0);
  assert.ok(issues.every((i) => i.path?.[0] === "graph"));
});

test("hostile inputs never throw: every failure is an issue", () => {
  for (const text of ["", "null", "[]", "42", '"x"', "{}", '{"format":"dagpipe-plan","version":2}', "{".repeat(50)]) {
    const r = readPlanJson(text, "h.json");
    assert.equal(r.ok, false, text);
  }
});

test("hostile inputs: deep nesting and thousands of errors end quickly as issues", () => {
  const deep = `${"[".repeat(200000)}${"]".repeat(200000)}`;
  assert.equal(readPlanJson(deep, "deep.json").ok, false);
  const raw = JSON.parse(writePlanJson(doc));
  for (let i = 0; i < 5000; i++) raw.plan[`junk${i}`] = i;
  const issues = issuesOf(JSON.stringify(raw, null, 2));
  assert.equal(issues.length, 5000);
  assert.ok(issues.every((i) => i.code === "unknown-field"));
  assert.ok(issues[0]!.line !== undefined, "the first issues get a line");
});
