/**
 * Glue merging (units.ts): zero-cost terminals join a neighbour — an input its reader, a concat its reader, a
 * sink (loss) the last branch feeding it — and the unit graph stays a DAG on random graphs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { indexGraph } from "../../src/graph/graph-index.js";
import type { Op } from "../../src/graph/types.js";
import { buildUnits } from "../../src/planners/units.js";
import { arbDag, graphFromEdges } from "../arbitraries.js";

function ids(g: { ops: readonly Op[] }, units: ReturnType<typeof buildUnits>): string[][] {
  return units.members.map((m) => m.map((i) => g.ops[i]!.id));
}

test("inputs join their reader, a concat its reader, and a glue sink the last branch that feeds only it", () => {
  // op0, op3: inputs; branches op0→op1→op2 and op3→op4→op5; op6 concat; op7 loss (sink).
  const g = graphFromEdges(8, [
    [0, 1],
    [1, 2],
    [3, 4],
    [4, 5],
    [2, 6],
    [5, 6],
    [6, 7],
  ]);
  const glue = new Set([0, 3, 6, 7]);
  const units = buildUnits(indexGraph(g), (i) => glue.has(i));
  assert.deepEqual(ids(g, units), [["op0", "op1"], ["op2"], ["op3", "op4"], ["op5", "op6", "op7"]]);
  assert.deepEqual(units.succs, [[1], [3], [3], []]);
});

test("an input read by two ops joins the first reader whose only input it is", () => {
  const g = graphFromEdges(4, [
    [0, 1],
    [0, 2],
    [1, 3],
    [2, 3],
  ]);
  const units = buildUnits(indexGraph(g), (i) => i === 0);
  assert.deepEqual(ids(g, units), [["op0", "op1"], ["op2"], ["op3"]]);
});

test("on random DAGs with random glue the unit graph is acyclic, numbered topologically, and covers every op once", () => {
  fc.assert(
    fc.property(
      arbDag({ minOps: 1, maxOps: 16 }),
      fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
      (g, glue) => {
        const units = buildUnits(indexGraph(g), (i) => glue[i]!);
        const seen = new Set<number>();
        units.members.forEach((m, u) => {
          for (const op of m) {
            assert.ok(!seen.has(op));
            seen.add(op);
            assert.equal(units.unitOf[op], u);
          }
        });
        assert.equal(seen.size, g.ops.length);
        units.succs.forEach((s, u) => {
          for (const v of s) assert.ok(v > u, "unit numbering is topological");
        });
      },
    ),
    { numRuns: 300, seed: 5 },
  );
});
