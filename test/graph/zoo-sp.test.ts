import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parallelWidth } from "../../src/graph/branches.js";
import { seriesParallelDecompose } from "../../src/graph/sp-decompose.js";
import { spLeaves } from "../../src/graph/sp-tree.js";
import { topologicalOrder } from "../../src/graph/topo-order.js";
import { validateGraph } from "../../src/graph/validate.js";
import { buildZooModel, ZOO } from "../../src/models/index.js";
import { lostEdges, shapeProblems } from "./sp-check.js";

/** Branch counts the acceptance pins (issue 2): DLRM 14, CANDLE-Uno 7, GPT 1; MMT and nbranch by their defaults. */
const WIDTHS: Readonly<Record<string, number>> = { dlrm: 14, "candle-uno": 7, gpt: 1, mmt: 4, nbranch: 2, vgg16: 1 };

describe("SP decomposition of the zoo", () => {
  for (const name of Object.keys(ZOO)) {
    it(`${name}: every op once, no dependency lost, no SP-ization needed (skip edges stay implied)`, () => {
      const g = buildZooModel(name);
      assert.deepEqual(validateGraph(g), []);
      const d = seriesParallelDecompose(g);
      assert.deepEqual(shapeProblems(d.tree, g), []);
      assert.deepEqual(lostEdges(d.tree, g), []);
      assert.deepEqual(d.addedEdges, []);
      if (WIDTHS[name] !== undefined) assert.equal(parallelWidth(d.tree, g), WIDTHS[name]);
    });
  }

  it("GPT with 200 layers is one flat series of all its ops, in order", () => {
    const g = buildZooModel("gpt", ["--layers", "200"]);
    const d = seriesParallelDecompose(g);
    assert.equal(d.tree.kind, "series");
    assert.equal(d.tree.kind === "series" && d.tree.children.length, g.ops.length);
    assert.deepEqual(
      spLeaves(d.tree),
      topologicalOrder(g).map((op) => op.id),
    );
  });

  it("ResNet-50's residual blocks are series; only the projection shortcuts are branches (width 2)", () => {
    const g = buildZooModel("resnet50");
    assert.equal(parallelWidth(seriesParallelDecompose(g).tree, g), 2);
  });
});
