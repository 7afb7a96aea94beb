import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { criticalPath } from "../../src/graph/critical-path.js";
import { topologicalGenerations, topologicalOrder } from "../../src/graph/topo-order.js";
import type { Op } from "../../src/graph/types.js";
import { validateGraph } from "../../src/graph/validate.js";
import { arbDagCase } from "../arbitraries.js";

const runs = { numRuns: 300 };

describe("graph algorithms on random DAGs", () => {
  it("validateGraph accepts every generated DAG (the arbitraries make valid ops)", () => {
    fc.assert(
      fc.property(arbDagCase({ shuffle: true, twoTerminal: true }), ({ graph }) => {
        assert.deepEqual(validateGraph(graph), []);
      }),
      runs,
    );
  });

  it("topological order is a permutation that respects every edge, and keeps a topological listing unchanged", () => {
    let shuffledListings = 0;
    fc.assert(
      fc.property(arbDagCase({ shuffle: true }), arbDagCase(), ({ graph }, plain) => {
        const order = topologicalOrder(graph);
        const position = new Map(order.map((op, k) => [op.id, k]));
        assert.equal(position.size, graph.ops.length);
        for (const op of graph.ops)
          for (const input of op.inputs) assert.ok(position.get(input)! < position.get(op.id)!);
        if (graph.ops.some((op, i) => op.id !== `op${i}`)) shuffledListings++;
        assert.deepEqual(topologicalOrder(plain.graph), plain.graph.ops);
      }),
      runs,
    );
    assert.ok(shuffledListings > runs.numRuns / 2, "the generator must list most graphs out of order");
  });

  it("generation of an op = 1 + the latest generation among its inputs", () => {
    fc.assert(
      fc.property(arbDagCase({ shuffle: true }), ({ graph }) => {
        const gen = new Map<string, number>();
        topologicalGenerations(graph).forEach((layer, k) => {
          for (const op of layer) gen.set(op.id, k);
        });
        for (const op of graph.ops) {
          const expected = op.inputs.length === 0 ? 0 : 1 + Math.max(...op.inputs.map((i) => gen.get(i)!));
          assert.equal(gen.get(op.id), expected);
        }
      }),
      runs,
    );
  });

  it("critical path is a dependency chain whose weight is the longest path (brute force)", () => {
    fc.assert(
      fc.property(arbDagCase({ shuffle: true, maxOps: 10 }), ({ graph, n, edges }) => {
        const weight = (op: Op) => op.fwdFlopsPerSample;
        const cp = criticalPath(graph, weight);
        const byId = new Map(graph.ops.map((op) => [op.id, op]));
        for (let k = 1; k < cp.opIds.length; k++) assert.ok(byId.get(cp.opIds[k]!)!.inputs.includes(cp.opIds[k - 1]!));
        assert.equal(
          cp.length,
          cp.opIds.reduce((s, id) => s + weight(byId.get(id)!), 0),
        );
        // Longest path by enumerating every path from every op (graphs are small).
        const w = (i: number) => weight(byId.get(`op${i}`)!);
        const succs: number[][] = Array.from({ length: n }, () => []);
        for (const [u, v] of edges) succs[u]!.push(v);
        const longestFrom = (u: number): number => w(u) + Math.max(0, ...succs[u]!.map(longestFrom));
        assert.equal(cp.length, Math.max(...Array.from({ length: n }, (_, i) => longestFrom(i))));
      }),
      runs,
    );
  });
});
