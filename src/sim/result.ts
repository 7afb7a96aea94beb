/**
 * Engine state → SimResult: the measured iteration (makespan of a flushed schedule; steady-state period of a
 * no-flush one), per-device busy time, bubble and memory, per-stage in-flight and weight-version peaks, the
 * critical path, overflow, faults and (on request) the event list.
 *
 * No-flush window: with K ≥ 3 iterations simulated, T_i = when the last action of iteration i ended; the
 * first iteration includes the pipeline fill and the last one the drain, so the period is
 * (T_{K−2} − T_0) / (K − 2), measured over [T_0, T_{K−2}] (docs/simulator.md).
 */
import type { Plan } from "../plan/types.js";
import { K_B, K_F, K_R, K_RECV, K_SEND, K_STEP } from "../schedules/action-graph.js";
import { formatAction } from "../schedules/action-text.js";
import type { Schedule } from "../schedules/types.js";
import { deadlockReport } from "./deadlock.js";
import { DONE, type EngineState } from "./engine.js";
import { M_CATS, type Prepared } from "./prepare.js";
import type {
  CriticalStep,
  DeviceResult,
  FaultEvent,
  FaultOutcome,
  MemoryBreakdown,
  MemoryOverflow,
  MemorySample,
  SimEvent,
  SimResult,
  StageResult,
  StreamName,
} from "./types.js";

export interface ResultContext {
  readonly plan: Plan;
  readonly schedule: Schedule;
  readonly capacityBytes: number;
  readonly faults: readonly FaultEvent[];
  readonly recordEvents: boolean;
}

export function assembleResult(p: Prepared, st: EngineState, ctx: ResultContext): SimResult {
  const g = p.g;
  const { plan, schedule } = ctx;
  const n = g.count;
  let makespan = 0;
  for (let x = 0; x < n; x++) if (st.state[x] === DONE && st.end[x]! > makespan) makespan = st.end[x]!;
  const status = st.stoppedBy >= 0 ? "stopped" : st.completed < n ? "deadlock" : "ok";
  const K = schedule.iterations ?? 1;
  const m = schedule.microBatches;
  let window: [number, number] = [0, makespan];
  let iterationSec = makespan;
  if (status === "ok" && K > 1) {
    const T = new Float64Array(K);
    for (let x = 0; x < n; x++) {
      const mb = p.microBatch[x]!;
      const it = Math.min(K - 1, mb < 0 ? 0 : Math.floor(mb / m));
      if (st.end[x]! > T[it]!) T[it] = st.end[x]!;
    }
    if (K >= 3) {
      window = [T[0]!, T[K - 2]!];
      iterationSec = (T[K - 2]! - T[0]!) / (K - 2);
    } else iterationSec = makespan / K;
  } else if (status !== "ok") {
    iterationSec = st.now;
    window = [0, st.now];
  }
  const span = window[1] - window[0];

  // Busy compute time per device inside the window.
  const busy = new Float64Array(p.devices);
  for (let x = 0; x < n; x++) {
    const k = g.kind[x]!;
    if (st.state[x] !== DONE || !(k <= K_R || k === K_STEP)) continue;
    const overlap = Math.min(st.end[x]!, window[1]) - Math.max(st.start[x]!, window[0]);
    if (overlap > 0) busy[p.device[x]!]! += overlap;
  }
  const planDevices = [...new Set(plan.stages.flatMap((s) => s.devices))].sort((a, b) => a - b);
  const devices: DeviceResult[] = planDevices.map((d) => {
    const utilisation = span > 0 ? busy[d]! / span : 0;
    return {
      device: d,
      stages: plan.stages.filter((s) => s.devices.includes(d)).map((s) => s.id),
      busySec: busy[d]!,
      utilisation,
      bubbleFraction: span > 0 ? 1 - utilisation : 0,
      peakMemBytes: st.memPeak[d]!,
      peakMemAtSec: st.memPeakAt[d]!,
      peakBreakdown: breakdown(st.memPeakBreakdown, d),
      capacityBytes: ctx.capacityBytes,
    };
  });

  const stages: StageResult[] = plan.stages.map((s, i) => {
    let inFlight = 0;
    let versions = 1;
    for (let l = 0; l < p.laneCount; l++) {
      if (p.laneStage[l] !== i) continue;
      inFlight = Math.max(inFlight, st.lanePeakInFlight[l]!);
      versions = Math.max(versions, st.lanePeakVersions[l]!);
    }
    return {
      stage: s.id,
      warmup: warmupOf(p, i, s.devices[0] ?? -1),
      peakInFlightMicroBatches: inFlight,
      peakInFlightSamples: inFlight * plan.microBatch,
      peakWeightVersions: versions,
    };
  });

  const memoryOverflow: MemoryOverflow[] = [];
  for (const d of planDevices) {
    if (st.overflowAt[d]! >= 0) {
      memoryOverflow.push({
        device: d,
        atSec: st.overflowAt[d]!,
        bytesOver: st.overflowMax[d]!,
        peakMemBytes: st.memPeak[d]!,
        capacityBytes: ctx.capacityBytes,
      });
    }
  }
  const peakMemBytes = Math.max(0, ...planDevices.map((d) => st.memPeak[d]!));
  const result: SimResult = {
    status,
    schedule: plan.schedule,
    iterationSec,
    samplesPerSec: status === "ok" && iterationSec > 0 ? (plan.microBatch * plan.microBatches) / iterationSec : 0,
    iterations: K,
    windowSec: window,
    makespanSec: makespan,
    actionCount: n,
    devices,
    stages,
    peakMemBytes,
    fits: memoryOverflow.length === 0,
    memoryOverflow,
    criticalPath: criticalPath(p, st),
    ...(status === "deadlock" ? { deadlock: deadlockReport(p, st) } : {}),
    ...(ctx.faults.length > 0 ? { faults: faultOutcomes(p, st, ctx) } : {}),
    ...(ctx.recordEvents ? { events: events(p, st), memory: memorySamples(st) } : {}),
  };
  return result;
}

function breakdown(b: Float64Array, d: number): MemoryBreakdown {
  const at = (c: number) => b[d * M_CATS + c]!;
  let total = 0;
  for (let c = 0; c < M_CATS; c++) total += at(c);
  return {
    weights: at(0),
    weightVersions: at(1),
    gradients: at(2),
    optimizerState: at(3),
    activations: at(4),
    buffers: at(5),
    workspace: at(6),
    total,
  };
}

/** Forwards of stage `stage` before its first backward on `device` (from the typed arrays, not the records). */
function warmupOf(p: Prepared, stage: number, device: number): number {
  const g = p.g;
  if (device < 0 || device >= g.devices) return 0;
  let count = 0;
  for (let x = g.offsets[device]!; x < g.offsets[device + 1]!; x++) {
    if (g.stage[x] !== stage) continue;
    const k = g.kind[x]!;
    if (k === K_B) break;
    if (k === K_F) count++;
  }
  return count;
}

/** From the last action to end, back through what released each action, to one that started at time 0. */
function criticalPath(p: Prepared, st: EngineState): CriticalStep[] {
  const g = p.g;
  let last = -1;
  for (let x = 0; x < g.count; x++) if (st.state[x] === DONE && (last < 0 || st.end[x]! > st.end[last]!)) last = x;
  const path: CriticalStep[] = [];
  const seen = new Set<number>();
  for (let x = last; x >= 0 && !seen.has(x); x = st.cause[x]!) {
    seen.add(x);
    const a = g.actionAt(x);
    path.push({ device: a.device, action: formatAction(a), kind: a.kind, startSec: st.start[x]!, endSec: st.end[x]! });
  }
  return path.reverse();
}

function faultOutcomes(p: Prepared, st: EngineState, ctx: ResultContext): FaultOutcome[] {
  const out: FaultOutcome[] = [];
  ctx.faults.forEach((f, i) => {
    if (f.kind !== "remove" || !st.faultSeen[i]) return;
    const stages = ctx.plan.stages.filter((s) => s.devices.includes(f.device)).map((s) => s.id);
    const stopped = st.stoppedBy === i;
    const restore = ctx.faults.find((r) => r.kind === "restore" && r.device === f.device && r.atSec >= f.atSec);
    const reason =
      stages.length === 0
        ? `device ${f.device} is not used by the plan`
        : stopped
          ? `device ${f.device} (stage ${stages.join(", ")}) was removed at ${f.atSec} s with ${st.faultUnfinished[i]} actions left; the plan has no redundancy, so the iteration cannot finish`
          : `device ${f.device} had finished its part of the iteration when it was removed; the next iteration cannot start without it`;
    out.push({
      device: f.device,
      atSec: f.atSec,
      stages,
      stopped,
      reason,
      unfinishedActions: stopped ? p.g.count - st.completed : 0,
      ...(restore ? { restoredAtSec: restore.atSec } : {}),
    });
  });
  return out;
}

function streamName(p: Prepared, x: number): StreamName {
  const s = p.stream[x]!;
  const k = p.g.kind[x]!;
  if (k === K_SEND) return `send→d${p.streamPeer[s]!}`;
  if (k === K_RECV) return `recv←d${p.streamPeer[s]!}`;
  return s < p.devices ? "compute" : "allreduce";
}

function events(p: Prepared, st: EngineState): SimEvent[] {
  const g = p.g;
  const out: SimEvent[] = [];
  for (let x = 0; x < g.count; x++) {
    if (st.state[x] !== DONE) continue;
    const a = g.actionAt(x);
    out.push({
      device: a.device,
      stream: streamName(p, x),
      action: formatAction(a),
      kind: a.kind,
      startSec: st.start[x]!,
      endSec: st.end[x]!,
    });
  }
  return out;
}

function memorySamples(st: EngineState): MemorySample[] {
  const t = st.memTrace;
  if (!t) return [];
  return t.device.map((device, i) => ({ device, atSec: t.atSec[i]!, bytes: t.bytes[i]! }));
}
