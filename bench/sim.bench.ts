/**
 * Simulator speed (issue 3): simulated actions per second on a 64-stage chain with 1,024 micro-batches under
 * 1F1B with communication (sends and receives over links with bandwidth and latency, 8 nodes of 8 devices),
 * plus smaller and other-schedule cases. "simulate" times `simulate(lowered, …)` on an already lowered
 * schedule (dependency graph, preparation, event loop, result); "end to end" times `simulatePlan` (generate,
 * lower, simulate). Two untimed warm-up runs, then the best of n runs; CPU time of this process is shown beside
 * wall time because the machine may be shared.
 */
import { chainPlan } from "../src/plan/build-plan.js";
import type { ScheduleKind } from "../src/plan/types.js";
import { loweredScheduleOf, simulate, simulatePlan } from "../src/sim/simulate.js";
import { chainGraph, testCluster, uniformCost } from "../test/plan/fixtures.js";
import { type Bench, table } from "./harness.js";

interface Case {
  readonly stages: number;
  readonly microBatches: number;
  readonly schedule: ScheduleKind;
  readonly dataParallel?: number;
}

const CASES: readonly Case[] = [
  { stages: 64, microBatches: 1024, schedule: "1f1b" },
  { stages: 64, microBatches: 1024, schedule: "gpipe" },
  { stages: 64, microBatches: 1024, schedule: "zb-h1" },
  { stages: 16, microBatches: 256, schedule: "1f1b", dataParallel: 4 },
  { stages: 8, microBatches: 64, schedule: "1f1b" },
];

function cpuSec(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Best-of-n wall and CPU seconds (the minimum is the least noisy estimate on a shared machine). */
function best(n: number, fn: () => void): { wallSec: number; cpuSec: number } {
  let wall = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const c0 = cpuSec();
    const t0 = performance.now();
    fn();
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    cpu = Math.min(cpu, cpuSec() - c0);
  }
  return { wallSec: wall, cpuSec: cpu };
}

export const bench: Bench = {
  name: "sim",
  description:
    "discrete-event simulator: simulated actions per second (64 stages × 1,024 micro-batches, 1F1B, with communication)",
  async run() {
    const cluster = testCluster({
      nodes: 8,
      devicesPerNode: 8,
      intra: { bytesPerSec: 150e9, latencySec: 2e-6 },
      inter: { bytesPerSec: 12.5e9, latencySec: 5e-6 },
    });
    const cost = uniformCost(cluster, 1e-3, 2e-3);
    const rows: (string | number)[][] = [];
    for (const c of CASES) {
      const graph = chainGraph(c.stages);
      const plan = chainPlan(graph, c.stages, {
        microBatch: 4 * (c.dataParallel ?? 1),
        microBatches: c.microBatches,
        schedule: c.schedule,
        ...(c.dataParallel ? { dataParallel: c.dataParallel } : {}),
      });
      const lowered = loweredScheduleOf(plan, graph);
      const actions = lowered.actions.reduce((a, l) => a + l.length, 0);
      let status = "";
      // Untimed runs first: JIT compilation and heap growth are not the simulator's steady speed.
      for (let i = 0; i < 2; i++) simulate(lowered, { plan, graph, cluster, cost });
      const sim = best(7, () => {
        status = simulate(lowered, { plan, graph, cluster, cost }).status;
      });
      const e2e = best(3, () => {
        simulatePlan(plan, graph, cluster, cost);
      });
      const perSec = (sec: number) => `${(actions / sec / 1e6).toFixed(2)} M/s`;
      rows.push([
        `${c.stages} stages × ${c.microBatches} mb, ${c.schedule}${c.dataParallel ? `, dp ${c.dataParallel}` : ""}`,
        actions,
        status,
        `${(sim.wallSec * 1000).toFixed(0)} ms`,
        perSec(sim.wallSec),
        perSec(sim.cpuSec),
        `${(e2e.wallSec * 1000).toFixed(0)} ms`,
        perSec(e2e.wallSec),
      ]);
    }
    console.log(
      table(
        ["case", "actions", "status", "simulate", "actions/s (wall)", "actions/s (cpu)", "end to end", "e2e actions/s"],
        rows,
      ),
    );
  },
};
