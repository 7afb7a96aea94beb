/**
 * Building and checking the mirrored layout of a training graph (forward 0..L-1, loss L, gradient of i at
 * n-1-i). The baselines' S template and the articulation points rely on it, so every graph that enters the
 * solvers passes `checkTrainingGraph` first.
 */
import type { Issue } from "../util/issues.js";
import type { CostUnit, TrainingGraph, TrainingNode } from "./types.js";

export interface TrainingGraphParts {
  readonly name: string;
  readonly nodes: readonly TrainingNode[];
  /** Edges [u, v]: v reads u's output. Duplicates are merged. */
  readonly edges: readonly (readonly [number, number])[];
  readonly costUnit: CostUnit;
  readonly fixedBytes?: number;
  readonly batch?: number;
}

/** Assembles deps/users lists (ascending, deduplicated) from an edge list. Does not check the layout. */
export function assembleTrainingGraph(parts: TrainingGraphParts): TrainingGraph {
  const n = parts.nodes.length;
  const depSets: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (const [u, v] of parts.edges) depSets[v]?.add(u);
  const deps = depSets.map((s) => [...s].sort((a, b) => a - b));
  const users: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++) for (const u of deps[v] ?? []) users[u]?.push(v);
  for (const list of users) list.sort((a, b) => a - b);
  return {
    name: parts.name,
    nodes: parts.nodes,
    deps,
    users,
    costUnit: parts.costUnit,
    fixedBytes: parts.fixedBytes ?? 0,
    ...(parts.batch !== undefined ? { batch: parts.batch } : {}),
  };
}

/** Number of forward nodes L (= index of the loss node). */
export function forwardCount(g: TrainingGraph): number {
  return (g.nodes.length - 1) / 2;
}

/** Index of the gradient node of forward node i. */
export function gradientOf(g: TrainingGraph, i: number): number {
  return g.nodes.length - 1 - i;
}

export function totalCost(g: TrainingGraph): number {
  let sum = 0;
  for (const node of g.nodes) sum += node.cost;
  return sum;
}

/**
 * Every structural fact the solvers assume, as issues (empty = fine): odd node count, the mirrored kinds,
 * edges going forward in the numbering, the loss reading the last forward node and feeding the last
 * forward node's gradient, finite non-negative costs and sizes.
 */
export function checkTrainingGraph(g: TrainingGraph): Issue[] {
  const issues: Issue[] = [];
  const n = g.nodes.length;
  if (n < 3 || n % 2 !== 1) {
    issues.push({
      code: "invalid-value",
      message: "a training graph needs 2L+1 nodes (L forward, one loss, L gradients)",
      path: ["nodes"],
      expected: "an odd number ≥ 3 of nodes",
      got: String(n),
    });
    return issues;
  }
  const L = forwardCount(g);
  g.nodes.forEach((node, i) => {
    const want = i < L ? "forward" : i === L ? "loss" : "backward";
    if (node.kind !== want) {
      issues.push({
        code: "invalid-value",
        message: `node ${i} (${node.name}) must be a ${want} node in the mirrored layout`,
        path: ["nodes", i, "kind"],
        expected: want,
        got: node.kind,
      });
    }
    for (const [field, value] of [
      ["cost", node.cost],
      ["memBytes", node.memBytes],
    ] as const) {
      if (!Number.isFinite(value) || value < 0) {
        issues.push({
          code: "bad-number",
          message: `node ${i} (${node.name}) has an invalid ${field}`,
          path: ["nodes", i, field],
          expected: "a finite number ≥ 0",
          got: String(value),
        });
      }
    }
  });
  g.deps.forEach((list, v) => {
    for (const u of list) {
      if (!(u >= 0 && u < v)) {
        issues.push({
          code: "cycle",
          message: `edge ${u} → ${v} does not go forward in the topological numbering`,
          path: ["edges", `${u}->${v}`],
          expected: "source < target",
        });
      }
    }
  });
  const lossDeps = g.deps[L] ?? [];
  if (!lossDeps.includes(L - 1)) {
    issues.push({
      code: "missing-field",
      message: "the loss must read the last forward node",
      path: ["edges", `${L - 1}->${L}`],
    });
  }
  if (!(g.deps[L + 1] ?? []).includes(L)) {
    issues.push({
      code: "missing-field",
      message: "the gradient of the last forward node must read the loss",
      path: ["edges", `${L}->${L + 1}`],
    });
  }
  return issues;
}
