/**
 * The event loop: one loop and one dispatch on the action kind for every schedule (no per-schedule code).
 *
 * An action starts when it is the first unfinished action of its stream, its stream is idle and everything it
 * depends on has finished (schedules/action-graph.ts). Compute and all-reduce then take their duration (an
 * all-reduce once every replica has reached it). A send and its receive each occupy their stream from when
 * they are posted; the transfer starts once both are posted (rendezvous), flows over its links sharing their
 * bandwidth with the other transfers on them, and both ends finish one latency after the last byte (the
 * message holds its links until it has arrived, so an unshared transfer costs one event).
 * Memory changes at starts and ends (prepare.ts). Fault events remove a device: if it still has work, the
 * run stops there. The loop ends when no event is left; unfinished actions then mean a deadlock.
 */
import { K_ALLREDUCE, K_F, K_R, K_RECV, K_SEND, K_STEP } from "../schedules/action-graph.js";
import { EventHeap } from "./event-heap.js";
import { M_ACT, M_BUF, M_CATS, M_VERSIONS, M_WS, type Prepared, SLOT_STRIDE } from "./prepare.js";
import type { FaultEvent } from "./types.js";

const EV_END = 0;
const EV_BYTES = 1;
const EV_XFER_END = 2;
const EV_FAULT = 3;

/** Action states. */
export const WAITING = 0;
export const STARTED = 1;
export const DONE = 2;

export interface EngineState {
  readonly now: number;
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** WAITING, STARTED (running, or posted and waiting for its partner) or DONE. */
  readonly state: Uint8Array;
  readonly completed: number;
  /** Why each action could start when it did: the action whose end (or posting) released it, -1 at time 0. */
  readonly cause: Int32Array;
  readonly pending: Int32Array;
  readonly streamHead: Int32Array;
  readonly memPeak: Float64Array;
  readonly memPeakAt: Float64Array;
  /** Breakdown at the peak, M_CATS per device. */
  readonly memPeakBreakdown: Float64Array;
  readonly overflowAt: Float64Array;
  readonly overflowMax: Float64Array;
  readonly lanePeakInFlight: Int32Array;
  readonly lanePeakVersions: Int32Array;
  /** Fault that stopped the run (index into faults), -1 if none. */
  readonly stoppedBy: number;
  readonly faultSeen: Uint8Array;
  readonly faultUnfinished: Int32Array;
  /** With recordMemory: (device, time, total bytes) after every change. */
  readonly memTrace?: { device: number[]; atSec: number[]; bytes: number[] };
}

export function runEngine(
  p: Prepared,
  capacityBytes: number,
  faults: readonly FaultEvent[],
  recordMemory: boolean,
): EngineState {
  const g = p.g;
  const n = g.count;
  const D = p.devices;
  const kind = g.kind;
  const device = p.device;
  const slot = p.slot;
  const slotSec = p.slotSec;
  const slotWs = p.slotWsBytes;
  const slotAct = p.slotActBytes;
  const bufEnd = p.bufEnd;
  const stream = p.stream;
  const streamList = p.streamList;
  const streamStart = p.streamStart;
  const dependentStart = p.dependentStart;
  const dependents = p.dependents;
  const heap = new EventHeap(Math.max(1024, 4 * D + 64));

  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const state = new Uint8Array(n);
  const cause = new Int32Array(n).fill(-1);
  const pending = new Int32Array(n);
  for (let x = 0; x < n; x++) pending[x] = g.depStart[x + 1]! - g.depStart[x]!;
  const streamHead = Int32Array.from(streamStart.subarray(0, p.streamCount));
  const streamBusy = new Uint8Array(p.streamCount);
  const groupArrived = new Int32Array(g.groupMembers.length);
  const deviceLeft = new Int32Array(D);
  for (let d = 0; d < D; d++) deviceLeft[d] = g.offsets[d + 1]! - g.offsets[d]!;

  // Memory.
  const mem = Float64Array.from(p.staticBytes);
  const memTotal = new Float64Array(D);
  for (let d = 0; d < D; d++) for (let c = 0; c < M_CATS; c++) memTotal[d]! += mem[d * M_CATS + c]!;
  const memPeak = Float64Array.from(memTotal);
  const memPeakAt = new Float64Array(D);
  const memPeakBreakdown = Float64Array.from(mem);
  const overflowAt = new Float64Array(D).fill(-1);
  const overflowMax = new Float64Array(D);
  const memTrace = recordMemory ? { device: [] as number[], atSec: [] as number[], bytes: [] as number[] } : undefined;
  let now = 0;
  for (let d = 0; d < D; d++) {
    if (memTotal[d]! > capacityBytes && deviceLeft[d]! > 0) {
      overflowAt[d] = 0;
      overflowMax[d] = memTotal[d]! - capacityBytes;
    }
    if (memTrace && deviceLeft[d]! > 0) {
      memTrace.device.push(d);
      memTrace.atSec.push(0);
      memTrace.bytes.push(memTotal[d]!);
    }
  }
  const memAdd = (d: number, cat: number, bytes: number) => {
    mem[d * M_CATS + cat]! += bytes;
    memTotal[d]! += bytes;
    const total = memTotal[d]!;
    if (memTrace) {
      memTrace.device.push(d);
      memTrace.atSec.push(now);
      memTrace.bytes.push(total);
    }
    if (bytes > 0 && total > memPeak[d]!) {
      memPeak[d] = total;
      memPeakAt[d] = now;
      for (let c = 0; c < M_CATS; c++) memPeakBreakdown[d * M_CATS + c] = mem[d * M_CATS + c]!;
      if (total > capacityBytes) {
        if (overflowAt[d]! < 0) overflowAt[d] = now;
        overflowMax[d] = Math.max(overflowMax[d]!, total - capacityBytes);
      }
    }
  };

  // Lanes: in-flight micro-batches and weight versions.
  const L = p.laneCount;
  const laneInFlight = new Int32Array(L);
  const lanePeakInFlight = new Int32Array(L);
  const laneVersions = new Int32Array(L).fill(1);
  const lanePeakVersions = new Int32Array(L).fill(1);
  const laneLatest = new Int32Array(L);
  const laneLatestRead = new Uint8Array(L);
  const vb = p.versions;
  if (vb) for (let l = 0; l < L; l++) laneLatestRead[l] = vb.laneV0Refs[l] ? 0 : 1;
  const setVersions = (l: number, v: number) => {
    const before = laneVersions[l]!;
    laneVersions[l] = v;
    if (v > lanePeakVersions[l]!) lanePeakVersions[l] = v;
    if (v !== before) memAdd(p.laneDevice[l]!, M_VERSIONS, (v - before) * p.laneWeightBytes[l]!);
  };

  // Transfers, by transfer index: bytes left, current rate, when last updated, when its bytes are due.
  const T = p.transferCount;
  const remaining = new Float64Array(T);
  const rate = new Float64Array(T);
  const lastUpdate = new Float64Array(T);
  const due = new Float64Array(T).fill(-1);
  const active: number[][] = Array.from({ length: p.linkCount }, () => []);
  const linkA = p.linkA;
  const linkB = p.linkB;
  const linkC = p.linkC;
  const linkBw = p.linkBytesPerSec;

  const progress = (t: number) => {
    const r = rate[t]!;
    if (r > 0) remaining[t] = Math.max(0, remaining[t]! - r * (now - lastUpdate[t]!));
    lastUpdate[t] = now;
  };
  // A transfer whose bytes are all through (only its latency left) keeps its end time when links re-share.
  const reschedule = (t: number) => {
    if (remaining[t] === 0 && due[t]! >= 0) return;
    let r = Number.POSITIVE_INFINITY;
    const a = linkA[t]!;
    const b = linkB[t]!;
    const c = linkC[t]!;
    if (a >= 0) r = Math.min(r, linkBw[a]! / active[a]!.length);
    if (b >= 0) r = Math.min(r, linkBw[b]! / active[b]!.length);
    if (c >= 0) r = Math.min(r, linkBw[c]! / active[c]!.length);
    if (r === rate[t] && due[t]! >= 0) return;
    rate[t] = r;
    // The message holds its links until it has arrived: last byte + latency (one event per transfer).
    const at = now + remaining[t]! / r + p.xferLatency[t]!;
    due[t] = at;
    heap.push(at, t * 4 + EV_BYTES);
  };
  const reshare = (link: number) => {
    if (link < 0) return;
    const list = active[link]!;
    for (let i = 0; i < list.length; i++) progress(list[i]!);
    for (let i = 0; i < list.length; i++) reschedule(list[i]!);
  };
  /** Both ends are posted: the transfer starts now; `late` is the end posted last (its partner waited). */
  const startTransfer = (t: number, late: number) => {
    const s = p.xferSend[t]!;
    const r = p.xferRecv[t]!;
    cause[late === s ? r : s] = late;
    start[s] = now;
    start[r] = now;
    if (p.xferBytes[t]! > 0) memAdd(device[r]!, M_BUF, p.xferBytes[t]!);
    const a = linkA[t]!;
    if (a < 0) {
      heap.push(now + p.xferLatency[t]!, t * 4 + EV_XFER_END);
      return;
    }
    remaining[t] = p.xferBytes[t]!;
    lastUpdate[t] = now;
    rate[t] = 0;
    due[t] = -1;
    const b = linkB[t]!;
    const c = linkC[t]!;
    active[a]!.push(t);
    if (b >= 0) active[b]!.push(t);
    if (c >= 0) active[c]!.push(t);
    reshare(a);
    reshare(b);
    reshare(c);
  };
  const unlink = (link: number, t: number) => {
    if (link < 0) return;
    const list = active[link]!;
    const i = list.indexOf(t);
    list[i] = list[list.length - 1]!;
    list.pop();
    reshare(link);
  };

  const tryStart = (x: number, why: number) => {
    if (pending[x]! > 0 || state[x] !== WAITING) return;
    const st = stream[x]!;
    if (streamBusy[st] || streamList[streamHead[st]!] !== x) return;
    streamBusy[st] = 1;
    state[x] = STARTED;
    cause[x] = why;
    const k = kind[x]!;
    if (k === K_SEND || k === K_RECV) {
      const y = g.peer[x]!;
      if (y >= 0 && state[y] === STARTED) startTransfer(slot[x]!, x);
      return;
    }
    if (k === K_ALLREDUCE) {
      const gi = g.group[x]!;
      const members = g.groupMembers[gi]!;
      if (++groupArrived[gi]! < members.length) return;
      const done = now + p.allReduceSec[slot[x]!]!;
      for (let i = 0; i < members.length; i++) {
        const y = members[i]!;
        if (y !== x) cause[y] = x;
        start[y] = now;
        heap.push(done, y * 4 + EV_END);
      }
      return;
    }
    start[x] = now;
    const sl = slot[x]!;
    const ws = slotWs[sl]!;
    if (ws !== 0) memAdd(device[x]!, M_WS, ws);
    if (k === K_F) {
      const l = (sl / SLOT_STRIDE) | 0;
      const f = ++laneInFlight[l]!;
      if (f > lanePeakInFlight[l]!) lanePeakInFlight[l] = f;
    }
    heap.push(now + slotSec[sl]!, x * 4 + EV_END);
  };

  let completed = 0;
  const finish = (x: number) => {
    state[x] = DONE;
    end[x] = now;
    completed++;
    const k = kind[x]!;
    const d = device[x]!;
    deviceLeft[d]!--;
    if (k <= K_R || k === K_STEP) {
      const sl = slot[x]!;
      const ws = slotWs[sl]!;
      if (ws !== 0) memAdd(d, M_WS, -ws);
      const act = slotAct[sl]!;
      if (act !== 0) memAdd(d, M_ACT, act);
      const l = (sl / SLOT_STRIDE) | 0;
      if (p.slotEndsInFlight[sl]) laneInFlight[l]!--;
      if (vb) {
        const released = vb.releases[x]!;
        if (released >= 0) {
          if (released === laneLatest[l]) laneLatestRead[l] = 1;
          else setVersions(l, laneVersions[l]! - 1);
        }
        const created = vb.creates[x]!;
        if (created >= 0) {
          const oldRead = laneLatestRead[l]!;
          laneLatest[l] = created;
          laneLatestRead[l] = vb.createdHasRefs[x] ? 0 : 1;
          setVersions(l, laneVersions[l]! + 1 - oldRead);
        }
      }
    }
    const buf = bufEnd[x]!;
    if (buf !== 0) memAdd(d, M_BUF, buf);
    const st = stream[x]!;
    streamBusy[st] = 0;
    const h = ++streamHead[st]!;
    if (h < streamStart[st + 1]!) tryStart(streamList[h]!, x);
    for (let e = dependentStart[x]!; e < dependentStart[x + 1]!; e++) {
      const y = dependents[e]!;
      if (--pending[y]! === 0) tryStart(y, x);
    }
  };

  const faultSeen = new Uint8Array(faults.length);
  const faultUnfinished = new Int32Array(faults.length);
  faults.forEach((f, i) => {
    heap.push(Math.max(0, f.atSec), i * 4 + EV_FAULT);
  });
  let stoppedBy = -1;

  for (let st = 0; st < p.streamCount; st++) {
    if (streamStart[st]! < streamStart[st + 1]!) tryStart(streamList[streamStart[st]!]!, -1);
  }
  while (heap.size > 0) {
    const payload = heap.pop();
    now = heap.lastTime;
    const type = payload & 3;
    const x = payload >> 2;
    if (type === EV_END) {
      finish(x);
    } else if (type === EV_BYTES) {
      if (due[x] !== now) continue; // superseded by a later reschedule
      due[x] = -2;
      rate[x] = 0;
      unlink(linkA[x]!, x);
      unlink(linkB[x]!, x);
      unlink(linkC[x]!, x);
      finish(p.xferSend[x]!);
      finish(p.xferRecv[x]!);
    } else if (type === EV_XFER_END) {
      finish(p.xferSend[x]!);
      finish(p.xferRecv[x]!);
    } else {
      const f = faults[x]!;
      faultSeen[x] = 1;
      if (f.kind === "remove" && f.device >= 0 && f.device < D) {
        faultUnfinished[x] = deviceLeft[f.device]!;
        if (deviceLeft[f.device]! > 0) {
          stoppedBy = x;
          break;
        }
      }
    }
  }
  return {
    now,
    start,
    end,
    state,
    completed,
    cause,
    pending,
    streamHead,
    memPeak,
    memPeakAt,
    memPeakBreakdown,
    overflowAt,
    overflowMax,
    lanePeakInFlight,
    lanePeakVersions,
    stoppedBy,
    faultSeen,
    faultUnfinished,
    ...(memTrace ? { memTrace } : {}),
  };
}
