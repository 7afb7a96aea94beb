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

export function addSendRecv(schedule: Schedule, ctx: LoweringContext): Schedule {
  const { plan, sg } = ctx;
  const b = plan.microBatch;
  const actions = schedule.actions.map((list, device) => {
    const out: Action[] = [];
    for (const a of list) {
      const s = sg.byId.get(a.stage);
      if (s === undefined || (a.kind !== "F" && a.kind !== "B")) {
        out.push(a);
        continue;
      }
      const j = ctx.replicaOf(s, device);
      const stage = plan.stages[s]!;
      const k = a.microBatch;
      if (a.kind === "F") {
        for (const t of sg.preds[s]!) {
          const src = plan.stages[t]!;
          for (const piece of replicaTransfers(b, src.dataParallel, stage.dataParallel)) {
            const peer = src.devices[piece.from]!;
            if (piece.to !== j || peer === device) continue;
            const bytes = piece.samples * ctx.edgeBytesPerSample(t, s);
            out.push({
              device,
              kind: "recv",
              stage: a.stage,
              microBatch: k,
              peer,
              peerStage: src.id,
              tensor: "act",
              bytes,
            });
          }
        }
        out.push(a);
        for (const t of sg.succs[s]!) {
          const dst = plan.stages[t]!;
          for (const piece of replicaTransfers(b, stage.dataParallel, dst.dataParallel)) {
            const peer = dst.devices[piece.to]!;
            if (piece.from !== j || peer === device) continue;
            const bytes = piece.samples * ctx.edgeBytesPerSample(s, t);
            out.push({
              device,
              kind: "send",
              stage: a.stage,
              microBatch: k,
              peer,
              peerStage: dst.id,
              tensor: "act",
              bytes,
            });
          }
        }
      } else {
        for (const t of sg.succs[s]!) {
          const dst = plan.stages[t]!;
          for (const piece of replicaTransfers(b, stage.dataParallel, dst.dataParallel)) {
            const peer = dst.devices[piece.to]!;
            if (piece.from !== j || peer === device) continue;
            const bytes = piece.samples * ctx.edgeBytesPerSample(s, t);
            out.push({
              device,
              kind: "recv",
              stage: a.stage,
              microBatch: k,
              peer,
              peerStage: dst.id,
              tensor: "grad",
              bytes,
            });
          }
        }
        out.push(a);
        for (const t of sg.preds[s]!) {
          const src = plan.stages[t]!;
          for (const piece of replicaTransfers(b, src.dataParallel, stage.dataParallel)) {
            const peer = src.devices[piece.from]!;
            if (piece.to !== j || peer === device) continue;
            const bytes = piece.samples * ctx.edgeBytesPerSample(t, s);
            out.push({
              device,
              kind: "send",
              stage: a.stage,
              microBatch: k,
              peer,
              peerStage: src.id,
              tensor: "grad",
              bytes,
            });
          }
        }
      }
    }
    return out;
  });
  return { ...schedule, actions };
}
