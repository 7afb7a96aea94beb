/**
 * Everything the event loop needs, computed once before it runs, as flat typed arrays: streams (and each
 * stream's actions in order), dependents, durations and memory changes, weight-version bookkeeping and the
 * links each transfer crosses. The loop itself then allocates nothing per event.
 *
 * Layout, kept small because a large run holds hundreds of thousands of actions: what is the same for every
 * micro-batch of a (device, stage) "lane" — durations, workspace, activation bytes — lives in a per-lane table
 * indexed by `slot` (lane × 8 + kind); transfers get a compact index of their own (`slot` of a send or receive)
 * for their bytes, links and flow state.
 *
 * Streams of device d: compute (F, B, W, recompute, step), all-reduce, and one send stream per peer and one
 * receive stream per peer (NCCL-style: transfers to different peers do not queue behind each other).
 *
 * Links: a transfer inside a node uses the directed device pair (bandwidth cluster.intra); across nodes it
 * uses the directed pair (cluster.inter) and the sending node's egress and receiving node's ingress
 * (cluster.interNodeBytesPerSec, default inter × devicesPerNode). Concurrent transfers on a link share it
 * equally; a transfer moves at the smallest share among its links (docs/simulator.md). Links of infinite
 * bandwidth are left out: they take no time and need no sharing.
 */
import type { CostModel } from "../cost/types.js";
import type { Graph } from "../graph/types.js";
import { allReduceSec, linkBetween, nodeBytesPerSec, nodeOf } from "../hardware/comm.js";
import type { Cluster } from "../hardware/types.js";
import type { Plan } from "../plan/types.js";
import {
  type ActionGraph,
  K_ALLREDUCE,
  K_B,
  K_F,
  K_R,
  K_RECV,
  K_SEND,
  K_STEP,
  K_W,
} from "../schedules/action-graph.js";
import { stageCosts } from "./stage-costs.js";

/** Memory categories, in MemoryBreakdown order. */
export const M_WEIGHTS = 0;
export const M_VERSIONS = 1;
export const M_GRADS = 2;
export const M_OPTIM = 3;
export const M_ACT = 4;
export const M_BUF = 5;
export const M_WS = 6;
export const M_CATS = 7;

/** Per-lane table stride: one row per action kind. */
export const SLOT_STRIDE = 8;

export interface Prepared {
  readonly g: ActionGraph;
  readonly devices: number;
  /** Typed copies of the action fields (from the action graph). */
  readonly device: Int32Array;
  readonly microBatch: Int32Array;
  /** Stream of each action; streams 0…D−1 are compute, D…2D−1 all-reduce, then point-to-point. */
  readonly stream: Int32Array;
  readonly streamCount: number;
  readonly streamStart: Int32Array;
  readonly streamList: Int32Array;
  /** Peer device of a point-to-point stream (-1 for compute and all-reduce streams). */
  readonly streamPeer: Int32Array;
  readonly dependentStart: Int32Array;
  readonly dependents: Int32Array;
  /**
   * Compute and step: row of the lane tables (lane × SLOT_STRIDE + kind); all-reduce: its stage;
   * send and receive: the transfer index.
   */
  readonly slot: Int32Array;
  /** Lane tables, by slot: duration, workspace held while running, activation bytes added (−freed) at the end. */
  readonly slotSec: Float64Array;
  readonly slotWsBytes: Float64Array;
  readonly slotActBytes: Float64Array;
  /** 1 when an action of this slot ends an in-flight micro-batch (the last of B/W). */
  readonly slotEndsInFlight: Uint8Array;
  /** All-reduce duration by stage. */
  readonly allReduceSec: Float64Array;
  /** Send/receive buffer bytes added (+) or freed (−) when the action ends. */
  readonly bufEnd: Float64Array;
  readonly laneCount: number;
  readonly laneDevice: Int32Array;
  readonly laneStage: Int32Array;
  /** Bytes of one weight version of the lane's stage replica. */
  readonly laneWeightBytes: Float64Array;
  /** Weight versions, when the schedule has them (no-flush kinds); undefined otherwise. */
  readonly versions?: VersionBook;
  /** Static bytes of each device: weights, gradients, optimizer state (M_CATS per device). */
  readonly staticBytes: Float64Array;
  readonly transferCount: number;
  /** Per transfer: its send and receive, bytes, latency and links crossed (-1 = none; linkA < 0 = no links). */
  readonly xferSend: Int32Array;
  readonly xferRecv: Int32Array;
  readonly xferBytes: Float64Array;
  readonly xferLatency: Float64Array;
  readonly linkA: Int32Array;
  readonly linkB: Int32Array;
  readonly linkC: Int32Array;
  readonly linkBytesPerSec: Float64Array;
  readonly linkCount: number;
}

export interface VersionBook {
  /** 1 when some action of the lane reads version 0. */
  readonly laneV0Refs: Uint8Array;
  /** The weight version whose last reader this action is (-1 none). */
  readonly releases: Int32Array;
  /** Step: the version it creates (-1 none) and whether anything reads it. */
  readonly creates: Int32Array;
  readonly createdHasRefs: Uint8Array;
}

export function prepare(g: ActionGraph, plan: Plan, graph: Graph, cluster: Cluster, cost: CostModel): Prepared {
  const n = g.count;
  const D = g.devices;
  const S = plan.stages.length;
  const kind = g.kind;
  const stageOf = g.stage;
  const device = g.device;
  const costs = stageCosts(plan, graph, cost);
  const stream = new Int32Array(n);
  const slot = new Int32Array(n).fill(-1);
  const bufEnd = new Float64Array(n);

  // Which stages run a split backward (any W in the schedule).
  const split = new Uint8Array(S);
  for (let x = 0; x < n; x++) if (kind[x] === K_W && stageOf[x]! >= 0) split[stageOf[x]!] = 1;

  // Lanes: one per (stage, device) that runs compute, numbered in order of first appearance.
  const replicaAt = new Int32Array(S * D).fill(-1);
  plan.stages.forEach((st, s) => {
    st.devices.forEach((d, j) => {
      if (d < D) replicaAt[s * D + d] = j;
    });
  });
  const laneAt = new Int32Array(S * D).fill(-1);
  const laneDevice: number[] = [];
  const laneStage: number[] = [];
  for (let x = 0; x < n; x++) {
    const s = stageOf[x]!;
    const k = kind[x]!;
    if (s < 0 || !(k <= K_R || k === K_STEP)) continue;
    const key = s * D + device[x]!;
    if (laneAt[key]! < 0) {
      laneAt[key] = laneDevice.length;
      laneDevice.push(device[x]!);
      laneStage.push(s);
    }
  }
  const laneCount = laneDevice.length;
  const slotSec = new Float64Array(laneCount * SLOT_STRIDE);
  const slotWsBytes = new Float64Array(laneCount * SLOT_STRIDE);
  const slotActBytes = new Float64Array(laneCount * SLOT_STRIDE);
  const slotEndsInFlight = new Uint8Array(laneCount * SLOT_STRIDE);
  const laneWeightBytes = new Float64Array(laneCount);
  for (let l = 0; l < laneCount; l++) {
    const s = laneStage[l]!;
    const rc = costs.replica(s, Math.max(0, replicaAt[s * D + laneDevice[l]!]!));
    const row = l * SLOT_STRIDE;
    const freed = -(rc.keptBytes + rc.recomputedBytes);
    laneWeightBytes[l] = rc.weightsBytes;
    slotSec[row + K_F] = rc.fwdSec;
    slotWsBytes[row + K_F] = rc.workspaceBytes;
    slotActBytes[row + K_F] = rc.keptBytes;
    slotSec[row + K_B] = split[s] ? rc.bwdSec - rc.weightGradSec : rc.bwdSec;
    slotWsBytes[row + K_B] = rc.workspaceBytes;
    slotActBytes[row + K_B] = split[s] ? 0 : freed;
    slotEndsInFlight[row + K_B] = split[s] ? 0 : 1;
    slotSec[row + K_W] = rc.weightGradSec;
    slotActBytes[row + K_W] = freed;
    slotEndsInFlight[row + K_W] = 1;
    slotSec[row + K_R] = rc.recomputeSec;
    slotWsBytes[row + K_R] = rc.workspaceBytes;
    slotActBytes[row + K_R] = rc.recomputedBytes;
    slotSec[row + K_STEP] = rc.stepSec;
  }
  const allReduce = new Float64Array(S);

  // Streams and slots. Point-to-point streams are allocated in order of first use.
  const p2p = new Map<number, number>();
  const peers: number[] = [];
  let streamCount = 2 * D;
  let transferCount = 0;
  const arBytes = new Float64Array(S).fill(-1);
  for (let x = 0; x < n; x++) {
    const d = device[x]!;
    const k = kind[x]!;
    const s = stageOf[x]!;
    if (k === K_SEND || k === K_RECV) {
      const peerDev = g.peerDevice[x]!;
      const key = (d * D + Math.max(0, peerDev)) * 2 + (k === K_SEND ? 0 : 1);
      let id = p2p.get(key);
      if (id === undefined) {
        id = streamCount++;
        p2p.set(key, id);
        peers.push(peerDev);
      }
      stream[x] = id;
      if (k === K_SEND) slot[x] = transferCount++;
      continue;
    }
    stream[x] = k === K_ALLREDUCE ? D + d : d;
    if (s < 0) continue;
    if (k === K_ALLREDUCE) {
      slot[x] = s;
      if (arBytes[s] !== g.bytes[x]) {
        arBytes[s] = g.bytes[x]!;
        allReduce[s] = allReduceSec(cluster, plan.stages[s]!.devices, g.bytes[x]!);
      }
    } else slot[x] = laneAt[s * D + d]! * SLOT_STRIDE + k;
  }
  for (let x = 0; x < n; x++) if (kind[x] === K_RECV && g.peer[x]! >= 0) slot[x] = slot[g.peer[x]!]!;

  // Buffers: a producer's sends hold its output until sent; a consumer frees what it received.
  for (let x = 0; x < n; x++) {
    const k = kind[x]!;
    if (k === K_SEND) {
      for (let e = g.depStart[x]!; e < g.depStart[x + 1]!; e++) bufEnd[g.deps[e]!]! += g.bytes[x]!;
      bufEnd[x]! -= g.bytes[x]!;
    } else if (k === K_F || k === K_B) {
      for (let e = g.depStart[x]!; e < g.depStart[x + 1]!; e++) {
        const y = g.deps[e]!;
        if (kind[y] === K_RECV) bufEnd[x]! -= g.bytes[y]!;
      }
    }
  }

  // Static memory per device: every stage replica it holds.
  const staticBytes = new Float64Array(D * M_CATS);
  plan.stages.forEach((s, i) => {
    s.devices.forEach((d, j) => {
      if (d >= D) return;
      const rc = costs.replica(i, j);
      staticBytes[d * M_CATS + M_WEIGHTS]! += rc.weightsBytes;
      staticBytes[d * M_CATS + M_GRADS]! += rc.gradientsBytes;
      staticBytes[d * M_CATS + M_OPTIM]! += rc.optimizerBytes;
    });
  });

  const streamPeer = new Int32Array(streamCount).fill(-1);
  peers.forEach((peer, i) => {
    streamPeer[2 * D + i] = peer;
  });
  const { start: streamStart, list: streamList } = groupBy(streamCount, stream);
  const { start: dependentStart, list: dependents } = reverse(g);
  const versions = versionBook(g, slot, laneCount);
  return {
    g,
    devices: D,
    device,
    microBatch: g.microBatch,
    stream,
    streamCount,
    streamStart,
    streamList,
    streamPeer,
    dependentStart,
    dependents,
    slot,
    slotSec,
    slotWsBytes,
    slotActBytes,
    slotEndsInFlight,
    allReduceSec: allReduce,
    bufEnd,
    laneCount,
    laneDevice: Int32Array.from(laneDevice),
    laneStage: Int32Array.from(laneStage),
    laneWeightBytes,
    ...(versions ? { versions } : {}),
    staticBytes,
    ...transferTable(g, cluster, slot, transferCount),
  };
}

/** Indices 0…n−1 grouped by key (stable: ascending index inside a group), as CSR. */
function groupBy(keys: number, keyOf: Int32Array): { start: Int32Array; list: Int32Array } {
  const n = keyOf.length;
  const start = new Int32Array(keys + 1);
  for (let x = 0; x < n; x++) start[keyOf[x]! + 1]!++;
  for (let k = 0; k < keys; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, keys);
  const list = new Int32Array(n);
  for (let x = 0; x < n; x++) list[fill[keyOf[x]!]!++] = x;
  return { start, list };
}

function reverse(g: ActionGraph): { start: Int32Array; list: Int32Array } {
  const n = g.count;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < g.deps.length; e++) start[g.deps[e]! + 1]!++;
  for (let x = 0; x < n; x++) start[x + 1]! += start[x]!;
  const fill = start.slice(0, n);
  const list = new Int32Array(g.deps.length);
  for (let x = 0; x < n; x++) {
    for (let e = g.depStart[x]!; e < g.depStart[x + 1]!; e++) list[fill[g.deps[e]!]!++] = x;
  }
  return { start, list };
}

/** The last reader of each (lane, version), in list order (= compute-stream order); none without versions. */
function versionBook(g: ActionGraph, slot: Int32Array, laneCount: number): VersionBook | undefined {
  const n = g.count;
  const version = g.version;
  if (!version) return undefined;
  const releases = new Int32Array(n).fill(-1);
  const creates = new Int32Array(n).fill(-1);
  const createdHasRefs = new Uint8Array(n);
  const laneV0Refs = new Uint8Array(laneCount);
  const lastReader = new Map<number, number>();
  const laneOf = (x: number) => Math.floor(slot[x]! / SLOT_STRIDE);
  for (let x = 0; x < n; x++) {
    const v = version[x]!;
    const k = g.kind[x]!;
    if (v < 0 || k > K_R || slot[x]! < 0) continue;
    const l = laneOf(x);
    lastReader.set(v * laneCount + l, x);
    if (v === 0) laneV0Refs[l] = 1;
  }
  for (const [key, x] of lastReader) releases[x] = Math.floor(key / laneCount);
  for (let x = 0; x < n; x++) {
    const v = version[x]!;
    if (g.kind[x] === K_STEP && v >= 0 && slot[x]! >= 0) {
      creates[x] = v;
      createdHasRefs[x] = lastReader.has(v * laneCount + laneOf(x)) ? 1 : 0;
    }
  }
  return { laneV0Refs, releases, creates, createdHasRefs };
}

function transferTable(
  g: ActionGraph,
  cluster: Cluster,
  slot: Int32Array,
  count: number,
): Pick<
  Prepared,
  | "transferCount"
  | "xferSend"
  | "xferRecv"
  | "xferBytes"
  | "xferLatency"
  | "linkA"
  | "linkB"
  | "linkC"
  | "linkBytesPerSec"
  | "linkCount"
> {
  const D = g.devices;
  const xferSend = new Int32Array(count);
  const xferRecv = new Int32Array(count).fill(-1);
  const xferBytes = new Float64Array(count);
  const xferLatency = new Float64Array(count);
  const linkA = new Int32Array(count).fill(-1);
  const linkB = new Int32Array(count).fill(-1);
  const linkC = new Int32Array(count).fill(-1);
  const ids = new Map<number, number>();
  const bw: number[] = [];
  const id = (key: number, bytesPerSec: number) => {
    let i = ids.get(key);
    if (i === undefined) {
      i = bw.length;
      ids.set(key, i);
      bw.push(bytesPerSec);
    }
    return i;
  };
  const nodeBw = nodeBytesPerSec(cluster);
  for (let x = 0; x < g.count; x++) {
    if (g.kind[x] !== K_SEND) continue;
    const t = slot[x]!;
    const from = g.device[x]!;
    const to = g.peerDevice[x]! >= 0 ? g.peerDevice[x]! : from;
    const link = linkBetween(cluster, from, to);
    xferSend[t] = x;
    xferRecv[t] = g.peer[x]!;
    xferBytes[t] = g.bytes[x]!;
    xferLatency[t] = link.latencySec;
    if (g.bytes[x]! <= 0 || from === to) continue;
    let a = Number.isFinite(link.bytesPerSec) ? id(from * D + to, link.bytesPerSec) : -1;
    const na = nodeOf(cluster, from);
    const nb = nodeOf(cluster, to);
    let b = -1;
    let c = -1;
    if (na !== nb && Number.isFinite(nodeBw)) {
      b = id(D * D + 2 * na, nodeBw);
      c = id(D * D + 2 * nb + 1, nodeBw);
    }
    // Keep the first used link in linkA so "no links" is linkA < 0.
    if (a < 0) {
      a = b;
      b = -1;
    }
    linkA[t] = a;
    linkB[t] = b;
    linkC[t] = c;
  }
  return {
    transferCount: count,
    xferSend,
    xferRecv,
    xferBytes,
    xferLatency,
    linkA,
    linkB,
    linkC,
    linkBytesPerSec: Float64Array.from(bw),
    linkCount: bw.length,
  };
}
