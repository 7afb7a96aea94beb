/** Numbers for people: 1.23 GFLOP, 4.5 MiB, 25.6 M. Three significant digits; exact values stay in --json. */

function scaled(value: number, base: number, units: readonly string[]): string {
  let v = value;
  let i = 0;
  while (Math.abs(v) >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  const digits = i === 0 ? 0 : Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${units[i]}`;
}

/** 1.23 GFLOP (decimal prefixes). */
export function formatFlops(flops: number): string {
  return scaled(flops, 1000, ["FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP", "EFLOP"]);
}

/** 4.50 MiB (binary prefixes). */
export function formatBytes(bytes: number): string {
  return scaled(bytes, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]);
}

/** 25.6 M (decimal: K, M, B, T), for parameter counts. */
export function formatCount(n: number): string {
  return scaled(n, 1000, ["", "K", "M", "B", "T"]).trimEnd();
}

/** 0.257 → "25.7 %". */
export function formatShare(share: number): string {
  return `${(100 * share).toFixed(share >= 0.1 ? 1 : 2)} %`;
}
