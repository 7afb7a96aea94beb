/**
 * The dependencies between the actions of a schedule, as flat typed arrays (CSR): what the dry run and the
 * simulator replay. Actions are numbered device by device (device d owns [offsets[d], offsets[d+1])).
 *
 * Dependencies of an action on device d (stage s, micro-batch k):
 *   F(s,k)    every recv of activations for (s,k) on d; F(t,k) on d of each predecessor stage t held there
 *   B(s,k)    F(s,k) and R(s,k) on d; every recv of gradients for (s,k) on d; B(t,k) on d of each successor t
 *   W(s,k)    B(s,k) on d             R(s,k)  F(s,k) on d
 *   send      the compute that produced the data: F(s,k) (activations) or B(s,k) (gradients) on d
 *   recv      none: it pairs with its send (`peer`); the transfer needs both posted
 *   allreduce the last B/W of s before it on d; it pairs with the same allreduce on the other replicas (`group`)
 *   step      the last B/W/allreduce of s before it on d
 * In a compute-only schedule there are no transfers: a forward depends directly on the forwards of the
 * predecessor replicas whose sample ranges overlap its own (backwards likewise on successors'), wherever
 * they run. Order on one stream is not a dependency here; the replays add it.
 *
 * Problems (unmatched transfers, duplicates, an action on a device that does not hold its stage, a wrong
 * all-reduce group) are collected, not thrown: validateSchedule reports them as issues.
 */
import { replicaTransfers } from "../plan/sample-split.js";
import { buildStageGraph } from "../plan/stage-graph.js";
import type { Plan } from "../plan/types.js";
import type { Action, ActionKind, Schedule } from "./types.js";

export const K_F = 0;
export const K_B = 1;
export const K_W = 2;
export const K_R = 3;
export const K_SEND = 4;
export const K_RECV = 5;
export const K_ALLREDUCE = 6;
export const K_STEP = 7;

/**
 * The K_* code of an action kind, without a keyed property lookup (hot in buildActionGraph): first letters,
 * then length.
 */
export function kindCode(kind: ActionKind): number {
  switch (kind.charCodeAt(0)) {
    case 70: // F
      return K_F;
    case 66: // B
      return K_B;
    case 87: // W
      return K_W;
    case 114: // recompute / recv
      return kind.length === 4 ? K_RECV : K_R;
    case 115: // send / step
      return kind.charCodeAt(1) === 101 ? K_SEND : K_STEP;
    default: // allreduce
      return K_ALLREDUCE;
  }
}

export interface GraphProblem {
  readonly index: number;
  readonly code: "schedule-count" | "schedule-placement" | "unknown-stage";
  readonly message: string;
}

export interface ActionGraph {
  readonly count: number;
  readonly devices: number;
  readonly offsets: Int32Array;
  /** The action record of index x (looked up in the schedule by device and position, not copied). */
  actionAt(x: number): Action;
  readonly kind: Uint8Array;
  /** Stage index in plan.stages (-1 unknown). */
  readonly stage: Int32Array;
  /** Typed copies of the action fields (read once here, so replays never touch the records). */
  readonly device: Int32Array;
  readonly microBatch: Int32Array;
  /** send/recv: device and stage index at the other end (-1 otherwise). */
  readonly peerDevice: Int32Array;
  readonly peerStage: Int32Array;
  /** send/recv: 1 for gradients. */
  readonly grad: Uint8Array;
  readonly bytes: Float64Array;
  /** Weight version (-1 when absent); undefined when no action of the schedule has one. */
  readonly version: Int32Array | undefined;
  readonly depStart: Int32Array;
  readonly deps: Int32Array;
  /** send ↔ recv partner, -1 if none. */
  readonly peer: Int32Array;
  /** All-reduce group id, -1 for other actions; groups list their members. */
  readonly group: Int32Array;
  readonly groupMembers: readonly (readonly number[])[];
  readonly problems: readonly GraphProblem[];
}

export function buildActionGraph(schedule: Schedule, plan: Plan): ActionGraph {
  const sg = buildStageGraph(plan);
  const D = schedule.actions.length;
  const S = plan.stages.length;
  const MB = Math.max(1, schedule.microBatches * (schedule.iterations ?? 1));
  const offsets = new Int32Array(D + 1);
  for (let d = 0; d < D; d++) offsets[d + 1] = offsets[d]! + schedule.actions[d]!.length;
  const count = offsets[D]!;
  const kind = new Uint8Array(count);
  const stage = new Int32Array(count);
  const peer = new Int32Array(count).fill(-1);
  const group = new Int32Array(count).fill(-1);
  const problems: GraphProblem[] = [];

  // Dense indexes: replica of (stage, device), and compute action of (stage, kind, micro-batch, replica).
  const replica = new Int32Array(S * D).fill(-1);
  plan.stages.forEach((st, s) => {
    st.devices.forEach((d, j) => {
      if (d >= 0 && d < D) replica[s * D + d] = j;
    });
  });
  const dp = plan.stages.map((st) => st.devices.length);
  const computeIdx = plan.stages.map((_, s) => new Int32Array(4 * MB * dp[s]!).fill(-1));
  const at = (s: number, kc: number, k: number, j: number) => (kc * MB + k) * dp[s]! + j;

  // Pass 1: number the actions, index computes, group all-reduces.
  const groups = new Map<number, number>();
  const groupMembers: number[][] = [];
  const device = new Int32Array(count);
  const microBatch = new Int32Array(count);
  const peerDevice = new Int32Array(count).fill(-1);
  const peerStage = new Int32Array(count).fill(-1);
  const grad = new Uint8Array(count);
  const bytes = new Float64Array(count);
  let version: Int32Array | undefined;
  let lastStageId = "";
  let lastStage = -1;
  let lastPeerId: string | undefined = "";
  let lastPeer = -1;
  let i = 0;
  for (let d = 0; d < D; d++) {
    for (const a of schedule.actions[d]!) {
      const kc = kindCode(a.kind);
      kind[i] = kc;
      if (a.stage !== lastStageId) {
        lastStageId = a.stage;
        lastStage = sg.byId.get(a.stage) ?? -1;
      }
      const s = lastStage;
      stage[i] = s;
      const k = a.microBatch;
      device[i] = d;
      microBatch[i] = k;
      if (a.bytes !== undefined) bytes[i] = a.bytes;
      if (a.version !== undefined) {
        if (!version) version = new Int32Array(count).fill(-1);
        version[i] = a.version;
      }
      if (kc === K_SEND || kc === K_RECV) {
        peerDevice[i] = a.peer ?? -1;
        if (a.peerStage !== lastPeerId) {
          lastPeerId = a.peerStage;
          lastPeer = sg.byId.get(a.peerStage ?? "") ?? -1;
        }
        peerStage[i] = lastPeer;
        grad[i] = a.tensor === "grad" ? 1 : 0;
      }
      if (s < 0) {
        problems.push({ index: i, code: "unknown-stage", message: `the plan has no stage "${a.stage}"` });
      } else if (replica[s * D + d]! < 0) {
        problems.push({
          index: i,
          code: "schedule-placement",
          message: `device ${d} does not hold stage "${a.stage}"`,
        });
      } else if (kc <= K_R || kc === K_SEND || kc === K_RECV) {
        if (!(Number.isInteger(k) && k >= 0 && k < MB)) {
          problems.push({ index: i, code: "schedule-count", message: `micro-batch ${k} is outside [0, ${MB - 1}]` });
          stage[i] = -1;
        } else if (kc <= K_R) {
          const idx = computeIdx[s]!;
          const key = at(s, kc, k, replica[s * D + d]!);
          if (idx[key] !== -1)
            problems.push({ index: i, code: "schedule-count", message: "this action appears twice" });
          else idx[key] = i;
        }
      } else if (kc === K_ALLREDUCE) {
        const key = s * (MB + 1) + (k + 1);
        let gi = groups.get(key);
        if (gi === undefined) {
          gi = groupMembers.length;
          groups.set(key, gi);
          groupMembers.push([]);
        }
        group[i] = gi;
        groupMembers[gi]!.push(i);
      }
      i++;
    }
  }
  const computeOf = (s: number, kc: number, k: number, d: number): number => {
    const j = replica[s * D + d]!;
    return j < 0 ? -1 : computeIdx[s]![at(s, kc, k, j)]!;
  };

  // Sends hang off their producer (a linked list per producer), so a receive finds its send through it.
  const sendHead = new Int32Array(count).fill(-1);
  const sendNext = new Int32Array(count).fill(-1);
  const producerOf = (x: number) => computeOf(stage[x]!, grad[x] ? K_B : K_F, microBatch[x]!, device[x]!);
  for (let x = 0; x < count; x++) {
    if (kind[x] !== K_SEND || stage[x]! < 0) continue;
    const producer = producerOf(x);
    if (producer < 0) {
      problems.push({
        index: x,
        code: "schedule-count",
        message: "a send of data that is never computed on its device",
      });
      continue;
    }
    sendNext[x] = sendHead[producer]!;
    sendHead[producer] = x;
  }
  for (let x = 0; x < count; x++) {
    if (kind[x] !== K_RECV || stage[x]! < 0) continue;
    const isGrad = grad[x]!;
    const from = peerStage[x]!;
    const src = peerDevice[x]!;
    const k = microBatch[x]!;
    let match = -1;
    if (from >= 0 && src >= 0 && src < D) {
      const producer = computeOf(from, isGrad ? K_B : K_F, k, src);
      for (let y = producer >= 0 ? sendHead[producer]! : -1; y >= 0; y = sendNext[y]!) {
        if (peerDevice[y] === device[x] && peerStage[y] === stage[x] && grad[y] === isGrad && peer[y] === -1) {
          match = y;
          break;
        }
      }
    }
    if (match < 0) {
      problems.push({ index: x, code: "schedule-count", message: "this receive has no matching send" });
      continue;
    }
    peer[x] = match;
    peer[match] = x;
    if (producerOf(x) < 0) {
      problems.push({ index: x, code: "schedule-count", message: "nothing on this device uses this receive" });
    }
  }
  for (let x = 0; x < count; x++) {
    if (kind[x] === K_SEND && peer[x] === -1 && stage[x]! >= 0) {
      problems.push({ index: x, code: "schedule-count", message: "this send has no matching receive" });
    }
  }
  for (const members of groupMembers) {
    const s = stage[members[0]!]!;
    const want = plan.stages[s]?.devices.length ?? 0;
    if (members.length !== want) {
      problems.push({
        index: members[0]!,
        code: "schedule-count",
        message: `all-reduce of stage "${plan.stages[s]?.id}" has ${members.length} participants, expected ${want}`,
      });
    }
  }

  // Dependencies straight into CSR, in two passes over the same rules: count per action, then fill.
  const depStart = new Int32Array(count + 1);
  let deps = new Int32Array(0);
  let cursor = depStart;
  let filling = false;
  const edge = (from: number, to: number) => {
    if (from < 0 || to < 0) return;
    if (filling) deps[cursor[to]!++] = from;
    else depStart[to + 1]!++;
  };
  const lowered = schedule.level === "lowered";
  const lastBack = new Int32Array(S);
  const lastBackOrReduce = new Int32Array(S);
  const remote = new Map<string, number[]>();
  for (let pass = 0; pass < 2; pass++) {
    if (pass === 1) {
      for (let x = 0; x < count; x++) depStart[x + 1]! += depStart[x]!;
      deps = new Int32Array(depStart[count]!);
      cursor = depStart.slice(0, count);
      filling = true;
    }
    for (let d = 0; d < D; d++) {
      lastBack.fill(-1);
      lastBackOrReduce.fill(-1);
      for (let x = offsets[d]!; x < offsets[d + 1]!; x++) {
        const s = stage[x]!;
        if (s < 0) continue;
        const kc = kind[x]!;
        const k = microBatch[x]!;
        if (kc === K_SEND) {
          // Its producer on this device (a problem was noted above if there is none).
          edge(producerOf(x), x);
        } else if (kc === K_RECV) {
          if (peer[x]! >= 0) edge(x, producerOf(x));
        } else if (kc === K_F || kc === K_B) {
          const isGrad = kc === K_B;
          if (isGrad) {
            edge(computeOf(s, K_F, k, d), x);
            edge(computeOf(s, K_R, k, d), x);
            lastBack[s] = x;
            lastBackOrReduce[s] = x;
          }
          const neighbours = isGrad ? sg.succs[s]! : sg.preds[s]!;
          for (const t of neighbours) {
            if (replica[t * D + d]! >= 0) edge(computeOf(t, kc, k, d), x);
            else if (!lowered) {
              const key = `${s}/${t}/${d}/${kc}`;
              let devs = remote.get(key);
              if (devs === undefined) {
                devs = remoteProducers(plan, s, t, d, isGrad);
                remote.set(key, devs);
              }
              for (const y of devs) edge(computeOf(t, kc, k, y), x);
            }
          }
        } else if (kc === K_W) {
          edge(computeOf(s, K_B, k, d), x);
          lastBack[s] = x;
          lastBackOrReduce[s] = x;
        } else if (kc === K_R) {
          edge(computeOf(s, K_F, k, d), x);
        } else if (kc === K_ALLREDUCE) {
          edge(lastBack[s]!, x);
          lastBackOrReduce[s] = x;
        } else if (kc === K_STEP) {
          edge(lastBackOrReduce[s]!, x);
        }
      }
    }
  }
  const lists = schedule.actions;
  return {
    count,
    devices: D,
    offsets,
    actionAt: (x) => {
      const d = device[x]!;
      return lists[d]![x - offsets[d]!]!;
    },
    kind,
    stage,
    device,
    microBatch,
    peerDevice,
    peerStage,
    grad,
    bytes,
    version,
    depStart,
    deps,
    peer,
    group,
    groupMembers,
    problems,
  };
}

/** Devices of stage t whose replicas exchange samples with the replica of stage s on device d. */
function remoteProducers(plan: Plan, s: number, t: number, d: number, grad: boolean): number[] {
  const me = plan.stages[s]!;
  const other = plan.stages[t]!;
  const b = plan.microBatch;
  const j = me.devices.indexOf(d);
  const out: number[] = [];
  // Forward: t → s pieces that land on j; backward: s → t pieces that leave j (the same overlaps).
  const pieces = grad
    ? replicaTransfers(b, me.dataParallel, other.dataParallel)
    : replicaTransfers(b, other.dataParallel, me.dataParallel);
  for (const piece of pieces) {
    if (grad ? piece.from === j : piece.to === j) out.push(other.devices[grad ? piece.to : piece.from]!);
  }
  return out;
}
