/**
 * Sequential pipelines relay: in a chain pipeline (PipeDream, GPipe, Megatron) each stage talks only to its
 * neighbours, so a tensor produced on stage a and read on stage c > a + 1 is passed along through every stage
 * in between (PipeDream's generated stage modules take it in and hand it on). A chain plan over a branchy graph
 * would otherwise let a later stage start as soon as its own inputs exist — graph pipelining by the back door.
 *
 * `relayChain` makes that explicit: for every such tensor it adds one `identity` op (free: no FLOPs, nothing
 * saved, its output the size of the tensor) in each intermediate stage, chained producer → relay → … → relay →
 * readers, and rewires the readers. The stage graph becomes the chain s0 → s1 → … (plus direct edges between
 * neighbours), the relayed bytes travel every hop, and every op keeps its numbers, so times and memory are the
 * model's own. `relayCost` times the relayed graph exactly as the cost model times the original.
 */
import type { CostModel } from "../cost/types.js";
import type { Graph, Op } from "../graph/types.js";
import { deriveStageEdges } from "../plan/build-plan.js";
import type { Plan, Stage } from "../plan/types.js";

export interface RelayedPlan {
  readonly graph: Graph;
  readonly plan: Plan;
  /** Identity ops added. */
  readonly relays: number;
  /** Op id in the relayed graph → the original op (relays map to undefined). */
  readonly original: ReadonlyMap<string, Op>;
}

export function relayChain(graph: Graph, plan: Plan): RelayedPlan {
  const rank = new Map<string, number>();
  plan.stages.forEach((s, r) => {
    for (const id of s.ops) rank.set(id, r);
  });
  const ids = new Set(graph.ops.map((op) => op.id));
  const byId = new Map(graph.ops.map((op) => [op.id, op]));
  // Latest rank at which each op's output is read, and the relay that carries it into each rank.
  const lastReader = new Map<string, number>();
  for (const op of graph.ops) {
    const r = rank.get(op.id)!;
    for (const input of op.inputs) lastReader.set(input, Math.max(lastReader.get(input) ?? -1, r));
  }
  const relayOps: Op[] = [];
  const extra: string[][] = plan.stages.map(() => []);
  /** carrier(id, r): the op whose output a reader on rank r uses for tensor `id`. */
  const carriers = new Map<string, string[]>();
  for (const op of graph.ops) {
    const from = rank.get(op.id)!;
    const last = lastReader.get(op.id) ?? -1;
    if (last <= from + 1) continue;
    const chain: string[] = [];
    let prev = op.id;
    for (let r = from + 1; r < last; r++) {
      let id = `${op.id}~relay${r}`;
      for (let k = 2; ids.has(id); k++) id = `${op.id}~relay${r}.${k}`;
      ids.add(id);
      relayOps.push({
        id,
        name: `relay of ${op.id} through ${plan.stages[r]!.id}`,
        kind: "identity",
        inputs: [prev],
        attrs: {},
        outShape: op.outShape,
        outBytesPerSample: op.outBytesPerSample,
        params: 0,
        paramBytes: 0,
        fwdFlopsPerSample: 0,
        bwdFlopsPerSample: 0,
        savedBytesPerSample: 0,
      });
      extra[r]!.push(id);
      chain.push(id);
      prev = id;
    }
    carriers.set(op.id, chain);
  }
  const original = new Map<string, Op>();
  const ops: Op[] = graph.ops.map((op) => {
    const r = rank.get(op.id)!;
    let changed = false;
    const inputs = op.inputs.map((input) => {
      const chain = carriers.get(input);
      if (!chain) return input;
      const from = rank.get(input)!;
      if (r <= from + 1) return input;
      changed = true;
      return chain[r - from - 2]!;
    });
    const out = changed ? { ...op, inputs } : op;
    original.set(out.id, byId.get(op.id)!);
    return out;
  });
  const relayed: Graph = { ...graph, ops: [...ops, ...relayOps] };
  const stages: Stage[] = plan.stages.map((s, r) =>
    extra[r]!.length > 0 ? { ...s, ops: [...extra[r]!, ...s.ops] } : s,
  );
  return {
    graph: relayed,
    plan: { ...plan, stages, stageEdges: deriveStageEdges(relayed, stages) },
    relays: relayOps.length,
    original,
  };
}

/** The cost model of the original graph, for the relayed one: relays are free, rewired ops cost what they did. */
export function relayCost(base: CostModel, original: ReadonlyMap<string, Op>): CostModel {
  return {
    device: base.device,
    opTime(op, samples) {
      const o = original.get(op.id);
      return o ? base.opTime(o, samples) : { fwdSec: 0, bwdSec: 0 };
    },
  };
}
