/**
 * Induced subgraphs of one graph, selected by a set of op indices, for the recursive SP decomposition.
 * Membership is a stamp per op (O(size) to select, O(1) to test), so the recursion never allocates
 * n-sized arrays per sub-problem. Only one subgraph is selected at a time.
 */
import type { GraphIndex } from "./graph-index.js";
import { MinHeap } from "./min-heap.js";

export class InducedSubgraphs {
  private readonly stamp: Int32Array;
  private readonly seen: Int32Array;
  private readonly indegree: Int32Array;
  private current = 0;
  private seenStamp = 0;

  constructor(readonly index: GraphIndex) {
    const n = index.preds.length;
    this.stamp = new Int32Array(n);
    this.seen = new Int32Array(n);
    this.indegree = new Int32Array(n);
  }

  /** Makes `members` the current subgraph. */
  select(members: readonly number[]): void {
    this.current++;
    for (const v of members) this.stamp[v] = this.current;
  }

  has(v: number): boolean {
    return this.stamp[v] === this.current;
  }

  /** Weakly connected components of the current subgraph, each ascending, ordered by their smallest op. */
  components(members: readonly number[]): number[][] {
    const { preds, succs } = this.index;
    const mark = ++this.seenStamp;
    const out: number[][] = [];
    for (const start of members) {
      if (this.seen[start] === mark) continue;
      this.seen[start] = mark;
      const component = [start];
      for (let head = 0; head < component.length; head++) {
        const u = component[head]!;
        this.visit(preds[u]!, mark, component);
        this.visit(succs[u]!, mark, component);
      }
      component.sort((a, b) => a - b);
      out.push(component);
    }
    return out;
  }

  private visit(neighbours: readonly number[], mark: number, component: number[]): void {
    for (const w of neighbours) {
      if (this.stamp[w] === this.current && this.seen[w] !== mark) {
        this.seen[w] = mark;
        component.push(w);
      }
    }
  }

  /** Stable Kahn order of the current subgraph: among ready ops the smallest index first. */
  topologicalOrder(members: readonly number[]): number[] {
    const { preds, succs } = this.index;
    const ready = new MinHeap();
    for (const v of members) {
      let d = 0;
      for (const p of preds[v]!) if (this.stamp[p] === this.current) d++;
      this.indegree[v] = d;
      if (d === 0) ready.push(v);
    }
    const order: number[] = [];
    for (let u = ready.pop(); u !== undefined; u = ready.pop()) {
      order.push(u);
      for (const w of succs[u]!) if (this.stamp[w] === this.current && --this.indegree[w]! === 0) ready.push(w);
    }
    if (order.length !== members.length) throw new Error("dagpipe/graph/induced-subgraph: subgraph is not acyclic");
    return order;
  }
}
