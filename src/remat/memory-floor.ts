/**
 * Cheap lower bounds on the activation memory any schedule needs (research note §1, §8.2): computing node
 * v needs its output and all its inputs live at once, so no budget below max_v (M_v + Σ_{u∈deps(v)} M_u)
 * can work. Unlike Checkmate's `max_degree_ram`, backward nodes count too: their working sets are the
 * larger ones (VGG16 at batch 256: 13.15 GB against 6.58 GB over forward nodes only).
 */
import type { SolveResult, SolverName, TrainingGraph } from "./types.js";

export function memoryFloorBytes(g: TrainingGraph): { bytes: number; node: number } {
  let best = 0;
  let node = 0;
  g.nodes.forEach((x, v) => {
    let sum = x.memBytes + (x.workBytes ?? 0);
    for (const u of g.deps[v] ?? []) sum += g.nodes[u]?.memBytes ?? 0;
    if (sum > best) {
      best = sum;
      node = v;
    }
  });
  return { bytes: best, node };
}

/**
 * The answer of a solver asked for a budget below the floor (infeasible, with the floor as the least memory
 * that could work), or undefined when the budget is at or above it: every solver checks this first.
 */
export function belowFloor(
  g: TrainingGraph,
  budgetBytes: number,
  solver: SolverName,
  solveSec: number,
): SolveResult | undefined {
  const floor = memoryFloorBytes(g);
  if (budgetBytes >= floor.bytes) return undefined;
  const name = g.nodes[floor.node]?.name;
  return {
    solver,
    status: "infeasible",
    solveSec,
    leastBytes: floor.bytes,
    note: `below the memory floor: node ${floor.node}${name ? ` (${name})` : ""} needs ${floor.bytes} bytes with its inputs`,
  };
}
