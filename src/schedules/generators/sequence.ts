/**
 * Building blocks shared by the generators: a stage's compute sequence as (kind, micro-batch) steps, the
 * "k forwards, then one backward and one forward" pattern every 1F1B-style schedule is made of, and the
 * expansion of per-stage sequences onto every device (each data-parallel replica runs its stage's sequence
 * on its share of each micro-batch).
 */
import type { StageGraph } from "../../plan/stage-graph.js";
import type { Plan } from "../../plan/types.js";
import type { Action } from "../types.js";

export interface Step {
  readonly kind: "F" | "B" | "W";
  readonly microBatch: number;
  readonly version?: number;
}

/**
 * `warmup` forwards, then for each micro-batch i in order its backward followed by forward i + warmup while
 * any is left: F0 … F(w−1) B0 Fw B1 F(w+1) … B(n−1). A stage runs at most `warmup` micro-batches between
 * their forward and backward (its in-flight peak). `warmup` is clamped to [1, total].
 */
export function warmupThenAlternate(total: number, warmup: number): Step[] {
  const w = Math.max(1, Math.min(warmup, total));
  const steps: Step[] = [];
  for (let k = 0; k < w; k++) steps.push({ kind: "F", microBatch: k });
  for (let i = 0; i < total; i++) {
    steps.push({ kind: "B", microBatch: i });
    if (i + w < total) steps.push({ kind: "F", microBatch: i + w });
  }
  return steps;
}

/** Highest device index used by the plan + 1: the number of action lists. */
export function deviceCount(plan: Plan): number {
  let n = 0;
  for (const s of plan.stages) for (const d of s.devices) n = Math.max(n, d + 1);
  return n;
}

/** Every device of stage i runs `sequenceOf(i)` (stages do not share devices outside interleaved plans). */
export function expandToDevices(
  plan: Plan,
  sg: StageGraph,
  sequenceOf: (stage: number) => readonly Step[],
): Action[][] {
  const lists: Action[][] = Array.from({ length: deviceCount(plan) }, () => []);
  for (const i of sg.topo) {
    const stage = plan.stages[i]!;
    const seq = sequenceOf(i);
    for (const device of stage.devices) {
      const list = lists[device]!;
      for (const s of seq) {
        list.push(
          s.version === undefined
            ? { device, kind: s.kind, stage: stage.id, microBatch: s.microBatch }
            : { device, kind: s.kind, stage: stage.id, microBatch: s.microBatch, version: s.version },
        );
      }
    }
  }
  return lists;
}
