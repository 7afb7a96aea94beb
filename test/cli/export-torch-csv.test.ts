import assert from "node:assert/strict";
import { test } from "node:test";
import { torchCsv } from "../../src/io/torch-csv.js";
import type { Plan } from "../../src/plan/types.js";
import { tinyGpipe, tinyPlanDoc } from "../runtime/hand-plan.js";

// torch.distributed.pipelining's _Action grammar (research note B.2).
const ACTION = /^(\d+)(F|I|B|W|UNSHARD|RESHARD|REDUCE_GRAD|SEND_F|RECV_F|SEND_B|RECV_B)(\d*)$/;

test("a chain GPipe schedule becomes one CSV row per rank in torch's _Action text", () => {
  const r = torchCsv(tinyPlanDoc.plan, tinyGpipe);
  assert.ok(r.ok);
  assert.equal(
    r.value.text,
    [
      "0F0,0SEND_F0,0F1,0SEND_F1,0RECV_B1,0B1,0RECV_B0,0B0",
      "1RECV_F0,1F0,1RECV_F1,1F1,1B1,1SEND_B1,1B0,1SEND_B0",
      "",
    ].join("\n"),
  );
  for (const cell of r.value.text.trim().split(/[\n,]/)) assert.match(cell, ACTION);
  assert.deepEqual(r.value.rankDevices, [[0], [1]]);
  assert.deepEqual(r.value.notes, ["left out (no torch action): step"]);
});

test("compute_only keeps F/I/W/B only", () => {
  const r = torchCsv(tinyPlanDoc.plan, tinyGpipe, "compute_only");
  assert.ok(r.ok);
  assert.equal(r.value.text, "0F0,0F1,0B1,0B0\n1F0,1F1,1B1,1B0\n");
});

test("a backward split into B and W exports as I and W", () => {
  const split = {
    ...tinyGpipe,
    actions: tinyGpipe.actions.map((row) =>
      row.flatMap((a) => (a.kind === "B" ? [a, { ...a, kind: "W" as const }] : [a])),
    ),
  };
  const r = torchCsv(tinyPlanDoc.plan, split, "compute_only");
  assert.ok(r.ok);
  assert.equal(r.value.text.split("\n")[0], "0F0,0F1,0I1,0W1,0I0,0W0");
});

test("a stage DAG is rejected: torch pipelining runs chains only", () => {
  const dag: Plan = {
    ...tinyPlanDoc.plan,
    stages: [
      { id: "a", ops: [], devices: [0], dataParallel: 1, tensorParallel: 1 },
      { id: "b", ops: [], devices: [1], dataParallel: 1, tensorParallel: 1 },
      { id: "c", ops: [], devices: [2], dataParallel: 1, tensorParallel: 1 },
    ],
    stageEdges: [
      ["a", "c"],
      ["b", "c"],
    ],
    schedule: "dag-1f1b",
  };
  const r = torchCsv(dag, { ...tinyGpipe, actions: [[], [], []] });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.issues[0]!.code, "unsupported");
    assert.deepEqual(r.issues[0]!.path, ["plan", "stageEdges"]);
  }
});
