/** Hand-built graphs for unit tests: `graphOf({ a: [], b: ["a"] })` lists ops in key order with those inputs. */
import type { Graph, Op } from "../../src/graph/types.js";
import { linearOp } from "../arbitraries.js";

export function graphOf(inputs: Readonly<Record<string, readonly string[]>>, name = "test"): Graph {
  return {
    name,
    dtype: "fp16",
    ops: Object.entries(inputs).map(([id, ins]) => linearOp(id, ins, { inFeatures: 8, outFeatures: 8 })),
  };
}

export function withOp(g: Graph, index: number, patch: (op: Op) => Op): Graph {
  return { ...g, ops: g.ops.map((op, i) => (i === index ? patch(op) : op)) };
}

export function ids(ops: readonly Op[]): string[] {
  return ops.map((op) => op.id);
}
