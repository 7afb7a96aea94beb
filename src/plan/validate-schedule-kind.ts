/**
 * The rules a schedule kind adds to a plan (validatePlan calls this once the stage graph is known acyclic):
 * - interleaved: a chain of p·v stages (v = virtualStages) placed in a "loop": the stage at chain position j
 *   runs on the device set of position j mod p, the p sets are disjoint, and the micro-batch count is a
 *   multiple of p (Megatron's grouping of micro-batches by p; docs/schedules.md);
 * - 2bw: micro-batches per iteration ≥ the pipeline depth (otherwise more than two weight versions are live);
 * - every other kind: virtualStages absent or 1.
 */
import type { Issue } from "../util/issues.js";
import { depthToSink, isChain, type StageGraph } from "./stage-graph.js";
import type { Plan } from "./types.js";

export function validateScheduleKind(plan: Plan, sg: StageGraph): Issue[] {
  const issues: Issue[] = [];
  const v = plan.virtualStages ?? 1;
  if (plan.schedule !== "interleaved") {
    if (v !== 1) {
      issues.push({
        code: "invalid-value",
        message: `virtualStages = ${v} only applies to the "interleaved" schedule (this plan uses "${plan.schedule}")`,
        path: ["virtualStages"],
        expected: "1 or absent",
        got: String(v),
      });
    }
  } else {
    checkInterleaved(plan, sg, v, issues);
  }
  if (plan.schedule === "2bw") {
    const depth = Math.max(0, ...depthToSink(sg));
    if (plan.microBatches < depth) {
      issues.push({
        code: "invalid-value",
        message: `PipeDream-2BW needs at least as many micro-batches per iteration as pipeline stages on the longest path (${depth}) to keep two weight versions`,
        path: ["microBatches"],
        expected: `≥ ${depth}`,
        got: String(plan.microBatches),
      });
    }
  }
  return issues;
}

function checkInterleaved(plan: Plan, sg: StageGraph, v: number, issues: Issue[]): void {
  if (!Number.isInteger(v) || v < 1) {
    issues.push({
      code: "bad-number",
      message: "virtualStages must be a positive integer",
      path: ["virtualStages"],
      expected: "an integer ≥ 1",
      got: String(v),
    });
    return;
  }
  if (!isChain(sg)) {
    issues.push({
      code: "unsupported",
      message: "the interleaved schedule needs a chain of stages (use dag-1f1b for a stage graph)",
      path: ["stageEdges"],
    });
    return;
  }
  const S = plan.stages.length;
  if (S % v !== 0) {
    issues.push({
      code: "invalid-value",
      message: `${S} stages cannot be dealt as ${v} chunks per device`,
      path: ["virtualStages"],
      expected: `a divisor of the stage count ${S}`,
      got: String(v),
    });
    return;
  }
  const p = S / v;
  const key = (i: number) => JSON.stringify([...plan.stages[i]!.devices].sort((a, b) => a - b));
  const groupOwner = new Map<number, number>();
  sg.topo.forEach((stageIndex, j) => {
    const first = sg.topo[j % p]!;
    if (j >= p && key(stageIndex) !== key(first)) {
      issues.push({
        code: "device-shared",
        message: `interleaved: stage "${sg.ids[stageIndex]}" (chain position ${j}) must run on the devices of stage "${sg.ids[first]}" (position ${j % p}) in the loop placement`,
        path: ["stages", stageIndex, "devices"],
        expected: key(first),
        got: key(stageIndex),
      });
    }
    if (j < p) {
      plan.stages[stageIndex]!.devices.forEach((d, k) => {
        const owner = groupOwner.get(d);
        if (owner !== undefined) {
          issues.push({
            code: "device-shared",
            message: `interleaved: device ${d} is in the device sets of chain positions ${owner} and ${j}`,
            path: ["stages", stageIndex, "devices", k],
          });
        } else groupOwner.set(d, j);
      });
    }
  });
  if (plan.microBatches % p !== 0) {
    issues.push({
      code: "invalid-value",
      message: `the interleaved schedule groups micro-batches by the ${p} pipeline devices: the count must be a multiple of ${p}`,
      path: ["microBatches"],
      expected: `a multiple of ${p}`,
      got: String(plan.microBatches),
    });
  }
}
