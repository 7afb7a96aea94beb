/**
 * The order in which CPython iterates a `set` of small non-negative ints built by adding them in the given
 * order (CPython's setobject.c: open addressing with 9 linear probes, then perturbed probing, growing ×4
 * when 60 % full). Checkmate's artifact iterates its articulation-point set in this order when it picks
 * every k-th candidate for the AP √n baseline, so reproducing its published numbers (research note §8.1:
 * ResNet-50 and U-Net AP √n) needs this order; the default everywhere else is plain ascending order.
 */
const LINEAR_PROBES = 9;
const PERTURB_SHIFT = 5;
const MIN_SIZE = 8;

export function cpythonSetOrder(values: readonly number[]): number[] {
  let table: (number | undefined)[] = new Array(MIN_SIZE);
  let mask = MIN_SIZE - 1;
  let used = 0;
  const insert = (tab: (number | undefined)[], m: number, key: number): void => {
    // hash(k) = k for small non-negative ints.
    let perturb = key;
    let i = key & m;
    for (;;) {
      const probes = i + LINEAR_PROBES <= m ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++) {
        if (tab[i + j] === undefined) {
          tab[i + j] = key;
          return;
        }
      }
      perturb = Math.floor(perturb / 2 ** PERTURB_SHIFT);
      i = (i * 5 + 1 + perturb) & m;
    }
  };
  const seen = new Set<number>();
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`cpythonSetOrder: ${v} is not a small non-negative int`);
    if (seen.has(v)) continue;
    seen.add(v);
    insert(table, mask, v);
    used++;
    if (used * 5 >= mask * 3) {
      let size = MIN_SIZE;
      while (size <= used * 4) size *= 2;
      const next: (number | undefined)[] = new Array(size);
      for (const k of table) if (k !== undefined) insert(next, size - 1, k);
      table = next;
      mask = size - 1;
    }
  }
  return table.filter((k): k is number => k !== undefined);
}

/**
 * The order Checkmate's artifact walks forward nodes in for the greedy baseline (`topological_order_fwd`):
 * reverse DFS postorder over the forward graph taken as UNDIRECTED, neighbours visited in CPython set
 * order, roots tried by ascending id. On a DAG with branches this is not a topological order (research note
 * §5.2), but it is what produced the published greedy numbers, so reproducing them needs it.
 */
export function checkmateArtifactForwardOrder(forwardDeps: readonly (readonly number[])[]): number[] {
  const L = forwardDeps.length;
  const inserted: number[][] = Array.from({ length: L }, () => []);
  for (let v = 0; v < L; v++) {
    for (const u of forwardDeps[v] ?? []) {
      inserted[u]?.push(v);
      inserted[v]?.push(u);
    }
  }
  const adj = inserted.map((list) => cpythonSetOrder(list));
  const visited = new Uint8Array(L);
  const postorder: number[] = [];
  for (let root = 0; root < L; root++) {
    if (visited[root] === 1) continue;
    visited[root] = 1;
    const stack: [number, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const [v, k] = top;
      const next = adj[v]?.[k];
      if (next === undefined) {
        postorder.push(v);
        stack.pop();
        continue;
      }
      top[1] = k + 1;
      if (visited[next] === 0) {
        visited[next] = 1;
        stack.push([next, 0]);
      }
    }
  }
  return postorder.reverse();
}
