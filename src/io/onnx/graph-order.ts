/**
 * The wiring of an ONNX graph checked and ordered: every node input must name a graph input, an
 * initializer or another node's output; no tensor may be produced twice; the nodes must form a DAG.
 * ONNX requires nodes in topological order, but hostile or hand-edited files may not be, so the order is
 * computed (Kahn's algorithm, ties broken by position in the file, so valid files keep their order).
 */
import type { Issue } from "../../util/issues.js";
import type { NodeProto } from "./generated/onnx_pb.js";

export interface GraphOrder {
  /** Node indices in an order where every producer comes before its consumers. */
  readonly order: readonly number[];
  /** Tensor name → index of the node producing it. */
  readonly producer: ReadonlyMap<string, number>;
  /** Names of node inputs that refer to nothing (already reported); such nodes get unknown outputs. */
  readonly dangling: ReadonlySet<string>;
}

/** Position-ordered min-heap of node indices, so the topological order is deterministic. */
class IndexHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as number) <= v) break;
      a[i] = a[p] as number;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.items;
    const top = a[0] as number;
    const last = a.pop() as number;
    if (a.length === 0) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && (a[l] as number) < (a[m] as number)) m = l;
      if (r < a.length && (a[r] as number) < (a[m] as number)) m = r;
      if (m === i) return top;
      [a[i], a[m]] = [a[m] as number, a[i] as number];
      i = m;
    }
  }
}

function nodeLabel(node: NodeProto, index: number): string {
  return node.name ? `${node.name} (${node.opType})` : `node ${index} (${node.opType})`;
}

/** One cycle among `stuck` nodes, found by walking producers until a node repeats. */
function findCycle(stuck: ReadonlySet<number>, nodes: readonly NodeProto[], producer: ReadonlyMap<string, number>) {
  let start = Number.POSITIVE_INFINITY;
  for (const i of stuck) start = Math.min(start, i);
  const seen = new Map<number, number>();
  const path: number[] = [];
  let at = start;
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    const next = (nodes[at]?.input ?? []).map((n) => producer.get(n)).find((p) => p !== undefined && stuck.has(p));
    if (next === undefined) return [at];
    at = next;
  }
  const cycle = path.slice(seen.get(at)).reverse();
  // Start at the first node in file order, keeping the data-flow direction.
  let first = 0;
  cycle.forEach((v, i) => {
    if (v < (cycle[first] as number)) first = i;
  });
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

export function orderGraph(
  nodes: readonly NodeProto[],
  available: ReadonlySet<string>,
  file: string,
  issues: Issue[],
): GraphOrder {
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => {
    node.output.forEach((name, j) => {
      if (name === "") return;
      const prev = producer.get(name);
      if (prev !== undefined || available.has(name)) {
        issues.push({
          code: "duplicate-id",
          message: `tensor ${JSON.stringify(name)} is produced twice (${prev !== undefined ? `by node ${prev} and ` : "as a graph input or initializer and "}by node ${i})`,
          file,
          path: ["graph", "node", i, "output", j],
        });
        return;
      }
      producer.set(name, i);
    });
  });
  const dangling = new Set<string>();
  const waiting: number[] = new Array(nodes.length).fill(0);
  const consumers = new Map<number, number[]>();
  nodes.forEach((node, i) => {
    node.input.forEach((name, j) => {
      if (name === "" || available.has(name)) return;
      const p = producer.get(name);
      if (p === undefined) {
        dangling.add(name);
        issues.push({
          code: "unknown-input",
          message: `${nodeLabel(node, i)} reads tensor ${JSON.stringify(name)}, which no node, graph input or initializer provides`,
          file,
          path: ["graph", "node", i, "input", j],
          got: name,
        });
        return;
      }
      waiting[i] = (waiting[i] as number) + 1;
      const list = consumers.get(p) ?? [];
      list.push(i);
      consumers.set(p, list);
    });
  });
  const heap = new IndexHeap();
  waiting.forEach((w, i) => {
    if (w === 0) heap.push(i);
  });
  const order: number[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    order.push(i);
    for (const c of consumers.get(i) ?? []) {
      waiting[c] = (waiting[c] as number) - 1;
      if (waiting[c] === 0) heap.push(c);
    }
  }
  if (order.length < nodes.length) {
    const done = new Set(order);
    const stuck = new Set(nodes.map((_, i) => i).filter((i) => !done.has(i)));
    const cycle = findCycle(stuck, nodes, producer);
    issues.push({
      code: "cycle",
      message: `the graph has a cycle: ${cycle.map((i) => nodeLabel(nodes[i] as NodeProto, i)).join(" → ")} → back to the first`,
      file,
      path: ["graph", "node", cycle[0] as number],
      got: cycle.map(String).join(","),
    });
  }
  return { order, producer, dangling };
}
