/**
 * `pipedream` planner: PipeDream's own optimizer objective (pipedream-dp.ts) over the linearised graph, as the
 * GraphPipe paper's baseline ran it: for every micro-batch size the layers' times at that size are PipeDream's
 * profile, the cluster's levels are its hierarchy (devices per node over NVLink-class links, then nodes over
 * the inter-node network), every stage may be replicated unless `--no-dp` (`--straight_pipeline`), activation
 * transfers are counted (compression ratio 1, the README's setting) and its memory heuristic is off, as by
 * default. The partitions run under synchronous 1F1B (GraphPipe executed its baselines in that mode), are
 * timed by the simulator, and the fastest that fits wins. When none fits, the search is repeated with
 * PipeDream's `--use_memory_constraint`. Only zero-cost parameter-free ops (inputs) are merged into their
 * neighbours, as PipeDream drops input nodes.
 */
import { DEFAULT_OPTIMIZER } from "../cost/types.js";
import { assemblePlan } from "./assemble.js";
import { type PipeDreamLayers, type PipeDreamLevel, pipedreamPartition } from "./pipedream-dp.js";
import { buildChainTree, buildPlanTree, leafOrder } from "./plan-tree.js";
import { buildProblem, type PlanningProblem } from "./problem.js";
import type { StagePick } from "./tree-dp.js";
import {
  type Candidate,
  CandidatePool,
  iterationBounds,
  microBatchLowerBound,
  microBatchSizes,
  plannedDevices,
  relayed,
} from "./tree-search.js";
import type { PlannerRequest, PlanResult } from "./types.js";

/** PipeDream's levels for K devices of a cluster: one level inside a node, two across nodes. */
export function pipedreamLevels(req: PlannerRequest): PipeDreamLevel[] {
  const K = plannedDevices(req);
  const perNode = req.cluster.devicesPerNode;
  if (K <= perNode || K % perNode !== 0) return [{ machines: K, bytesPerSec: req.cluster.intra.bytesPerSec }];
  return [
    { machines: perNode, bytesPerSec: req.cluster.intra.bytesPerSec },
    { machines: K / perNode, bytesPerSec: req.cluster.inter.bytesPerSec },
  ];
}

export function planPipeDream(req: PlannerRequest): PlanResult {
  const sizes = microBatchSizes(req);
  if (sizes.length === 0) {
    return { ok: false, planner: "pipedream", reason: `no micro-batch size divides the batch ${req.batch}` };
  }
  const p = buildProblem(req.graph, req.cost, sizes[sizes.length - 1]!, { glueTimeShare: 0 });
  const { order, layersAt } = pipedreamLayers(p);
  // Micro-batch sizes from the largest down; a size whose iteration lower bound cannot beat the best simulated
  // plan so far is not partitioned (tree-search.ts microBatchLowerBound).
  const run = (memoryBytes?: number): PlanResult => {
    const pool = new CandidatePool(req, "pipedream");
    [...sizes].reverse().forEach((b, k) => {
      req.onProgress?.({ planner: "pipedream", phase: `micro-batch ${b}`, done: k, total: sizes.length });
      if (microBatchLowerBound(p, b, req.batch, plannedDevices(req)) > pool.bestIterationSec) return;
      const result = pipedreamPartition(layersAt(b), {
        levels: pipedreamLevels(req),
        straight: req.dataParallel === false,
        maxReplicas: b,
        ...(memoryBytes === undefined ? {} : { memoryBytes }),
      });
      if (!result) return;
      pool.offer([relayed(req, candidateOf(req, p, order, b, result.stages, result.pipelineSec / b))]);
    });
    return pool.result();
  };
  const first = run();
  if (first.ok) return first;
  const second = run(req.cluster.device.memBytes);
  if (second.ok) return second;
  return !first.ok && first.leastMemBytes !== undefined ? first : second;
}

/**
 * PipeDream's layers: the problem's units in one linear order (the plan tree's leaf order), with what its
 * optimizer reads per layer at micro-batch b — compute time, parameter bytes, output bytes, and the bytes that
 * cross the cut after each layer.
 */
export function pipedreamLayers(p: PlanningProblem): {
  readonly order: readonly number[];
  layersAt(b: number): PipeDreamLayers;
} {
  const order = leafOrder(buildPlanTree(p, 0));
  const cuts = buildChainTree(p, order).root.cuts;
  const cutPerSample = new Float64Array(order.length);
  if (cuts) {
    for (let j = 0; j + 1 < order.length; j++) {
      for (const t of cuts.crossing[j + 1]!) cutPerSample[j]! += cuts.bytesPerSample[t]!;
    }
  }
  const outPerSample = Float64Array.from(order, (u) =>
    p.units.members[u]!.reduce((a, op) => a + p.graph.ops[op]!.outBytesPerSample, 0),
  );
  return {
    order,
    layersAt(b) {
      const sIdx = p.sampleSizes.indexOf(b);
      return {
        computeSec: Float64Array.from(order, (u) => p.timeSec[sIdx]![u]!),
        paramBytes: Float64Array.from(order, (u) => p.paramBytes[u]!),
        activationBytes: outPerSample.map((x) => x * b),
        cutBytes: cutPerSample.map((x) => x * b),
      };
    },
  };
}

function candidateOf(
  req: PlannerRequest,
  p: PlanningProblem,
  order: readonly number[],
  b: number,
  stages: readonly { first: number; last: number; devices: readonly number[] }[],
  bottleneckSec: number,
): Candidate {
  const picks: StagePick[] = stages.map((s) => ({
    units: order.slice(s.first, s.last + 1),
    degree: s.devices.length,
    recompute: false,
  }));
  const plan = assemblePlan(p, picks, {
    microBatch: b,
    microBatches: req.batch / b,
    schedule: "1f1b",
    optimizer: req.optimizer ?? DEFAULT_OPTIMIZER,
    devices: plannedDevices(req),
    devicesPerNode: req.cluster.devicesPerNode,
    keepOrder: true,
    placement: stages.map((s) => s.devices),
  });
  return {
    microBatch: b,
    schedule: "1f1b",
    solution: { stages: picks, bottleneckSec, devicesUsed: plannedDevices(req) },
    plan,
    ...iterationBounds(p, { microBatch: b, microBatches: req.batch / b }, picks, picks.length, bottleneckSec, true),
  };
}
