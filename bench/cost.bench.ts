/**
 * The cost model at planner scale: GPT with 2,000 layers (~16k ops) on a V100. Planners build one
 * rangeTimes per candidate micro-batch size and then ask for millions of contiguous ranges, so what matters
 * is the setup (one opTime per op) and the O(1) query.
 */
import { createCostModel } from "../src/cost/create-cost-model.js";
import { rangeSizes, rangeTimes, stageTime } from "../src/cost/stage-cost.js";
import { stageMemoryFromTotals } from "../src/cost/stage-memory.js";
import { allReduceSec } from "../src/hardware/comm.js";
import { DEVICE_PRESETS } from "../src/hardware/presets.js";
import { resolveCluster } from "../src/hardware/resolve-cluster.js";
import { buildZooModel } from "../src/models/index.js";
import { mulberry32 } from "../src/util/prng.js";
import { type Bench, table, timeBest } from "./harness.js";

export const bench: Bench = {
  name: "cost",
  description: "opTime, rangeTimes setup and O(1) range queries on gpt --layers 2000 (V100-16GB)",
  async run() {
    const graph = buildZooModel("gpt", ["--layers", "2000"]);
    const ops = graph.ops;
    const cost = createCostModel(DEVICE_PRESETS.get("V100-16GB")!, { graph });
    const rows: (string | number)[][] = [];

    const opCalls = await timeBest(5, () => stageTime(ops, cost, 8));
    rows.push([
      "opTime, every op once (µb 8)",
      ops.length,
      (opCalls.sec * 1e3).toFixed(2),
      `${(ops.length / opCalls.sec / 1e6).toFixed(2)} M ops/s`,
    ]);

    const setup = await timeBest(5, () => rangeTimes(ops, cost, 8));
    rows.push(["rangeTimes setup", ops.length, (setup.sec * 1e3).toFixed(2), ""]);
    const sizesSetup = await timeBest(5, () => rangeSizes(ops));
    rows.push(["rangeSizes setup (incl. sparse table)", ops.length, (sizesSetup.sec * 1e3).toFixed(2), ""]);

    const n = ops.length;
    const queries = 5_000_000;
    const rnd = mulberry32(42); // every run asks the same ranges
    const from = new Int32Array(queries);
    const to = new Int32Array(queries);
    for (let q = 0; q < queries; q++) {
      const a = Math.floor(rnd() * (n + 1));
      const b = Math.floor(rnd() * (n + 1));
      from[q] = Math.min(a, b);
      to[q] = Math.max(a, b);
    }
    const times = setup.value;
    const sizes = sizesSetup.value;
    const query = await timeBest(3, () => {
      let sink = 0;
      for (let q = 0; q < queries; q++) {
        const i = from[q]!;
        const j = to[q]!;
        sink += times.fwdSec(i, j) + times.bwdSec(i, j);
      }
      return sink;
    });
    rows.push([
      "range time queries (fwd + bwd)",
      queries,
      (query.sec * 1e3).toFixed(1),
      `${(queries / query.sec / 1e6).toFixed(1)} M ranges/s`,
    ]);
    const mem = await timeBest(3, () => {
      let sink = 0;
      for (let q = 0; q < queries; q++) {
        const i = from[q]!;
        const j = to[q]!;
        sink += stageMemoryFromTotals(
          {
            params: sizes.params(i, j),
            paramBytes: sizes.paramBytes(i, j),
            savedBytesPerSample: sizes.savedBytesPerSample(i, j),
            maxWorkspaceBytesPerSample: sizes.maxWorkspaceBytesPerSample(i, j),
          },
          { samplesPerDevice: 8, inFlight: 4 },
        ).totalBytes;
      }
      return sink;
    });
    rows.push([
      "range stage-memory queries",
      queries,
      (mem.sec * 1e3).toFixed(1),
      `${(queries / mem.sec / 1e6).toFixed(1)} M ranges/s`,
    ]);

    const cluster = resolveCluster({ gpus: 256, cluster: "summit" });
    if (!cluster.ok) throw new Error("summit");
    const groups = Array.from({ length: 1000 }, (_, k) =>
      Array.from({ length: 2 + (k % 64) }, (_, i) => (i * 3 + k) % 256),
    );
    const ar = await timeBest(5, () => groups.reduce((s, g) => s + allReduceSec(cluster.value, g, 1e8), 0));
    rows.push([
      "allReduceSec, groups of 2–65 devices",
      groups.length,
      (ar.sec * 1e3).toFixed(2),
      `${(groups.length / ar.sec / 1e6).toFixed(2)} M calls/s`,
    ]);

    console.log(table(["what", "count", "best ms", "rate"], rows));
  },
};
