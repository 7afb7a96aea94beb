/**
 * Articulation points of the forward graph, Checkmate's `checkpoint_set` (research note §1): on the forward
 * subgraph taken as undirected, with a virtual source joined to forward node 0 and a virtual sink joined to
 * the last forward node, v is an articulation point when removing it disconnects the graph. In a chain
 * every node is one; they are the natural checkpoint candidates of the AP baselines.
 *
 * Removal + search per node: O(L·(L+E)), a few milliseconds for the largest graphs here (L = 176).
 */
import { forwardCount } from "./training-graph-layout.js";
import type { TrainingGraph } from "./types.js";

export function articulationPoints(g: TrainingGraph): number[] {
  const L = forwardCount(g);
  // Vertices 0..L-1 are forward nodes, L is the virtual source, L+1 the virtual sink.
  const adj: number[][] = Array.from({ length: L + 2 }, () => []);
  const link = (a: number, b: number): void => {
    adj[a]?.push(b);
    adj[b]?.push(a);
  };
  for (let v = 0; v < L; v++) for (const u of g.deps[v] ?? []) link(u, v);
  link(L, 0);
  link(L - 1, L + 1);
  const out: number[] = [];
  const seen = new Uint8Array(L + 2);
  for (let removed = 0; removed < L; removed++) {
    seen.fill(0);
    seen[removed] = 1;
    const stack = [L];
    seen[L] = 1;
    let reached = 1;
    while (stack.length > 0) {
      const x = stack.pop() as number;
      for (const y of adj[x] ?? []) {
        if (seen[y] === 0) {
          seen[y] = 1;
          reached++;
          stack.push(y);
        }
      }
    }
    if (reached < L + 1) out.push(removed);
  }
  return out;
}

/** All forward nodes, ascending (Checkmate's `checkpoint_set_all`). */
export function allForwardNodes(g: TrainingGraph): number[] {
  return Array.from({ length: forwardCount(g) }, (_, i) => i);
}
