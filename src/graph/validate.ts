/**
 * Structural validation of a graph: collects every problem (never stops at the first) as Issues whose path
 * names the op and field, e.g. ["ops", 12, "inputs", 0]. Checked: empty graph, op ids (empty, duplicate),
 * kinds, unknown inputs, self-loops, cycles (one issue per strongly connected component, printing one cycle
 * through its lowest-index op), numbers (negative, NaN, infinite) in every numeric field and numeric attribute,
 * and profile points (positive integer micro-batch sizes, strictly ascending, non-negative finite times).
 *
 * Not checked here: shapes and attribute sets against the op kind (src/graph/op-kinds/ derives and checks them).
 */
import type { Issue, PathSegment } from "../util/issues.js";
import { type Graph, OP_KINDS, type Op } from "./types.js";

/** Attributes that may be negative by nature: axes and indices count from the end, reshape's -1 infers a dim. */
const SIGNED_ATTRS: ReadonlySet<string> = new Set(["axis", "dim", "start", "end", "shape", "perm"]);

const NUMERIC_FIELDS = [
  "outBytesPerSample",
  "params",
  "paramBytes",
  "fwdFlopsPerSample",
  "bwdFlopsPerSample",
  "savedBytesPerSample",
] as const;

const KINDS: ReadonlySet<string> = new Set(OP_KINDS);

export function validateGraph(g: Graph): Issue[] {
  const issues: Issue[] = [];
  if (g.ops.length === 0) {
    issues.push({ code: "empty-graph", message: `graph "${g.name}" has no ops`, path: ["ops"], expected: "≥ 1 op" });
    return issues;
  }
  const byId = checkIds(g.ops, issues);
  g.ops.forEach((op, i) => {
    if (!KINDS.has(op.kind)) {
      issues.push({
        code: "unknown-kind",
        message: `op "${op.id}" has unknown kind "${op.kind}"`,
        path: ["ops", i, "kind"],
        expected: `one of ${OP_KINDS.join(", ")}`,
        got: String(op.kind),
      });
    }
    checkInputs(op, i, byId, issues);
    checkNumbers(op, i, issues);
    checkProfile(op, i, issues);
  });
  for (const cycle of findCycles(g.ops, byId)) issues.push(cycle);
  return issues;
}

function checkIds(ops: readonly Op[], issues: Issue[]): Map<string, number> {
  const byId = new Map<string, number>();
  ops.forEach((op, i) => {
    if (typeof op.id !== "string" || op.id === "") {
      issues.push({
        code: "invalid-value",
        message: `op ${i} has no id`,
        path: ["ops", i, "id"],
        expected: "a non-empty string",
        got: JSON.stringify(op.id) ?? "undefined",
      });
      return;
    }
    const first = byId.get(op.id);
    if (first === undefined) byId.set(op.id, i);
    else {
      issues.push({
        code: "duplicate-id",
        message: `duplicate op id "${op.id}" (first used by ops[${first}])`,
        path: ["ops", i, "id"],
      });
    }
  });
  return byId;
}

function checkInputs(op: Op, i: number, byId: ReadonlyMap<string, number>, issues: Issue[]): void {
  op.inputs.forEach((input, k) => {
    if (input === op.id) {
      issues.push({
        code: "cycle",
        message: `cycle: ${op.id} → ${op.id} (op consumes its own output)`,
        path: ["ops", i, "inputs", k],
      });
    } else if (!byId.has(input)) {
      issues.push({
        code: "unknown-input",
        message: `op "${op.id}" reads unknown op "${input}"`,
        path: ["ops", i, "inputs", k],
        expected: "the id of an op in the graph",
        got: JSON.stringify(input) ?? "undefined",
      });
    }
  });
}

function checkNumbers(op: Op, i: number, issues: Issue[]): void {
  for (const field of NUMERIC_FIELDS) {
    if (!isGoodNumber(op[field], false)) issues.push(numberIssue(op, op[field], ["ops", i, field], false));
  }
  const ws = op.workspaceBytesPerSample;
  if (ws !== undefined && !isGoodNumber(ws, false)) {
    issues.push(numberIssue(op, ws, ["ops", i, "workspaceBytesPerSample"], false));
  }
  op.outShape.forEach((d, k) => {
    if (!isGoodNumber(d, false)) issues.push(numberIssue(op, d, ["ops", i, "outShape", k], false));
  });
  const names = Object.keys(op.attrs);
  if (names.length > 1) names.sort();
  for (const name of names) {
    const value = op.attrs[name];
    const signed = SIGNED_ATTRS.has(name);
    if (typeof value === "number") {
      if (!isGoodNumber(value, signed)) issues.push(numberIssue(op, value, ["ops", i, "attrs", name], signed));
    } else if (Array.isArray(value)) {
      value.forEach((x, k) => {
        if (!isGoodNumber(x, signed)) issues.push(numberIssue(op, x, ["ops", i, "attrs", name, k], signed));
      });
    }
  }
}

/** The hot path: no allocation unless the number is bad. */
function isGoodNumber(value: unknown, signed: boolean): boolean {
  return typeof value === "number" && Number.isFinite(value) && (signed || value >= 0);
}

function numberIssue(op: Op, value: unknown, path: readonly PathSegment[], signed: boolean): Issue {
  const field = path.slice(2).join(".");
  const expected = signed ? "a finite number" : "a finite number ≥ 0";
  if (typeof value !== "number") {
    return {
      code: "invalid-type",
      message: `op "${op.id}": ${field} is not a number`,
      path,
      expected,
      got: typeof value,
    };
  }
  const what = Number.isNaN(value) ? "is NaN" : !Number.isFinite(value) ? "is infinite" : "is negative";
  return { code: "bad-number", message: `op "${op.id}": ${field} ${what}`, path, expected, got: String(value) };
}

function checkProfile(op: Op, i: number, issues: Issue[]): void {
  if (op.profile === undefined) return;
  const base: PathSegment[] = ["ops", i, "profile", "points"];
  const points = op.profile.points;
  if (points.length === 0) {
    issues.push({
      code: "invalid-value",
      message: `op "${op.id}": profile has no points`,
      path: base,
      expected: "≥ 1 measured point",
    });
    return;
  }
  points.forEach((p, j) => {
    const mb = p.microBatch;
    if (typeof mb !== "number" || !Number.isInteger(mb) || mb <= 0) {
      issues.push({
        code: "bad-number",
        message: `op "${op.id}": profile micro-batch size must be a positive integer`,
        path: [...base, j, "microBatch"],
        expected: "an integer ≥ 1",
        got: String(mb),
      });
    } else if (j > 0 && mb <= points[j - 1]!.microBatch) {
      issues.push({
        code: "invalid-value",
        message: `op "${op.id}": profile points are not sorted by micro-batch size`,
        path: [...base, j, "microBatch"],
        expected: `> ${points[j - 1]!.microBatch}`,
        got: String(mb),
      });
    }
    for (const field of ["fwdSec", "bwdSec"] as const) {
      if (!isGoodNumber(p[field], false)) issues.push(numberIssue(op, p[field], [...base, j, field], false));
    }
  });
}

/**
 * One issue per strongly connected component with ≥ 2 ops (Tarjan's algorithm, iterative so 100k-op chains
 * cannot overflow the call stack). The cycle printed is the shortest one through the component's lowest-index
 * op; the issue's path is the input of that op that closes the cycle.
 */
function findCycles(ops: readonly Op[], byId: ReadonlyMap<string, number>): Issue[] {
  const n = ops.length;
  const succs: number[][] = [];
  for (let i = 0; i < n; i++) succs.push([]);
  ops.forEach((op, v) => {
    for (const input of op.inputs) {
      const u = byId.get(input);
      if (u !== undefined && u !== v) succs[u]!.push(v);
    }
  });
  for (const s of succs) s.sort((a, b) => a - b);

  const components = stronglyConnectedComponents(succs).filter((c) => c.length >= 2);
  components.sort((a, b) => a[0]! - b[0]!);
  return components.map((component) => {
    const cycle = shortestCycleThrough(component[0]!, component, succs);
    const first = ops[cycle[0]!]!;
    const closing = ops[cycle[cycle.length - 1]!]!.id;
    const ids = [...cycle, cycle[0]!].map((v) => ops[v]!.id);
    return {
      code: "cycle" as const,
      message: `cycle: ${ids.join(" → ")}`,
      path: ["ops", cycle[0]!, "inputs", first.inputs.indexOf(closing)],
    };
  });
}

/** Components as ascending index lists. */
function stronglyConnectedComponents(succs: readonly (readonly number[])[]): number[][] {
  const n = succs.length;
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const frameNode = new Int32Array(n);
  const frameEdge = new Int32Array(n);
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (order[root] !== -1) continue;
    let depth = 0;
    frameNode[0] = root;
    frameEdge[0] = 0;
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (depth >= 0) {
      const v = frameNode[depth]!;
      const out = succs[v]!;
      if (frameEdge[depth]! < out.length) {
        const w = out[frameEdge[depth]!++]!;
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          depth++;
          frameNode[depth] = w;
          frameEdge[depth] = 0;
        } else if (onStack[w]) low[v] = Math.min(low[v]!, order[w]!);
        continue;
      }
      depth--;
      if (depth >= 0) {
        const parent = frameNode[depth]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === order[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        component.sort((a, b) => a - b);
        components.push(component);
      }
    }
  }
  return components;
}

/** Breadth-first search inside the component from `start` back to itself; returns [start, …, last]. */
function shortestCycleThrough(
  start: number,
  component: readonly number[],
  succs: readonly (readonly number[])[],
): number[] {
  const inComponent = new Set(component);
  const parent = new Map<number, number>([[start, -1]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const u = queue[head]!;
    for (const w of succs[u]!) {
      if (w === start) {
        const path: number[] = [];
        for (let x = u; x !== -1; x = parent.get(x)!) path.push(x);
        return path.reverse();
      }
      if (inComponent.has(w) && !parent.has(w)) {
        parent.set(w, u);
        queue.push(w);
      }
    }
  }
  return [start]; // unreachable for a component of ≥ 2 ops
}
