/**
 * A schedule (R, S) → a full solution vector of the MILP in build-model.ts, to hand HiGHS as a start
 * (Checkmate seeds its MILP with the best baseline the same way). FREE takes its largest allowed value and
 * U follows the recurrence; the vector is returned only when it satisfies the model's memory bound, since
 * the MILP's U counts more conservatively than the simulator.
 */
import { chenGreedySweep, type EvaluatedSchedule } from "../baselines/chen-greedy.js";
import { checkpointAll, checkpointLastNode, chenSqrt } from "../baselines/simple.js";
import { evaluateSchedule } from "../evaluate-schedule.js";
import type { RematSchedule, TrainingGraph } from "../types.js";
import type { MilpLayout, SparseModel } from "./build-model.js";

/**
 * The cheap baseline schedules a MILP is seeded from, with their simulated stats, checkpoint-all first
 * (each is still re-checked against the model's memory accounting by `solutionFromSchedule`). The greedy
 * sweeps come already evaluated, so no schedule is simulated twice.
 */
export function seedCandidates(g: TrainingGraph): EvaluatedSchedule[] {
  const list: EvaluatedSchedule[] = [
    checkpointAll(g),
    chenSqrt(g, false),
    chenSqrt(g, true),
    checkpointLastNode(g),
  ].map((schedule) => ({ schedule, stats: evaluateSchedule(g, schedule).stats }));
  for (const r of chenGreedySweep(g, false, 0.05)) list.push(r);
  for (const r of chenGreedySweep(g, true, 0.05)) list.push(r);
  return list;
}

export function solutionFromSchedule(
  g: TrainingGraph,
  model: SparseModel,
  layout: MilpLayout,
  { R, S }: RematSchedule,
): Float64Array | undefined {
  const { n, edges } = layout;
  const m = edges.length;
  const x = new Float64Array(model.numCols);
  const mem = g.nodes.map((v) => v.memBytes / layout.memUnitBytes);
  let peak = 0;
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < t; i++) {
      const r = layout.rCol[t * n + i] as number;
      const s = layout.sCol[t * n + i] as number;
      if (R[t * n + i] === 1) x[r] = 1;
      if (S[t * n + i] === 1) x[s] = 1;
    }
    for (let i = t + 1; i < n; i++) if (R[t * n + i] === 1 || S[t * n + i] === 1) return undefined;
    if (R[t * n + t] !== 1 || S[t * n + t] === 1) return undefined;
    // FREE[t,(i,k)] = R[t,k] · (1 − S[t+1,i]) · Π_{users j of i, k<j<t} (1 − R[t,j]).
    const freedAfter = new Float64Array(n);
    for (let e = 0; e < m; e++) {
      const f = layout.fCol[t * m + e] as number;
      if (f < 0) continue;
      const [i, k] = edges[e] as [number, number];
      let free = R[t * n + k] === 1 && !(t + 1 < n && S[(t + 1) * n + i] === 1);
      for (const j of g.users[i] ?? []) if (free && j > k && j < t && R[t * n + j] === 1) free = false;
      if (free) {
        x[f] = 1;
        freedAfter[k] = (freedAfter[k] ?? 0) + (mem[i] as number);
      }
    }
    let u = R[t * n] === 1 ? (mem[0] as number) : 0;
    for (let i = 0; i < t; i++) if (S[t * n + i] === 1) u += mem[i] as number;
    for (let k = 0; k <= t; k++) {
      if (k > 0) u += (R[t * n + k] === 1 ? (mem[k] as number) : 0) - (freedAfter[k - 1] as number);
      const col = layout.uCol[t * n + k] as number;
      if (u > (model.colUpper[col] as number) + 1e-12) return undefined;
      const scratch = R[t * n + k] === 1 ? (g.nodes[k]?.workBytes ?? 0) / layout.memUnitBytes : 0;
      if (k < t && u + scratch > (model.colUpper[col] as number) + 1e-12) return undefined;
      x[col] = Math.max(0, u);
      const stepScratch = k === t ? (g.nodes[t]?.workBytes ?? 0) / layout.memUnitBytes : scratch;
      peak = Math.max(peak, u + stepScratch);
    }
  }
  if (layout.pCol >= 0) x[layout.pCol] = peak;
  return x;
}
