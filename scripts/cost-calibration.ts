/**
 * The cost model's calibration check (docs/cost-model.md): per-sample forward+backward time of the nbranch
 * model's transformer ops (attention, linears, relu; hidden 1024, seq 256, fp16) by micro-batch size, on each
 * GPU preset. GraphPipe's case study attributes ~10 % of its +20 % to better compute efficiency at micro-batch
 * 4 vs 2 on V100; the target is a 5–15 % gain from 2 to 4 and a nearly flat curve beyond ~16.
 * Run: node --import tsx scripts/cost-calibration.ts [--device V100-16GB] [--json]
 */
import { createCostModel } from "../src/cost/create-cost-model.js";
import { DEVICE_PRESETS } from "../src/hardware/presets.js";
import { buildZooModel } from "../src/models/zoo.js";

const args = process.argv.slice(2);
const deviceArg = args.indexOf("--device") >= 0 ? args[args.indexOf("--device") + 1] : undefined;
const devices = deviceArg ? [deviceArg] : ["V100-16GB", "A100-80GB", "H100-80GB"];
const sizes = [1, 2, 4, 8, 16, 32, 64, 128];

const graph = buildZooModel("nbranch", []);
const ops = graph.ops.filter((op) => op.kind === "attention" || op.kind === "linear" || op.kind === "relu");
const rows: { device: string; microBatch: number; usPerSample: number; gainVsHalf: number | null }[] = [];
for (const name of devices) {
  const device = DEVICE_PRESETS.get(name);
  if (!device) throw new Error(`unknown device ${name}`);
  const cost = createCostModel(device, { graph });
  let prev: number | null = null;
  for (const b of sizes) {
    let sec = 0;
    for (const op of ops) {
      const t = cost.opTime(op, b);
      sec += t.fwdSec + t.bwdSec;
    }
    const usPerSample = (sec / b) * 1e6;
    rows.push({ device: name, microBatch: b, usPerSample, gainVsHalf: prev === null ? null : 1 - usPerSample / prev });
    prev = usPerSample;
  }
}
if (args.includes("--json")) {
  process.stdout.write(`${JSON.stringify({ ops: ops.length, rows }, null, 2)}\n`);
} else {
  process.stdout.write(`nbranch transformer ops (${ops.length} ops: attention + linear + relu), fwd+bwd per sample\n`);
  process.stdout.write("device        µbatch  µs/sample  cheaper than half the µbatch\n");
  for (const r of rows) {
    const gain = r.gainVsHalf === null ? "" : `${(r.gainVsHalf * 100).toFixed(1)} %`;
    process.stdout.write(
      `${r.device.padEnd(13)} ${String(r.microBatch).padStart(6)} ${r.usPerSample.toFixed(1).padStart(10)}  ${gain}\n`,
    );
  }
}
