/**
 * Hand-built inputs for the plan, schedule and simulator tests: uniform chains, the CANDLE-Uno-shaped
 * stage graph (4 branches → merge → last), a cluster stand-in and a cost model stand-in whose times are
 * exact binary fractions (so closed forms can be compared without rounding noise).
 */
import type { CostModel } from "../../src/cost/types.js";
import type { Graph, Op } from "../../src/graph/types.js";
import type { Cluster, Link } from "../../src/hardware/types.js";
import { linearOp } from "../arbitraries.js";

/** ops "op0" → "op1" → … → "op{n-1}", each a 64×64 linear (fp16). */
export function chainGraph(n: number, name = "chain"): Graph {
  const ops: Op[] = [];
  for (let i = 0; i < n; i++)
    ops.push(linearOp(`op${i}`, i === 0 ? [] : [`op${i - 1}`], { inFeatures: 64, outFeatures: 64 }));
  return { name, dtype: "fp16", ops };
}

/**
 * CANDLE-Uno's shape in GraphPipe's shipped plan: four branch chains b0..b3 (2 ops each), a fifth branch f
 * plus the concat `m` (merge stage), then `t1`, `t2` (last stage).
 */
export function candleLikeGraph(): { graph: Graph; groups: string[][] } {
  const ops: Op[] = [];
  const lin = (id: string, inputs: string[]) => linearOp(id, inputs, { inFeatures: 64, outFeatures: 64 });
  const groups: string[][] = [];
  for (let b = 0; b < 4; b++) {
    ops.push(lin(`b${b}a`, []), lin(`b${b}b`, [`b${b}a`]));
    groups.push([`b${b}a`, `b${b}b`]);
  }
  ops.push(lin("f", []), lin("m", ["b0b", "b1b", "b2b", "b3b", "f"]), lin("t1", ["m"]), lin("t2", ["t1"]));
  groups.push(["f", "m"], ["t1", "t2"]);
  return { graph: { name: "candle-like", dtype: "fp16", ops }, groups };
}

export const FREE_LINK: Link = { bytesPerSec: Number.POSITIVE_INFINITY, latencySec: 0 };

export function testCluster(
  options: { nodes?: number; devicesPerNode?: number; memBytes?: number; intra?: Link; inter?: Link } = {},
): Cluster {
  return {
    name: "test",
    device: {
      name: "testdev",
      memBytes: options.memBytes ?? 80e9,
      peakFlopsPerSec: { fp32: 1e12, fp16: 1e12, bf16: 1e12 },
      memBytesPerSec: Number.POSITIVE_INFINITY,
    },
    nodes: options.nodes ?? 1,
    devicesPerNode: options.devicesPerNode ?? 64,
    intra: options.intra ?? FREE_LINK,
    inter: options.inter ?? FREE_LINK,
  };
}

/** Every op takes `fwdSec` forward and `bwdSec` backward per sample (linear in samples). */
export function uniformCost(cluster: Cluster, fwdSec = 1, bwdSec = 2): CostModel {
  return { device: cluster.device, opTime: (_op, samples) => ({ fwdSec: fwdSec * samples, bwdSec: bwdSec * samples }) };
}
