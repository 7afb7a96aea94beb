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

export const KIND_CODE: Readonly<Record<ActionKind, number>> = {
  F: 0,
  B: 1,
  W: 2,
  recompute: 3,
  send: 4,
  recv: 5,
  allreduce: 6,
  step: 7,
};
export const K_F = 0;
export const K_B = 1;
export const K_W = 2;
export const K_R = 3;
export const K_SEND = 4;
export const K_RECV = 5;
export const K_ALLREDUCE = 6;
export const K_STEP = 7;

export interface GraphProblem {
  readonly index: number;
  readonly code: "schedule-count" | "schedule-placement" | "unknown-stage";
  readonly message: string;
}

export interface ActionGraph {
  readonly count: number;
  readonly devices: number;
  readonly offsets: Int32Array;
  /** Flat list in index order. */
  readonly actions: readonly Action[];
  readonly kind: Uint8Array;
  /** Stage index in plan.stages (-1 unknown). */
  readonly stage: Int32Array;
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
  const S = Math.max(1, plan.stages.length);
  const MB = Math.max(1, schedule.microBatches * (schedule.iterations ?? 1));
  const offsets = new Int32Array(D + 1);
  for (let d = 0; d < D; d++) offsets[d + 1] = offsets[d]! + schedule.actions[d]!.length;
  const count = offsets[D]!;
  const actions: Action[] = new Array(count);
  const kind = new Uint8Array(count);
  const stage = new Int32Array(count);
  const peer = new Int32Array(count).fill(-1);
  const group = new Int32Array(count).fill(-1);
  const problems: GraphProblem[] = [];
  const holds = plan.stages.map((s) => new Set(s.devices));

  // Pass 1: number the actions and index computes, receives and sends.
  const compute = new Map<number, number>();
  const computeKey = (s: number, k: number, kc: number, d: number) => ((s * 4 + kc) * MB + k) * D + d;
  const recvs = new Map<number, number[]>();
  const recvKey = (s: number, grad: boolean, k: number, d: number) => ((s * 2 + (grad ? 1 : 0)) * MB + k) * D + d;
  const sends = new Map<number, Map<number, number>>();
  const transferKey = (from: number, to: number, grad: boolean, k: number) =>
    ((from * S + to) * 2 + (grad ? 1 : 0)) * MB + k;
  const groups = new Map<string, number>();
  const groupMembers: number[][] = [];
  let i = 0;
  for (let d = 0; d < D; d++) {
    for (const a of schedule.actions[d]!) {
      actions[i] = a;
      const kc = KIND_CODE[a.kind];
      kind[i] = kc;
      const s = sg.byId.get(a.stage) ?? -1;
      stage[i] = s;
      if (s < 0) {
        problems.push({ index: i, code: "unknown-stage", message: `the plan has no stage "${a.stage}"` });
      } else if (!holds[s]!.has(d)) {
        problems.push({
          index: i,
          code: "schedule-placement",
          message: `device ${d} does not hold stage "${a.stage}"`,
        });
      } else if (kc <= K_R) {
        const key = computeKey(s, a.microBatch, kc, d);
        if (compute.has(key)) problems.push({ index: i, code: "schedule-count", message: "this action appears twice" });
        else compute.set(key, i);
      } else if (kc === K_RECV) {
        const key = recvKey(s, a.tensor === "grad", a.microBatch, d);
        const list = recvs.get(key);
        if (list) list.push(i);
        else recvs.set(key, [i]);
      } else if (kc === K_SEND) {
        const t = sg.byId.get(a.peerStage ?? "") ?? -1;
        const p = a.peer ?? -1;
        if (t < 0 || p < 0 || p >= D) {
          problems.push({ index: i, code: "schedule-count", message: "a send to an unknown stage or device" });
        } else {
          const pair = d * D + p;
          let m = sends.get(pair);
          if (!m) {
            m = new Map();
            sends.set(pair, m);
          }
          const key = transferKey(s, t, a.tensor === "grad", a.microBatch);
          if (m.has(key)) problems.push({ index: i, code: "schedule-count", message: "this send appears twice" });
          else m.set(key, i);
        }
      } else if (kc === K_ALLREDUCE) {
        const key = `${s}\u0000${a.microBatch}`;
        let g = groups.get(key);
        if (g === undefined) {
          g = groupMembers.length;
          groups.set(key, g);
          groupMembers.push([]);
        }
        group[i] = g;
        groupMembers[g]!.push(i);
      }
      i++;
    }
  }

  // Pair every receive with its send.
  for (let x = 0; x < count; x++) {
    if (kind[x] !== K_RECV) continue;
    const a = actions[x]!;
    const s = stage[x]!;
    const from = sg.byId.get(a.peerStage ?? "") ?? -1;
    const src = a.peer ?? -1;
    const d = a.device;
    let match = -1;
    if (from >= 0 && src >= 0 && src < D && s >= 0) {
      match = sends.get(src * D + d)?.get(transferKey(from, s, a.tensor === "grad", a.microBatch)) ?? -1;
    }
    if (match < 0 || peer[match] !== -1) {
      problems.push({ index: x, code: "schedule-count", message: "this receive has no matching send" });
      continue;
    }
    peer[x] = match;
    peer[match] = x;
  }
  for (let x = 0; x < count; x++) {
    if (kind[x] === K_SEND && peer[x] === -1 && stage[x]! >= 0) {
      problems.push({ index: x, code: "schedule-count", message: "this send has no matching receive" });
    }
  }
  groupMembers.forEach((members) => {
    const s = stage[members[0]!]!;
    const want = plan.stages[s]?.devices.length ?? 0;
    if (members.length !== want) {
      problems.push({
        index: members[0]!,
        code: "schedule-count",
        message: `all-reduce of stage "${plan.stages[s]?.id}" has ${members.length} participants, expected ${want}`,
      });
    }
  });

  // Pass 2: dependencies.
  const depStart = new Int32Array(count + 1);
  const deps: number[] = [];
  const lowered = schedule.level === "lowered";
  const b = plan.microBatch;
  for (let d = 0; d < D; d++) {
    const lastBack = new Map<number, number>();
    const lastBackOrReduce = new Map<number, number>();
    for (let x = offsets[d]!; x < offsets[d + 1]!; x++) {
      depStart[x] = deps.length;
      const s = stage[x]!;
      if (s < 0) continue;
      const a = actions[x]!;
      const k = a.microBatch;
      const kc = kind[x]!;
      const own = (kc2: number) => compute.get(computeKey(s, k, kc2, d));
      const push = (y: number | undefined) => {
        if (y !== undefined) deps.push(y);
      };
      switch (kc) {
        case K_F:
        case K_B: {
          const grad = kc === K_B;
          if (grad) {
            push(own(K_F));
            push(own(K_R));
          }
          for (const y of recvs.get(recvKey(s, grad, k, d)) ?? []) deps.push(y);
          const neighbours = grad ? sg.succs[s]! : sg.preds[s]!;
          for (const t of neighbours) {
            if (holds[t]!.has(d)) push(compute.get(computeKey(t, k, kc, d)));
            else if (!lowered) {
              for (const y of remoteProducers(plan, s, t, d, grad, b)) push(compute.get(computeKey(t, k, kc, y)));
            }
          }
          if (grad) {
            lastBack.set(s, x);
            lastBackOrReduce.set(s, x);
          }
          break;
        }
        case K_W:
          push(own(K_B));
          lastBack.set(s, x);
          lastBackOrReduce.set(s, x);
          break;
        case K_R:
          push(own(K_F));
          break;
        case K_SEND:
          push(own(a.tensor === "grad" ? K_B : K_F));
          break;
        case K_ALLREDUCE:
          push(lastBack.get(s));
          lastBackOrReduce.set(s, x);
          break;
        case K_STEP:
          push(lastBackOrReduce.get(s));
          break;
      }
    }
  }
  depStart[count] = deps.length;
  return {
    count,
    devices: D,
    offsets,
    actions,
    kind,
    stage,
    depStart,
    deps: Int32Array.from(deps),
    peer,
    group,
    groupMembers,
    problems,
  };
}

/** Devices of stage t whose replicas exchange samples with the replica of stage s on device d. */
function remoteProducers(plan: Plan, s: number, t: number, d: number, grad: boolean, b: number): number[] {
  const me = plan.stages[s]!;
  const other = plan.stages[t]!;
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
