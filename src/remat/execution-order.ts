/**
 * From (R, S) to an execution order of allocate / compute / free steps (Checkmate artifact's
 * `schedule_from_rs`, research note §4). Stage by stage: first drop live values that this stage does not
 * read and the next stage does not keep, then compute the nodes of R in ascending order, freeing each
 * input (and the node itself) right after its last use in the stage unless the next stage keeps it.
 *
 * This function does not check validity (a dependency that is not live is emitted as is); the memory
 * simulation in simulate-memory.ts is the independent checker of every order.
 */
import type { ExecStep, RematSchedule, TrainingGraph } from "./types.js";

export function executionOrder(g: TrainingGraph, { R, S }: RematSchedule): ExecStep[] {
  const n = g.nodes.length;
  const steps: ExecStep[] = [];
  const live = new Uint8Array(n);
  const usedAfter = (t: number, u: number, i: number): boolean => {
    if (t < n - 1 && S[(t + 1) * n + u] === 1) return true;
    const users = g.users[u] ?? [];
    for (let k = users.length - 1; k >= 0; k--) {
      const v = users[k] as number;
      if (v <= i) break;
      if (R[t * n + v] === 1) return true;
    }
    return false;
  };
  const free = (stage: number, u: number): void => {
    live[u] = 0;
    steps.push({ kind: "free", stage, node: u });
  };
  for (let t = 0; t < n; t++) {
    for (let u = 0; u < n; u++) if (live[u] === 1 && !usedAfter(t, u, u)) free(t, u);
    for (let i = 0; i < n; i++) {
      if (R[t * n + i] === 1) {
        if (live[i] === 0) {
          live[i] = 1;
          steps.push({ kind: "allocate", stage: t, node: i });
        }
        steps.push({ kind: "compute", stage: t, node: i });
      }
      for (const u of g.deps[i] ?? []) if (live[u] === 1 && !usedAfter(t, u, i)) free(t, u);
      if (live[i] === 1 && !usedAfter(t, i, i)) free(t, i);
    }
  }
  return steps;
}
