/** The launcher's pure parts: message parsing, blame on failure, iteration assembly, the measured trace. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseCause, parseMessage, type WorkerExit } from "../../src/io/launcher.js";
import { buildRunJob, DEFAULT_RUN_SETTINGS, planDevices, runnabilityIssues } from "../../src/io/launcher-job.js";
import { IterationCollector, peakMemoryPerRank, steadyIterationSec } from "../../src/io/launcher-result.js";
import { measuredTrace } from "../../src/io/launcher-trace.js";
import { simpleFormat, tinyGpipe, tinyPlanDoc } from "./hand-plan.js";

test("worker messages are `@dagpipe {json}` lines with an event; anything else is a log line", () => {
  assert.deepEqual(parseMessage('@dagpipe {"event":"done","rank":1}'), { event: "done", rank: 1 });
  assert.equal(parseMessage('{"event":"done"}'), undefined);
  assert.equal(parseMessage("@dagpipe not json"), undefined);
  assert.equal(parseMessage('@dagpipe {"rank":1}'), undefined);
});

test("the blamed worker: killed by a signal, else one that reported no error itself, else the first", () => {
  const peer: WorkerExit = {
    rank: 0,
    pid: 10,
    code: 1,
    signal: null,
    reported: "RuntimeError: Connection closed by peer",
  };
  const killed: WorkerExit = { rank: 1, pid: 11, code: null, signal: "SIGKILL" };
  const crashed: WorkerExit = { rank: 2, pid: 12, code: 139, signal: null };
  assert.equal(chooseCause([peer, killed])?.rank, 1);
  assert.equal(chooseCause([peer, crashed])?.rank, 2);
  assert.equal(chooseCause([peer])?.rank, 0);
  assert.equal(chooseCause([]), undefined);
});

test("an iteration is complete when every rank reported it: losses add up, time spans first start to last end", () => {
  const c = new IterationCollector(3);
  const ev = (rank: number, loss: number | null, startSec: number, endSec: number) => ({
    event: "iteration",
    rank,
    iteration: 4,
    loss,
    startSec,
    endSec,
    cpuSec: 0.5,
    peakMemBytes: 100 * (rank + 1),
  });
  assert.equal(c.add(ev(0, null, 1.0, 2.0)), undefined);
  assert.equal(c.add({ event: "ready", rank: 1 }), undefined);
  assert.equal(c.add(ev(2, 0.25, 1.1, 2.5)), undefined);
  const rec = c.add(ev(1, 0.5, 1.05, 2.4));
  assert.ok(rec);
  assert.equal(rec.iteration, 4);
  assert.equal(rec.loss, 0.75);
  assert.ok(Math.abs(rec.sec - 1.5) < 1e-12);
  assert.deepEqual(rec.peakMemBytes, [100, 200, 300]);
  assert.deepEqual(peakMemoryPerRank([rec], 3), [100, 200, 300]);
});

test("the steady iteration time is the median after the first iteration", () => {
  const recs = [5, 1, 3, 2].map((sec, iteration) => ({ iteration, loss: null, sec, peakMemBytes: [], cpuSec: [] }));
  assert.equal(steadyIterationSec(recs), 2);
  assert.equal(steadyIterationSec(recs.slice(0, 2)), 3);
});

test("the job carries the plan's devices, replica ranges and transfers from the shared sample split", () => {
  const job = buildRunJob({
    doc: tinyPlanDoc,
    schedule: tinyGpipe,
    format: simpleFormat,
    run: DEFAULT_RUN_SETTINGS,
    checkpoint: null,
    outDir: "/tmp/x",
    verify: false,
  });
  assert.deepEqual(job.ranks, [0, 1]);
  assert.deepEqual(job.replicaRanges, { s0: [[0, 2]], s1: [[0, 2]] });
  assert.deepEqual(job.transfers, [{ fromStage: "s0", toStage: "s1", fromDevice: 0, toDevice: 1, lo: 0, hi: 2 }]);
  assert.equal(job.labels[0]![1], "s0sendact0:1");
  assert.deepEqual(planDevices(tinyPlanDoc.plan), [0, 1]);
  assert.deepEqual(runnabilityIssues(tinyPlanDoc), []);
  const stash = runnabilityIssues({ ...tinyPlanDoc, plan: { ...tinyPlanDoc.plan, schedule: "async-stash" } });
  assert.deepEqual(
    stash.map((i) => [i.code, i.path]),
    [["unsupported", ["plan", "schedule"]]],
  );
});

test("the measured trace: one process per device, compute and communication tracks, one span per iteration", () => {
  const t = measuredTrace([
    {
      rank: 0,
      device: 0,
      events: [
        { name: "s0F0", kind: "F", it: 0, t0: 0.001, t1: 0.003 },
        { name: "s0sendact0:1", kind: "send", it: 0, t0: 0.003, t1: 0.0031 },
      ],
    },
  ]);
  const x = t.traceEvents.filter((e) => e.ph === "X");
  assert.deepEqual(
    x.map((e) => [e.name, e.tid]),
    [
      ["s0F0", 0],
      ["s0sendact0:1", 1],
      ["iteration 0", 2],
    ],
  );
  assert.ok(Math.abs(x[0]!.ts! - 1000) < 1e-6 && Math.abs(x[0]!.dur! - 2000) < 1e-6);
});
