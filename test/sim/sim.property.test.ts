/**
 * Properties over random plans (issue 3): the generated and lowered schedule is valid and the dry run ends;
 * in the simulation every action starts after everything it depends on has ended, the work of each stage
 * (so of each op) is done exactly once per micro-batch per direction, split over its replicas' sample ranges,
 * and a flushed iteration leaves every device's memory where it started.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { chainPlan } from "../../src/plan/build-plan.js";
import { replicaSamples } from "../../src/plan/sample-split.js";
import { buildStageGraph, isChain } from "../../src/plan/stage-graph.js";
import { validatePlan } from "../../src/plan/validate-plan.js";
import { buildActionGraph } from "../../src/schedules/action-graph.js";
import { dryRun } from "../../src/schedules/dry-run.js";
import { isNoFlush } from "../../src/schedules/generators/index.js";
import { validateSchedule } from "../../src/schedules/validate-schedule.js";
import { loweredScheduleOf, simulate } from "../../src/sim/simulate.js";
import { arbPlanCase } from "../plan/arbitraries.js";
import { chainGraph, testCluster, uniformCost } from "../plan/fixtures.js";

test("random plans: valid schedules, dependencies respected, work done once, memory back to start", () => {
  const seen = { branching: 0, replicated: 0, recompute: 0, transfers: 0, kinds: new Set<string>() };
  fc.assert(
    fc.property(arbPlanCase(), ({ graph, plan, cluster, fwdSec, bwdSec }) => {
      assert.deepEqual(validatePlan(plan, graph, cluster), []);
      const lowered = loweredScheduleOf(plan, graph, { iterations: 3 });
      assert.deepEqual(
        validateSchedule(lowered, plan).map((i) => i.message),
        [],
      );
      assert.equal(dryRun(lowered, plan).ok, true);
      const r = simulate(lowered, {
        plan,
        graph,
        cluster,
        cost: uniformCost(cluster, fwdSec, bwdSec),
        options: { recordEvents: true },
      });
      assert.equal(r.status, "ok");
      const events = r.events!;
      const g = buildActionGraph(lowered, plan);
      assert.equal(events.length, g.count);

      // Every action starts after all it depends on ended (a send and its receive start together).
      for (let x = 0; x < g.count; x++) {
        for (let e = g.depStart[x]!; e < g.depStart[x + 1]!; e++) {
          assert.ok(events[g.deps[e]!]!.endSec <= events[x]!.startSec + 1e-9, `${events[x]!.action} before its input`);
        }
        if (g.peer[x]! >= 0) assert.equal(events[x]!.startSec, events[g.peer[x]!]!.startSec);
      }

      // Each stage's forward and backward cover each micro-batch's samples exactly once.
      const total = plan.microBatches * (lowered.iterations ?? 1);
      plan.stages.forEach((stage, s) => {
        for (const kind of ["F", "B"] as const) {
          const samples = new Array<number>(total).fill(0);
          for (let x = 0; x < g.count; x++) {
            const a = g.actionAt(x);
            if (a.kind !== kind || g.stage[x] !== s) continue;
            samples[a.microBatch]! += replicaSamples(
              plan.microBatch,
              stage.dataParallel,
              stage.devices.indexOf(a.device),
            );
          }
          assert.deepEqual(samples, new Array<number>(total).fill(plan.microBatch), `${stage.id} ${kind}`);
        }
      });

      // Memory: a flushed iteration returns every device to its static level.
      if (!isNoFlush(plan.schedule)) {
        const first = new Map<number, number>();
        const last = new Map<number, number>();
        for (const m of r.memory!) {
          if (!first.has(m.device)) first.set(m.device, m.bytes);
          last.set(m.device, m.bytes);
        }
        for (const [d, b] of first) assert.ok(Math.abs(last.get(d)! - b) <= 1e-9 * Math.max(1, b), `device ${d}`);
      }
      for (const d of r.devices) assert.ok(d.busySec <= r.iterationSec * (1 + 1e-9));

      const sg = buildStageGraph(plan);
      if (!isChain(sg)) seen.branching++;
      if (plan.stages.some((s) => s.dataParallel > 1)) seen.replicated++;
      if (plan.stages.some((s) => s.recompute === "full")) seen.recompute++;
      if (g.peer.some((p) => p >= 0)) seen.transfers++;
      seen.kinds.add(plan.schedule);
    }),
    { numRuns: 150 },
  );
  // The interesting cases were reached.
  assert.ok(seen.branching > 5, `branching stage graphs: ${seen.branching}`);
  assert.ok(seen.replicated > 5 && seen.recompute > 5 && seen.transfers > 5, JSON.stringify(seen));
  assert.equal(seen.kinds.size, 6);
});

test("random interleaved plans: valid, dry run ends, simulation ok, each device busy v·m·(T_F + T_B)", () => {
  fc.assert(
    fc.property(
      fc.record({
        p: fc.integer({ min: 1, max: 5 }),
        v: fc.integer({ min: 1, max: 3 }),
        groups: fc.integer({ min: 1, max: 4 }),
        dp: fc.integer({ min: 1, max: 2 }),
      }),
      ({ p, v, groups, dp }) => {
        const graph = chainGraph(p * v);
        const plan = chainPlan(graph, p * v, {
          microBatch: 2,
          microBatches: p * groups,
          schedule: "interleaved",
          virtualStages: v,
          dataParallel: dp,
        });
        const cluster = testCluster({ nodes: 2, devicesPerNode: 8, intra: { bytesPerSec: 1e3, latencySec: 0.01 } });
        assert.deepEqual(validatePlan(plan, graph, cluster), []);
        const lowered = loweredScheduleOf(plan, graph);
        assert.deepEqual(validateSchedule(lowered, plan), []);
        assert.equal(dryRun(lowered, plan).ok, true);
        const r = simulate(lowered, { plan, graph, cluster, cost: uniformCost(cluster, 1, 2) });
        assert.equal(r.status, "ok");
        // 2 samples over dp replicas: each replica computes 2/dp samples per op per micro-batch.
        const expected = v * p * groups * 3 * (2 / dp);
        for (const d of r.devices) assert.ok(Math.abs(d.busySec - expected) < 1e-9 * expected, `${d.busySec}`);
      },
    ),
    { numRuns: 40 },
  );
});
