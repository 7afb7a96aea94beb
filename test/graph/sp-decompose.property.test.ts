import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parallelWidth } from "../../src/graph/branches.js";
import { seriesParallelDecompose } from "../../src/graph/sp-decompose.js";
import type { Graph } from "../../src/graph/types.js";
import { arbDagCase, arbSeriesParallel, transitiveClosure } from "../arbitraries.js";
import { lostEdges, orderMismatches, shapeProblems } from "./sp-check.js";

const runs = { numRuns: 300 };

/** Size of the largest set of mutually independent ops (brute force over subsets; n ≤ 14). */
function maxAntichain(n: number, edges: readonly (readonly [number, number])[]): number {
  const reach = transitiveClosure(n, edges);
  const related = Array.from({ length: n }, (_, i) => {
    let mask = 0;
    for (let j = 0; j < n; j++) if (reach[i]![j] || reach[j]![i]) mask |= 1 << j;
    return mask;
  });
  let best = 0;
  const grow = (i: number, chosen: number, size: number, blocked: number) => {
    if (size > best) best = size;
    for (let j = i; j < n; j++)
      if (!(blocked & (1 << j))) grow(j + 1, chosen | (1 << j), size + 1, blocked | related[j]!);
  };
  grow(0, 0, 0, 0);
  return best;
}

function edgesOf(g: Graph): [number, number][] {
  return g.ops.flatMap((op) => op.inputs.map((i): [number, number] => [Number(i.slice(2)), Number(op.id.slice(2))]));
}

describe("SP decomposition on random DAGs (after SP-ization)", () => {
  it("every op is one leaf, no dependency is lost, and the tree order is exactly the graph's plus addedEdges", () => {
    const seen = { spized: 0, seriesParallel: 0, multiSource: 0 };
    fc.assert(
      fc.property(arbDagCase({ maxOps: 12 }), arbDagCase({ maxOps: 10, twoTerminal: true, shuffle: true }), (a, b) => {
        for (const { graph } of [a, b]) {
          const d = seriesParallelDecompose(graph);
          assert.deepEqual(shapeProblems(d.tree, graph), []);
          assert.deepEqual(lostEdges(d.tree, graph), []);
          assert.deepEqual(orderMismatches(d.tree, graph, d.addedEdges), []);
          if (d.addedEdges.length > 0) seen.spized++;
          else seen.seriesParallel++;
          if (graph.ops.filter((op) => op.inputs.length === 0).length > 1) seen.multiSource++;
        }
      }),
      runs,
    );
    // The interesting cases must be reached: non-SP graphs that needed SP-ization, SP ones, several sources.
    assert.ok(seen.spized > runs.numRuns / 5, `only ${seen.spized} graphs needed SP-ization`);
    assert.ok(seen.seriesParallel > runs.numRuns / 5, `only ${seen.seriesParallel} graphs were series-parallel`);
    assert.ok(seen.multiSource > runs.numRuns / 5, `only ${seen.multiSource} graphs had several sources`);
  });

  it("series-parallel graphs, even with extra skip edges, decompose into the tree they were built from", () => {
    let withSkips = 0;
    fc.assert(
      fc.property(arbSeriesParallel({ maxOps: 14, skipEdges: true }), ({ graph, tree, skipEdgesAdded }) => {
        const d = seriesParallelDecompose(graph);
        assert.deepEqual(d.addedEdges, []);
        assert.deepEqual(d.tree, tree);
        if (skipEdgesAdded > 0) withSkips++;
      }),
      runs,
    );
    assert.ok(withSkips > runs.numRuns / 3, `only ${withSkips} graphs had skip edges`);
  });

  it("parallelWidth is the largest set of independent ops on SP graphs, and never more after SP-ization", () => {
    let strictlyLess = 0;
    fc.assert(
      fc.property(arbSeriesParallel({ maxOps: 12, skipEdges: true }), arbDagCase({ maxOps: 11 }), (sp, dag) => {
        assert.equal(
          parallelWidth(seriesParallelDecompose(sp.graph).tree, sp.graph),
          maxAntichain(sp.graph.ops.length, edgesOf(sp.graph)),
        );
        const width = parallelWidth(seriesParallelDecompose(dag.graph).tree, dag.graph);
        const antichain = maxAntichain(dag.n, dag.edges);
        assert.ok(width <= antichain);
        if (width < antichain) strictlyLess++;
      }),
      runs,
    );
    assert.ok(strictlyLess > 0, "SP-ization never serialised an antichain: the generator misses non-SP graphs");
  });
});
