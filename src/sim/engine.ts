/**
 * The event loop: one loop and one dispatch on the action kind for every schedule (no per-schedule code).
 *
 * An action starts when it is the first unfinished action of its stream, its stream is idle and everything it
 * depends on has finished (schedules/action-graph.ts). Compute and all-reduce then take their duration (an
 * all-reduce once every replica has reached it). A send and its receive each occupy their stream from when
 * they are posted; the transfer starts once both are posted (rendezvous), flows over its links sharing their
 * bandwidth with the other transfers on them, and both ends finish one latency after the last byte.
 * Memory changes at starts and ends (prepare.ts). Fault events remove a device: if it still has work, the
 * run stops there. The loop ends when no event is left; unfinished actions then mean a deadlock.
 */
import { K_ALLREDUCE, K_F, K_R, K_RECV, K_SEND, K_STEP } from "../schedules/action-graph.js";
import { EventHeap } from "./event-heap.js";
import { M_ACT, M_BUF, M_CATS, M_VERSIONS, M_WS, type Prepared } from "./prepare.js";
import type { FaultEvent } from "./types.js";

const EV_END = 0;
const EV_BYTES = 1;
const EV_XFER_END = 2;
const EV_FAULT = 3;

export interface EngineState {
  readonly now: number;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly done: Uint8Array;
  readonly completed: number;
  /** Why each action could start when it did: the action whose end (or posting) released it, -1 at time 0. */
  readonly cause: Int32Array;
  readonly postTime: Float64Array;
  readonly pending: Int32Array;
  readonly streamHead: Int32Array;
  readonly groupArrived: Int32Array;
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
  /** With recordEvents: (device, time, total bytes) after every change. */
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
  const peer = g.peer;
  const dur = p.dur;
  const stream = p.stream;
  const streamList = p.streamList;
  const streamStart = p.streamStart;
  const heap = new EventHeap(Math.max(1024, 2 * D + 64));

  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const done = new Uint8Array(n);
  const cause = new Int32Array(n).fill(-1);
  const postTime = new Float64Array(n).fill(-1);
  const pending = new Int32Array(n);
  for (let x = 0; x < n; x++) pending[x] = g.depStart[x + 1]! - g.depStart[x]!;
  const streamHead = Int32Array.from(streamStart.subarray(0, p.streamCount));
  const streamBusy = new Uint8Array(p.streamCount);
  const groupArrived = new Int32Array(g.groupMembers.length);
  const deviceLeft = new Int32Array(D);
  for (let d = 0; d < D; d++) deviceLeft[d] = g.offsets[d + 1]! - g.offsets[d]!;

  // Memory.
  const mem = new Float64Array(D * M_CATS);
  mem.set(p.staticBytes);
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
    if (bytes === 0) return;
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
  for (let l = 0; l < L; l++) laneLatestRead[l] = p.laneV0Refs[l] ? 0 : 1;
  const setVersions = (l: number, v: number) => {
    const before = laneVersions[l]!;
    laneVersions[l] = v;
    if (v > lanePeakVersions[l]!) lanePeakVersions[l] = v;
    memAdd(p.laneDevice[l]!, M_VERSIONS, (v - before) * p.laneWeightBytes[l]!);
  };

  // Transfers (indexed by their send).
  const remaining = new Float64Array(n);
  const rate = new Float64Array(n);
  const lastUpdate = new Float64Array(n);
  const due = new Float64Array(n).fill(-1);
  const active: number[][] = Array.from({ length: p.linkCount }, () => []);

  const progress = (y: number) => {
    const r = rate[y]!;
    if (r > 0) remaining[y] = Math.max(0, remaining[y]! - r * (now - lastUpdate[y]!));
    lastUpdate[y] = now;
  };
  const share = (y: number) => {
    let r = Number.POSITIVE_INFINITY;
    const a = p.linkA[y]!;
    const b = p.linkB[y]!;
    const c = p.linkC[y]!;
    if (a >= 0) r = Math.min(r, p.linkBytesPerSec[a]! / active[a]!.length);
    if (b >= 0) r = Math.min(r, p.linkBytesPerSec[b]! / active[b]!.length);
    if (c >= 0) r = Math.min(r, p.linkBytesPerSec[c]! / active[c]!.length);
    return r;
  };
  const reschedule = (y: number) => {
    const r = share(y);
    if (r === rate[y] && due[y]! >= 0) return;
    rate[y] = r;
    const t = r === Number.POSITIVE_INFINITY ? now : now + remaining[y]! / r;
    due[y] = t;
    heap.push(t, y * 4 + EV_BYTES);
  };
  const reshare = (link: number) => {
    if (link < 0) return;
    const list = active[link]!;
    for (let i = 0; i < list.length; i++) progress(list[i]!);
    for (let i = 0; i < list.length; i++) reschedule(list[i]!);
  };
  const startTransfer = (s: number, r: number) => {
    const late = postTime[s]! >= postTime[r]! ? s : r;
    if (late === s) cause[r] = s;
    else cause[s] = r;
    start[s] = now;
    start[r] = now;
    memAdd(p.device[r]!, M_BUF, p.bytes[r]!);
    const a = p.linkA[s]!;
    if (a < 0) {
      heap.push(now + p.latency[s]!, s * 4 + EV_XFER_END);
      return;
    }
    remaining[s] = p.bytes[s]!;
    lastUpdate[s] = now;
    rate[s] = 0;
    due[s] = -1;
    const b = p.linkB[s]!;
    const c = p.linkC[s]!;
    active[a]!.push(s);
    if (b >= 0) active[b]!.push(s);
    if (c >= 0) active[c]!.push(s);
    reshare(a);
    reshare(b);
    reshare(c);
  };
  const unlink = (link: number, s: number) => {
    if (link < 0) return;
    const list = active[link]!;
    const i = list.indexOf(s);
    list[i] = list[list.length - 1]!;
    list.pop();
    reshare(link);
  };

  const tryStart = (x: number, why: number) => {
    if (pending[x]! > 0 || done[x] || postTime[x]! >= 0) return;
    const st = stream[x]!;
    if (streamBusy[st] || streamList[streamHead[st]!] !== x) return;
    streamBusy[st] = 1;
    cause[x] = why;
    postTime[x] = now;
    const k = kind[x]!;
    if (k === K_SEND || k === K_RECV) {
      const y = peer[x]!;
      if (y >= 0 && postTime[y]! >= 0) {
        if (k === K_SEND) startTransfer(x, y);
        else startTransfer(y, x);
      }
      return;
    }
    if (k === K_ALLREDUCE) {
      const gi = g.group[x]!;
      const members = g.groupMembers[gi]!;
      if (++groupArrived[gi]! < members.length) return;
      for (let i = 0; i < members.length; i++) {
        const y = members[i]!;
        if (y !== x) cause[y] = x;
        start[y] = now;
        heap.push(now + dur[y]!, y * 4 + EV_END);
      }
      return;
    }
    start[x] = now;
    const d = p.device[x]!;
    memAdd(d, M_WS, p.wsBytes[x]!);
    if (k === K_F) {
      const l = p.lane[x]!;
      const f = ++laneInFlight[l]!;
      if (f > lanePeakInFlight[l]!) lanePeakInFlight[l] = f;
    }
    heap.push(now + dur[x]!, x * 4 + EV_END);
  };

  let completed = 0;
  const finish = (x: number) => {
    done[x] = 1;
    end[x] = now;
    completed++;
    const k = kind[x]!;
    const d = p.device[x]!;
    deviceLeft[d]!--;
    if (k <= K_R || k === K_STEP) {
      memAdd(d, M_WS, -p.wsBytes[x]!);
      memAdd(d, M_ACT, p.actEnd[x]!);
    }
    memAdd(d, M_BUF, p.bufEnd[x]!);
    const l = p.lane[x]!;
    if (l >= 0) {
      if (p.endsInFlight[x]) laneInFlight[l]!--;
      const released = p.releasesVersion[x]!;
      if (released >= 0) {
        if (released === laneLatest[l]) laneLatestRead[l] = 1;
        else setVersions(l, laneVersions[l]! - 1);
      }
      const created = p.createsVersion[x]!;
      if (created >= 0) {
        const oldRead = laneLatestRead[l]!;
        laneLatest[l] = created;
        laneLatestRead[l] = p.createdHasRefs[x] ? 0 : 1;
        setVersions(l, laneVersions[l]! + 1 - oldRead);
      }
    }
    const st = stream[x]!;
    streamBusy[st] = 0;
    const h = ++streamHead[st]!;
    if (h < streamStart[st + 1]!) tryStart(streamList[h]!, x);
    for (let e = p.dependentStart[x]!; e < p.dependentStart[x + 1]!; e++) {
      const y = p.dependents[e]!;
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
      progress(x);
      rate[x] = 0;
      unlink(p.linkA[x]!, x);
      unlink(p.linkB[x]!, x);
      unlink(p.linkC[x]!, x);
      heap.push(now + p.latency[x]!, x * 4 + EV_XFER_END);
    } else if (type === EV_XFER_END) {
      const r = peer[x]!;
      finish(x);
      finish(r);
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
    done,
    completed,
    cause,
    postTime,
    pending,
    streamHead,
    groupArrived,
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
