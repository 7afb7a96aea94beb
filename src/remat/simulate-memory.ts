/**
 * The independent memory simulation: replays an execution order and checks it without trusting whoever
 * produced it (a solver's U variables, a baseline's template or the order generator). It checks that every
 * compute finds its inputs live and its output allocated, that allocations and frees match, that every
 * node is computed at least once, and measures the activation peak after each allocation (Checkmate's
 * `activation_ram`, research note §4; plus a node's scratch bytes while it runs) and the total cost.
 */
import type { Issue } from "../util/issues.js";
import { totalCost } from "./training-graph-layout.js";
import type { ExecStep, ScheduleStats, TrainingGraph } from "./types.js";

export interface MemorySimulation {
  readonly stats: ScheduleStats;
  /** Empty when the order is a valid execution; `budgetBytes`, when given, is checked too. */
  readonly issues: readonly Issue[];
}

export function simulateMemory(g: TrainingGraph, steps: readonly ExecStep[], budgetBytes?: number): MemorySimulation {
  const n = g.nodes.length;
  const live = new Uint8Array(n);
  const computed = new Uint32Array(n);
  const issues: Issue[] = [];
  let liveBytes = 0;
  let peakBytes = 0;
  let cost = 0;
  const problem = (k: number, message: string): void => {
    if (issues.length < 20) issues.push({ code: "schedule-order", message, path: ["steps", k] });
  };
  steps.forEach((step, k) => {
    const node = g.nodes[step.node];
    if (node === undefined) {
      problem(k, `step names node ${step.node}, which does not exist`);
      return;
    }
    if (step.kind === "allocate") {
      if (live[step.node] === 1) problem(k, `stage ${step.stage}: node ${step.node} allocated while live`);
      else {
        live[step.node] = 1;
        liveBytes += node.memBytes;
        peakBytes = Math.max(peakBytes, liveBytes);
      }
    } else if (step.kind === "free") {
      if (live[step.node] === 0) problem(k, `stage ${step.stage}: node ${step.node} freed while not live`);
      else {
        live[step.node] = 0;
        liveBytes -= node.memBytes;
      }
    } else {
      if (live[step.node] === 0) problem(k, `stage ${step.stage}: node ${step.node} computed without its output`);
      for (const u of g.deps[step.node] ?? []) {
        if (live[u] === 0) problem(k, `stage ${step.stage}: node ${step.node} needs node ${u}, which is not live`);
      }
      peakBytes = Math.max(peakBytes, liveBytes + (node.workBytes ?? 0));
      computed[step.node] = (computed[step.node] ?? 0) + 1;
      cost += node.cost;
    }
  });
  let computeSteps = 0;
  for (let i = 0; i < n; i++) {
    computeSteps += computed[i] ?? 0;
    if (computed[i] === 0) {
      problem(steps.length, `node ${i} (${g.nodes[i]?.name}) is never computed`);
    }
  }
  const activationBytes = peakBytes;
  if (budgetBytes !== undefined && activationBytes > budgetBytes) {
    issues.push({
      code: "invalid-value",
      message: "the schedule's activation peak exceeds the budget",
      path: ["budget"],
      expected: `≤ ${budgetBytes} bytes`,
      got: `${activationBytes} bytes`,
    });
  }
  const base = totalCost(g);
  return {
    stats: {
      cost,
      overhead: base > 0 ? cost / base : 1,
      activationBytes,
      peakBytes: activationBytes + g.fixedBytes,
      recomputations: computeSteps - n,
    },
    issues,
  };
}
