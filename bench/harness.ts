/** Shared bits of the benchmarks: the machine label, timing, and a plain table printer. */
import os from "node:os";

export interface Bench {
  readonly name: string;
  readonly description: string;
  run(): Promise<void>;
}

export function machineLabel(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${cpu.trim()}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** Best-of-n wall time in seconds (the minimum is the least noisy estimate on a shared machine). */
export async function timeBest<T>(n: number, fn: () => T | Promise<T>): Promise<{ sec: number; value: T }> {
  let best = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    value = await fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { sec: best, value: value as T };
}

export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) => `| ${r.map((v, c) => v.padEnd(widths[c] ?? 0)).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}
