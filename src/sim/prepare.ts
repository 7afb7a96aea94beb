/**
 * Everything the event loop needs, computed once before it runs, as flat typed arrays indexed by action:
 * durations, streams (and each stream's actions in order), dependents, memory changes, weight-version
 * bookkeeping and the links each transfer crosses. The loop itself then allocates nothing per event.
 *
 * Streams of device d: compute (F, B, W, recompute, step), all-reduce, and one send stream per peer and one
 * receive stream per peer (NCCL-style: transfers to different peers do not queue behind each other).
 *
 * Links: a transfer inside a node uses the directed device pair (bandwidth cluster.intra); across nodes it
 * uses the directed pair (cluster.inter) and the sending node's egress and receiving node's ingress
 * (cluster.interNodeBytesPerSec, default inter × devicesPerNode). Concurrent transfers on a link share it
 * equally; a transfer moves at the smallest share among its links (docs/simulator.md).
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
import { type ReplicaCost, stageCosts } from "./stage-costs.js";

/** Memory categories, in MemoryBreakdown order. */
export const M_WEIGHTS = 0;
export const M_VERSIONS = 1;
export const M_GRADS = 2;
export const M_OPTIM = 3;
export const M_ACT = 4;
export const M_BUF = 5;
export const M_WS = 6;
export const M_CATS = 7;

export interface Prepared {
  readonly g: ActionGraph;
  readonly devices: number;
  readonly dur: Float64Array;
  readonly bytes: Float64Array;
  /** Device and micro-batch of each action (typed copies of the action records' fields). */
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
  /** Workspace held while the action runs. */
  readonly wsBytes: Float64Array;
  /** Activation bytes added (+) or freed (−) when the action ends. */
  readonly actEnd: Float64Array;
  /** Send/receive buffer bytes added (+) or freed (−) when the action ends. */
  readonly bufEnd: Float64Array;
  /** (device, stage) lane of compute actions and steps, -1 otherwise. */
  readonly lane: Int32Array;
  readonly laneCount: number;
  readonly laneDevice: Int32Array;
  readonly laneStage: Int32Array;
  /** Bytes of one weight version of the lane's stage replica. */
  readonly laneWeightBytes: Float64Array;
  /** 1 when some action of the lane reads version 0. */
  readonly laneV0Refs: Uint8Array;
  /** An in-flight micro-batch ends with this action (the last of B/W). */
  readonly endsInFlight: Uint8Array;
  /** The weight version whose last reader this action is (-1 none). */
  readonly releasesVersion: Int32Array;
  /** Step: the version it creates (-1 none) and whether anything reads it. */
  readonly createsVersion: Int32Array;
  readonly createdHasRefs: Uint8Array;
  /** Static bytes of each device: weights, gradients, optimizer state. */
  readonly staticBytes: Float64Array;
  /** Transfers (by send index): links crossed (-1 = none) and the latency. */
  readonly linkA: Int32Array;
  readonly linkB: Int32Array;
  readonly linkC: Int32Array;
  readonly latency: Float64Array;
  readonly linkBytesPerSec: Float64Array;
  readonly linkCount: number;
}

export function prepare(g: ActionGraph, plan: Plan, graph: Graph, cluster: Cluster, cost: CostModel): Prepared {
  const n = g.count;
  const D = g.devices;
  const costs = stageCosts(plan, graph, cost);
  const dur = new Float64Array(n);
  const stream = new Int32Array(n);
  const wsBytes = new Float64Array(n);
  const actEnd = new Float64Array(n);
  const bufEnd = new Float64Array(n);
  const lane = new Int32Array(n).fill(-1);
  const endsInFlight = new Uint8Array(n);
  const releasesVersion = new Int32Array(n).fill(-1);
  const createsVersion = new Int32Array(n).fill(-1);
  const createdHasRefs = new Uint8Array(n);

  // Which stages run a split backward (any W in the schedule).
  const split = new Uint8Array(plan.stages.length);
  for (let x = 0; x < n; x++) if (g.kind[x] === K_W && g.stage[x]! >= 0) split[g.stage[x]!] = 1;

  // Streams: compute d, all-reduce D + d, point-to-point allocated in order of first use.
  const p2p = new Map<number, number>();
  const peers: number[] = [];
  let streamCount = 2 * D;
  // Lanes (device, stage) and the replica cost of each, looked up through a dense (stage, device) table.
  const S = plan.stages.length;
  const laneAt = new Int32Array(S * D).fill(-1);
  const laneDevice: number[] = [];
  const laneStage: number[] = [];
  const laneWeight: number[] = [];
  const laneCost: ReplicaCost[] = [];
  const replicaAt = new Int32Array(S * D).fill(-1);
  plan.stages.forEach((st, s) => {
    st.devices.forEach((d, j) => {
      if (d < D) replicaAt[s * D + d] = j;
    });
  });
  const device = g.device;
  const microBatch = g.microBatch;
  const bytes = g.bytes;
  for (let x = 0; x < n; x++) {
    const d = device[x]!;
    const k = g.kind[x]!;
    const s = g.stage[x]!;
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
      continue;
    }
    stream[x] = k === K_ALLREDUCE ? D + d : d;
    if (s < 0) continue;
    let l = laneAt[s * D + d]!;
    if (l < 0) {
      l = laneDevice.length;
      laneAt[s * D + d] = l;
      const cost = costs.replica(s, Math.max(0, replicaAt[s * D + d]!));
      laneDevice.push(d);
      laneStage.push(s);
      laneWeight.push(cost.weightsBytes);
      laneCost.push(cost);
    }
    const rc = laneCost[l]!;
    switch (k) {
      case K_F:
        dur[x] = rc.fwdSec;
        wsBytes[x] = rc.workspaceBytes;
        actEnd[x] = rc.keptBytes;
        lane[x] = l;
        break;
      case K_B:
        dur[x] = split[s] ? rc.bwdSec - rc.weightGradSec : rc.bwdSec;
        wsBytes[x] = rc.workspaceBytes;
        if (!split[s]) {
          actEnd[x] = -(rc.keptBytes + rc.recomputedBytes);
          endsInFlight[x] = 1;
        }
        lane[x] = l;
        break;
      case K_W:
        dur[x] = rc.weightGradSec;
        actEnd[x] = -(rc.keptBytes + rc.recomputedBytes);
        endsInFlight[x] = 1;
        lane[x] = l;
        break;
      case K_R:
        dur[x] = rc.recomputeSec;
        wsBytes[x] = rc.workspaceBytes;
        actEnd[x] = rc.recomputedBytes;
        lane[x] = l;
        break;
      case K_STEP:
        dur[x] = rc.stepSec;
        lane[x] = l;
        break;
      case K_ALLREDUCE:
        dur[x] = allReduceSec(cluster, plan.stages[s]!.devices, bytes[x]!);
        break;
    }
  }

  // Buffers: a producer's sends hold its output until sent; a consumer frees what it received.
  for (let x = 0; x < n; x++) {
    const k = g.kind[x]!;
    for (let e = g.depStart[x]!; e < g.depStart[x + 1]!; e++) {
      const y = g.deps[e]!;
      if (k === K_SEND) bufEnd[y]! += bytes[x]!;
      if (g.kind[y] === K_RECV && (k === K_F || k === K_B)) bufEnd[x]! -= bytes[y]!;
    }
    if (k === K_SEND) bufEnd[x] = -bytes[x]!;
  }

  // Weight versions: the last reader of each (lane, version), in list order (= compute-stream order).
  const laneCount = laneDevice.length;
  const lastReader = new Map<number, number>();
  const laneV0Refs = new Uint8Array(laneCount);
  const refsOf = new Set<number>();
  const vKey = (l: number, v: number) => v * laneCount + l;
  for (let x = 0; x < n; x++) {
    const v = g.version[x]!;
    if (v < 0 || lane[x]! < 0 || g.kind[x] === K_STEP) continue;
    lastReader.set(vKey(lane[x]!, v), x);
    refsOf.add(vKey(lane[x]!, v));
    if (v === 0) laneV0Refs[lane[x]!] = 1;
  }
  for (const [key, x] of lastReader) releasesVersion[x] = Math.floor(key / laneCount);
  for (let x = 0; x < n; x++) {
    const v = g.version[x]!;
    if (g.kind[x] === K_STEP && v >= 0 && lane[x]! >= 0) {
      createsVersion[x] = v;
      createdHasRefs[x] = refsOf.has(vKey(lane[x]!, v)) ? 1 : 0;
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
  peers.forEach((p, i) => {
    streamPeer[2 * D + i] = p;
  });
  const { start: streamStart, list: streamList } = csr(streamCount, n, (x) => stream[x]!);
  const { start: dependentStart, list: dependents } = reverse(g);
  const links = linkTable(g, cluster, bytes);
  return {
    g,
    devices: D,
    dur,
    bytes,
    device,
    microBatch,
    stream,
    streamCount,
    streamStart,
    streamList,
    streamPeer,
    dependentStart,
    dependents,
    wsBytes,
    actEnd,
    bufEnd,
    lane,
    laneCount,
    laneDevice: Int32Array.from(laneDevice),
    laneStage: Int32Array.from(laneStage),
    laneWeightBytes: Float64Array.from(laneWeight),
    laneV0Refs,
    endsInFlight,
    releasesVersion,
    createsVersion,
    createdHasRefs,
    staticBytes,
    ...links,
  };
}

/** Items 0…n−1 grouped by key (stable: ascending item order inside a group). */
function csr(keys: number, n: number, keyOf: (x: number) => number): { start: Int32Array; list: Int32Array } {
  const start = new Int32Array(keys + 1);
  for (let x = 0; x < n; x++) start[keyOf(x) + 1]!++;
  for (let k = 0; k < keys; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, keys);
  const list = new Int32Array(n);
  for (let x = 0; x < n; x++) list[fill[keyOf(x)]!++] = x;
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

function linkTable(
  g: ActionGraph,
  cluster: Cluster,
  bytes: Float64Array,
): Pick<Prepared, "linkA" | "linkB" | "linkC" | "latency" | "linkBytesPerSec" | "linkCount"> {
  const n = g.count;
  const linkA = new Int32Array(n).fill(-1);
  const linkB = new Int32Array(n).fill(-1);
  const linkC = new Int32Array(n).fill(-1);
  const latency = new Float64Array(n);
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
  for (let x = 0; x < n; x++) {
    if (g.kind[x] !== K_SEND) continue;
    const from = g.device[x]!;
    const to = g.peerDevice[x]! >= 0 ? g.peerDevice[x]! : from;
    const link = linkBetween(cluster, from, to);
    latency[x] = link.latencySec;
    if (bytes[x]! <= 0 || from === to) continue;
    // Links of infinite bandwidth take no time and need no sharing: leave them out.
    const finite = (b: number) => Number.isFinite(b);
    // Keys: directed device pairs, then node egress and ingress after all pairs.
    const D = g.devices;
    if (finite(link.bytesPerSec)) linkA[x] = id(from * D + to, link.bytesPerSec);
    const na = nodeOf(cluster, from);
    const nb = nodeOf(cluster, to);
    if (na !== nb && finite(nodeBw)) {
      linkB[x] = id(D * D + 2 * na, nodeBw);
      linkC[x] = id(D * D + 2 * nb + 1, nodeBw);
    }
    // Keep the first used link in linkA so "no links" is linkA < 0.
    if (linkA[x] === -1 && linkB[x] !== -1) {
      linkA[x] = linkB[x]!;
      linkB[x] = -1;
    }
  }
  return { linkA, linkB, linkC, latency, linkBytesPerSec: Float64Array.from(bw), linkCount: bw.length };
}
