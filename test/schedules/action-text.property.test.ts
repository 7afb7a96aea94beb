import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { formatAction, parseAction } from "../../src/schedules/action-text.js";
import type { Action } from "../../src/schedules/types.js";

// Stage ids from the documented alphabet, biased towards the letters and digits of the grammar.
const arbStage = fc.stringMatching(/^[FBWRsteprcvndalu0-9_.:-]{1,6}$/);

const arbAction: fc.Arbitrary<Action> = fc.oneof(
  fc.record(
    {
      device: fc.nat(64),
      kind: fc.constantFrom("F", "B", "W", "recompute") as fc.Arbitrary<Action["kind"]>,
      stage: arbStage,
      microBatch: fc.nat(5000),
      version: fc.nat(50),
    },
    { requiredKeys: ["device", "kind", "stage", "microBatch"] },
  ),
  fc.record(
    {
      device: fc.nat(64),
      kind: fc.constantFrom("send", "recv") as fc.Arbitrary<Action["kind"]>,
      stage: arbStage,
      microBatch: fc.nat(5000),
      peer: fc.nat(64),
      peerStage: arbStage,
      tensor: fc.constantFrom("act", "grad") as fc.Arbitrary<"act" | "grad">,
      bytes: fc.nat(1e9),
    },
    { requiredKeys: ["device", "kind", "stage", "microBatch", "peer", "peerStage", "tensor"] },
  ),
  fc.record(
    {
      device: fc.nat(64),
      kind: fc.constantFrom("allreduce", "step") as fc.Arbitrary<Action["kind"]>,
      stage: arbStage,
      microBatch: fc.integer({ min: -1, max: 5000 }),
      version: fc.nat(50),
      bytes: fc.nat(1e9),
    },
    { requiredKeys: ["device", "kind", "stage", "microBatch"] },
  ),
);

test("parseAction(formatAction(a), a.device) gives back a", () => {
  fc.assert(
    fc.property(arbAction, (a) => {
      assert.deepEqual(parseAction(formatAction(a), a.device), { ...a });
    }),
    { numRuns: 2000 },
  );
});
