/**
 * Graph algorithms at scale: GPT with 2,000 layers (16k ops, a residual skip edge per half-layer) and the
 * largest PipeDream profile fixtures. Target (task A): SP decomposition of the GPT well under a second.
 */
import { readFileSync } from "node:fs";
import { criticalPathShare, parallelWidth } from "../src/graph/branches.js";
import { seriesParallelDecompose } from "../src/graph/sp-decompose.js";
import { topologicalGenerations, topologicalOrder } from "../src/graph/topo-order.js";
import type { Graph } from "../src/graph/types.js";
import { validateGraph } from "../src/graph/validate.js";
import { readPipeDreamGraph } from "../src/io/pipedream-graph.js";
import { buildZooModel } from "../src/models/index.js";
import { type Bench, table, timeBest } from "./harness.js";

const ms = (sec: number) => (sec * 1000).toFixed(1);

async function graphRows(label: string, g: Graph): Promise<(string | number)[]> {
  const edges = g.ops.reduce((s, op) => s + op.inputs.length, 0);
  const validate = await timeBest(5, () => validateGraph(g));
  const topo = await timeBest(5, () => topologicalOrder(g));
  const gens = await timeBest(5, () => topologicalGenerations(g));
  const sp = await timeBest(5, () => seriesParallelDecompose(g));
  const width = await timeBest(5, () => parallelWidth(sp.value.tree, g));
  const share = await timeBest(5, () => criticalPathShare(g));
  return [
    label,
    g.ops.length,
    edges,
    ms(validate.sec),
    ms(topo.sec),
    ms(gens.sec),
    ms(sp.sec),
    sp.value.addedEdges.length,
    width.value,
    ms(width.sec + share.sec),
  ];
}

export const bench: Bench = {
  name: "graph",
  description:
    "validate, topological order, SP decomposition, branches on GPT-2000 and PipeDream profiles (best of 5, reads best of 20; ms)",
  async run() {
    const rows: (string | number)[][] = [];
    rows.push(await graphRows("gpt --layers 2000", buildZooModel("gpt", ["--layers", "2000"])));
    rows.push(await graphRows("gpt --layers 200", buildZooModel("gpt", ["--layers", "200"])));
    for (const m of ["inception_v3", "resnet101", "gnmt_large"]) {
      const file = `test/fixtures/pipedream/${m}/graph.txt`;
      const text = readFileSync(file, "utf8");
      const read = await timeBest(20, () => readPipeDreamGraph(text, file, { batch: 128 }));
      if (!read.value.ok) throw new Error(`cannot read ${file}`);
      const row = await graphRows(`pipedream ${m} (read ${ms(read.sec)} ms)`, read.value.value);
      rows.push(row);
    }
    console.log(
      table(
        [
          "graph",
          "ops",
          "edges",
          "validate",
          "topo",
          "generations",
          "SP decompose",
          "added deps",
          "width",
          "width+CP share",
        ],
        rows,
      ),
    );
  },
};
