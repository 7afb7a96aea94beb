/** Small shape helpers shared by the kinds. Shapes are per sample (no batch dimension). */

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** NumPy broadcasting of two shapes (aligned at the last dimension); undefined when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** Product of all but the last `keep` dimensions: the "rows" a per-row op (linear, norm) runs over. */
export function leadingRows(shape: readonly number[], keep = 1): number {
  return numel(shape.slice(0, Math.max(0, shape.length - keep)));
}
