/**
 * Op specs → a Graph: checks ids and inputs, derives every op after its inputs (Kahn's order, ties by spec
 * index), and collects every issue with its path `ops[i]…`. Ops keep the order of the specs. An op whose
 * input could not be derived is skipped silently: the issue is reported where it starts. Ops on a cycle
 * cannot be derived; each cycle is reported once, printed `a → b → c → a`.
 */
import { fail, type Issue, ok, type Result } from "../../util/issues.js";
import type { AttrValue, Dtype, Graph, Op } from "../types.js";
import { type DeriveCache, deriveOpWithElemBytes } from "./derive-op.js";
import type { OpSpec } from "./spec.js";

export function buildGraph(
  name: string,
  dtype: Dtype,
  specs: readonly OpSpec[],
  source?: Readonly<Record<string, AttrValue>>,
): Result<Graph> {
  const issues: Issue[] = [];
  if (specs.length === 0) {
    return fail([{ code: "empty-graph", message: `graph "${name}" has no ops`, path: ["ops"] }]);
  }
  const byId = new Map<string, number>();
  for (let i = 0; i < specs.length; i++) {
    const id = specs[i]!.id;
    const first = byId.get(id);
    if (first === undefined) byId.set(id, i);
    else {
      issues.push({
        code: "duplicate-id",
        message: `op id "${id}" is used by ops[${first}] and ops[${i}]`,
        path: ["ops", i, "id"],
      });
    }
  }
  // preds[i]: spec indices of i's inputs (unknown ones dropped after reporting them).
  const preds: number[][] = new Array(specs.length);
  for (let i = 0; i < specs.length; i++) {
    const inputs = specs[i]!.inputs;
    const ps: number[] = [];
    for (let j = 0; j < inputs.length; j++) {
      const k = byId.get(inputs[j]!);
      if (k !== undefined) ps.push(k);
      else {
        issues.push({
          code: "unknown-input",
          message: `op "${specs[i]!.id}" reads "${inputs[j]}", which is not an op of the graph`,
          path: ["ops", i, "inputs", j],
          got: inputs[j]!,
        });
      }
    }
    preds[i] = ps;
  }
  if (issues.length > 0) return fail(issues);

  const order = kahnOrder(preds);
  const cache: DeriveCache = new Map();
  const ops: (Op | undefined)[] = new Array(specs.length);
  const elemBytes: number[] = new Array(specs.length);
  for (const i of order) {
    const ps = preds[i]!;
    const shapes: (readonly number[])[] = new Array(ps.length);
    const bytes: number[] = new Array(ps.length);
    let ready = true;
    for (let j = 0; j < ps.length; j++) {
      const input = ops[ps[j]!];
      if (input === undefined) {
        ready = false;
        break;
      }
      shapes[j] = input.outShape;
      bytes[j] = elemBytes[ps[j]!]!;
    }
    if (!ready) continue;
    const r = deriveOpWithElemBytes(specs[i]!, shapes, dtype, bytes, cache);
    if (r.ok) {
      ops[i] = r.value.op;
      elemBytes[i] = r.value.outElemBytes;
    } else {
      for (const issue of r.issues) issues.push({ ...issue, path: ["ops", i, ...(issue.path ?? [])] });
    }
  }
  if (order.length < specs.length) issues.push(...cycleIssues(specs, preds, order));
  if (issues.length > 0) return fail(issues);
  return ok({ name, dtype, ops: ops as Op[], ...(source !== undefined ? { source } : {}) });
}

/** Indices in an order where every op comes after its inputs; ops on or behind a cycle are left out. */
function kahnOrder(preds: readonly (readonly number[])[]): number[] {
  const n = preds.length;
  // Builders list ops in forward order: then the spec order itself is the answer.
  let sorted = true;
  for (let i = 0; i < n && sorted; i++) for (const p of preds[i]!) if (p >= i) sorted = false;
  if (sorted) return Array.from({ length: n }, (_, i) => i);
  const indeg = new Array<number>(n).fill(0);
  const succs: number[][] = Array.from({ length: n }, () => []);
  preds.forEach((ps, i) => {
    for (const p of ps) {
      indeg[i]!++;
      succs[p]!.push(i);
    }
  });
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) order.push(i);
  for (let h = 0; h < order.length; h++) {
    for (const s of succs[order[h]!]!) if (--indeg[s]! === 0) order.push(s);
  }
  return order;
}

/** One issue per cycle among the ops Kahn could not order, found by iterative DFS in index order. */
function cycleIssues(specs: readonly OpSpec[], preds: readonly (readonly number[])[], order: number[]): Issue[] {
  const done = new Uint8Array(specs.length);
  for (const i of order) done[i] = 2;
  const issues: Issue[] = [];
  const onStack = new Uint8Array(specs.length);
  for (let root = 0; root < specs.length; root++) {
    if (done[root]) continue;
    // Walk input edges; a back edge to an op on the stack closes a cycle.
    const stack: number[] = [root];
    const next: number[] = [0];
    onStack[root] = 1;
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!;
      const j = next[next.length - 1]!;
      const ps = preds[v]!;
      if (j >= ps.length) {
        stack.pop();
        next.pop();
        onStack[v] = 0;
        done[v] = 2;
        continue;
      }
      next[next.length - 1] = j + 1;
      const p = ps[j]!;
      if (onStack[p]) {
        // Inputs point backwards; reverse so the cycle reads in data-flow order.
        const cyc = stack.slice(stack.indexOf(p)).reverse();
        const first = Math.min(...cyc);
        const at = cyc.indexOf(first);
        const ids = [...cyc.slice(at), ...cyc.slice(0, at)].map((k) => specs[k]!.id);
        issues.push({
          code: "cycle",
          message: `ops form a cycle: ${[...ids, ids[0]].join(" → ")}`,
          path: ["ops", first],
          got: ids.join(", "),
        });
      } else if (!done[p]) {
        stack.push(p);
        next.push(0);
        onStack[p] = 1;
      }
    }
  }
  return issues;
}
