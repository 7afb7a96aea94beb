/**
 * Largest value of any range [from, to) of a fixed array in O(1) after O(n log n) set-up (a sparse table: level
 * k holds the maximum over [i, i + 2^k)). The ranges must be non-empty and inside the array.
 */
export function rangeMax(values: Float64Array): (from: number, to: number) => number {
  const n = values.length;
  const levels: Float64Array[] = [values];
  for (let k = 1; 1 << k <= n; k++) {
    const prev = levels[k - 1]!;
    const half = 1 << (k - 1);
    const cur = new Float64Array(n - (1 << k) + 1);
    for (let i = 0; i < cur.length; i++) cur[i] = Math.max(prev[i]!, prev[i + half]!);
    levels.push(cur);
  }
  return (from, to) => {
    const k = 31 - Math.clz32(to - from);
    const level = levels[k]!;
    return Math.max(level[from]!, level[to - (1 << k)]!);
  };
}
