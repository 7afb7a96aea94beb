/**
 * Lowering pass: point-to-point transfers between stages on different devices. After a forward F(s,k) on
 * replica j of stage s: one send of activations to every replica of every successor stage whose sample range
 * overlaps j's (plan/sample-split.ts), with bytes = overlap samples × bytes per sample of the stage edge.
 * Before the forward F(t,k) that consumes them: the matching receives. Gradients travel the same pieces
 * backwards: sends after B(t,k), receives right before B(s,k). Pieces whose two replicas share a device are
 * local hand-offs and get no transfer. Sends keep the order of their producing computes and receives the order
 * of their consuming computes, so two devices agree on the order of what passes between them.
 */
import { replicaTransfers } from "../../plan/sample-split.js";
import type { Action, Schedule } from "../types.js";
import type { LoweringContext } from "./lowering-context.js";

/** One transfer a compute action takes part in, the same for every micro-batch of its (stage, device). */
interface Piece {
  readonly peer: number;
  readonly peerStage: string;
  readonly bytes: number;
}

interface Templates {
  /** Receives before, sends after a forward; receives before, sends after a backward. */
  readonly recvF: readonly Piece[];
  readonly sendF: readonly Piece[];
  readonly recvB: readonly Piece[];
  readonly sendB: readonly Piece[];
}

export function addSendRecv(schedule: Schedule, ctx: LoweringContext): Schedule {
  const cache = new Map<number, Templates>();
  const D = schedule.actions.length;
  const actions = schedule.actions.map((list, device) => {
    const out: Action[] = [];
    for (const a of list) {
      const s = ctx.sg.byId.get(a.stage);
      if (s === undefined || (a.kind !== "F" && a.kind !== "B")) {
        out.push(a);
        continue;
      }
      let t = cache.get(s * D + device);
      if (!t) {
        t = templates(ctx, s, device);
        cache.set(s * D + device, t);
      }
      const k = a.microBatch;
      const fwd = a.kind === "F";
      const tensor = fwd ? "act" : "grad";
      for (const piece of fwd ? t.recvF : t.recvB) {
        out.push({
          device,
          kind: "recv",
          stage: a.stage,
          microBatch: k,
          peer: piece.peer,
          peerStage: piece.peerStage,
          tensor,
          bytes: piece.bytes,
        });
      }
      out.push(a);
      for (const piece of fwd ? t.sendF : t.sendB) {
        out.push({
          device,
          kind: "send",
          stage: a.stage,
          microBatch: k,
          peer: piece.peer,
          peerStage: piece.peerStage,
          tensor,
          bytes: piece.bytes,
        });
      }
    }
    return out;
  });
  return { ...schedule, actions };
}

/** The pieces of stage s on `device` with its neighbours (pieces on the same device are local: none). */
function templates(ctx: LoweringContext, s: number, device: number): Templates {
  const { plan, sg } = ctx;
  const b = plan.microBatch;
  const stage = plan.stages[s]!;
  const j = ctx.replicaOf(s, device);
  const fromPreds: Piece[] = [];
  const toSuccs: Piece[] = [];
  for (const t of sg.preds[s]!) {
    const src = plan.stages[t]!;
    for (const piece of replicaTransfers(b, src.dataParallel, stage.dataParallel)) {
      const peer = src.devices[piece.from]!;
      if (piece.to !== j || peer === device) continue;
      fromPreds.push({ peer, peerStage: src.id, bytes: piece.samples * ctx.edgeBytesPerSample(t, s) });
    }
  }
  for (const t of sg.succs[s]!) {
    const dst = plan.stages[t]!;
    for (const piece of replicaTransfers(b, stage.dataParallel, dst.dataParallel)) {
      const peer = dst.devices[piece.to]!;
      if (piece.from !== j || peer === device) continue;
      toSuccs.push({ peer, peerStage: dst.id, bytes: piece.samples * ctx.edgeBytesPerSample(s, t) });
    }
  }
  // Forward: receive from predecessors, send to successors; backward: the same pieces the other way.
  return { recvF: fromPreds, sendF: toSuccs, recvB: toSuccs, sendB: fromPreds };
}
