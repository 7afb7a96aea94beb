/**
 * Runtime vs simulator (issue 7): profile a model's ops on this machine's CPU (`dagpipe profile` machinery),
 * plan a 2-stage 1F1B pipeline on 2 CPU processes from those profiles with the sequential planner (its public
 * `planSequential`, judged by the simulator), run it with `dagpipe run --compare` (2 gloo workers, 1 thread
 * each), and report simulated ÷ measured iteration time (aim: within 10 %).
 *
 * Environment: DAGPIPE_BENCH_DEVICE=cuda instead profiles on the GPU and compares a single-device training
 * step of `gpt` and `mmt` (predicted from the GPU profiles vs measured) — written for a GPU machine, not run
 * here (no GPU). DAGPIPE_BENCH_REPEATS (default 2) runs the CPU comparison that many times.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli/main.js";
import { createCostModel } from "../src/cost/create-cost-model.js";
import type { Graph } from "../src/graph/types.js";
import { resolveCluster } from "../src/hardware/resolve-cluster.js";
import type { Cluster } from "../src/hardware/types.js";
import { attachProfiles, type ProfileDevice, runProfiler } from "../src/io/launcher-profile.js";
import { findTorchPython } from "../src/io/python-probe.js";
import { buildZooModel } from "../src/models/index.js";
import { planFromGroups } from "../src/plan/build-plan.js";
import { writePlanJson } from "../src/plan/plan-json.js";
import type { Plan } from "../src/plan/types.js";
import { simulationJudge } from "../src/planners/judge.js";
import { planSequential } from "../src/planners/sequential.js";
import { simulatePlan } from "../src/sim/simulate.js";
import { unwrap } from "../src/util/issues.js";
import { fakeIO } from "../test/helpers/cli.js";
import { type Bench, table } from "./harness.js";

interface RunJson {
  readonly iterationSec: number;
  readonly iterations: readonly { readonly sec: number; readonly cpuSec: readonly number[] }[];
  readonly compare: {
    readonly simulatedIterationSec: number;
    readonly measuredIterationSec: number;
    readonly measuredPeakMemBytes: readonly number[];
    readonly simulatedPeakMemBytes: readonly number[];
  };
}

async function profiled(python: string, g: Graph, device: ProfileDevice, batches: readonly number[]): Promise<Graph> {
  const run = await runProfiler(
    python,
    g,
    {
      device,
      batches,
      warmup: 3,
      reps: 9,
      threads: 1,
      precision: device === "cpu" ? "float32" : "float16",
      timer: "auto",
    },
    process.env,
    () => {},
    (line) => process.stderr.write(`[profiler] ${line}\n`),
  );
  if (!run.ok || !run.output) throw new Error(`profiler failed: ${run.error}`);
  return attachProfiles(g, run.output);
}

async function runPlan(g: Graph, cluster: Cluster, plan: Plan, args: readonly string[]): Promise<RunJson> {
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-bench-"));
  try {
    const file = join(dir, "plan.json");
    writeFileSync(file, writePlanJson({ format: "dagpipe-plan", version: 1, graph: g, cluster, plan }));
    const io = fakeIO();
    (io as { env: NodeJS.ProcessEnv }).env = process.env;
    const code = await main(["run", file, "--compare", "--json", ...args], io);
    if (code !== 0) throw new Error(`dagpipe run failed (${code}):\n${io.stderr}`);
    return JSON.parse(io.stdout) as RunJson;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (s: number) => (s * 1e3).toFixed(1);
const mib = (b: number) => (b / 2 ** 20).toFixed(2);

/**
 * Two sizes: ops of ~0.1 ms, where per-op framework overhead that an op profiled alone does not show is a large
 * share, and ops of ~1–5 ms, where compute dominates (what pipeline training runs).
 */
const CPU_MODELS = [
  "--layers 4 --hidden 128 --heads 4 --seq 32 --vocab 512 --dtype fp32",
  "--layers 4 --hidden 256 --heads 4 --seq 64 --vocab 512 --dtype fp32",
];

async function cpuPipeline(python: string, modelArgs: string): Promise<void> {
  const model = modelArgs.split(" ");
  const batch = 16;
  const g = await profiled(python, buildZooModel("gpt", model), "cpu", [1, 2, 4, 8]);
  const cluster = unwrap(resolveCluster({ gpus: 2, cluster: "cpu-local" }));
  const cost = createCostModel(cluster.device, { graph: g });
  const r = planSequential(
    { graph: g, cluster, cost, batch, devices: 2, dataParallel: false, judge: simulationJudge(cluster) },
    ["1f1b"],
  );
  if (!r.ok) throw new Error(`planner: ${r.reason}`);
  const plan = r.plan;
  console.log(
    `model: gpt ${model.join(" ")} (${g.ops.length} ops), batch ${batch}; plan by planSequential: ` +
      `${plan.stages.length} stages (${plan.stages.map((s) => s.ops.length).join(" + ")} ops) on devices ` +
      `${plan.stages.map((s) => s.devices.join(",")).join(" | ")}, ${plan.schedule}, ` +
      `${plan.microBatches} × ${plan.microBatch}; planner predicted ${ms(r.predicted.iterationSec)} ms\n`,
  );
  // Per device: the simulator's compute-busy time beside the worker's CPU time (robust to a shared machine:
  // waiting in a receive costs no CPU, being descheduled costs no CPU either).
  const sim = simulatePlan(plan, r.graph, cluster, createCostModel(cluster.device, { graph: r.graph }));
  const repeats = Number(process.env["DAGPIPE_BENCH_REPEATS"] ?? 2);
  const rows: (string | number)[][] = [];
  for (let k = 0; k < repeats; k++) {
    const out = await runPlan(r.graph, cluster, plan, ["--iterations", "12"]);
    const c = out.compare;
    const cpu = [0, 1].map((d) => median(out.iterations.slice(1).map((i) => i.cpuSec[d] ?? 0)));
    const best = Math.min(...out.iterations.slice(1).map((i) => i.sec));
    rows.push([
      k + 1,
      ms(c.simulatedIterationSec),
      ms(c.measuredIterationSec),
      (c.simulatedIterationSec / c.measuredIterationSec).toFixed(3),
      ms(best),
      (c.simulatedIterationSec / best).toFixed(3),
      sim.devices.map((d, i) => `${ms(d.busySec)} / ${ms(cpu[i]!)}`).join(", "),
      [0, 1].map((d) => `${mib(c.simulatedPeakMemBytes[d] ?? 0)} / ${mib(c.measuredPeakMemBytes[d] ?? 0)}`).join(", "),
      out.iterations.map((i) => ms(i.sec)).join(" "),
    ]);
  }
  console.log(
    table(
      [
        "run",
        "simulated ms",
        "measured ms (median of 2–12)",
        "sim ÷ median",
        "measured ms (best of 2–12)",
        "sim ÷ best",
        "per device: simulated busy / measured CPU ms",
        "per device: simulated / measured peak MiB",
        "every iteration (ms)",
      ],
      rows,
    ),
  );
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function gpuSingleDevice(python: string): Promise<void> {
  const cases: [string, string[]][] = [
    ["gpt", ["--layers", "12", "--hidden", "768", "--heads", "12", "--seq", "1024", "--vocab", "50257"]],
    ["mmt", ["--branches", "4", "--layers", "2"]],
  ];
  const rows: (string | number)[][] = [];
  for (const [name, args] of cases) {
    const batch = 8;
    const g = await profiled(python, buildZooModel(name, args), "cuda", [1, 2, 4, 8]);
    const cluster = unwrap(resolveCluster({ gpus: 1, device: "H100-80GB" }));
    const plan = planFromGroups(g, [g.ops.map((o) => o.id)], { microBatch: batch, microBatches: 1, schedule: "gpipe" });
    const out = await runPlan(g, cluster, plan, ["--iterations", "10", "--device", "cuda"]);
    const c = out.compare;
    rows.push([
      `${name} ${args.join(" ")}`,
      ms(c.simulatedIterationSec),
      ms(c.measuredIterationSec),
      (c.simulatedIterationSec / c.measuredIterationSec).toFixed(3),
    ]);
  }
  console.log(table(["model (batch 8, one device)", "predicted ms", "measured ms", "predicted ÷ measured"], rows));
}

export const bench: Bench = {
  name: "runtime",
  description: "CPU-profiled 2-stage pipeline: simulated ÷ measured iteration time (2 gloo processes)",
  async run() {
    const found = await findTorchPython({ env: process.env, full: process.env["DAGPIPE_BENCH_DEVICE"] === "cuda" });
    if (!found.ok) {
      console.log("skipped: no Python with torch (install python3-torch or set DAGPIPE_PYTHON)");
      return;
    }
    if (process.env["DAGPIPE_BENCH_DEVICE"] === "cuda") await gpuSingleDevice(found.info.python);
    else for (const m of CPU_MODELS) await cpuPipeline(found.info.python, m);
  },
};
