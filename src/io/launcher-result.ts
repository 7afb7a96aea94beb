/**
 * What a run measured, assembled from the workers' messages: per iteration the loss (summed over the ranks
 * that hold a loss: the data-parallel replicas of the last stage each report their share) and the time
 * (last rank's end − first rank's start, which with a barrier per iteration is the iteration's makespan),
 * and per device the peak memory.
 */
import type { WorkerEvent } from "./launcher.js";

export interface IterationRecord {
  readonly iteration: number;
  readonly loss: number | null;
  readonly sec: number;
  /** Peak memory of each rank during this iteration (bytes). */
  readonly peakMemBytes: readonly number[];
  /** CPU seconds each rank's process used in this iteration (all its threads). */
  readonly cpuSec: readonly number[];
}

interface Partial {
  readonly byRank: Map<number, WorkerEvent>;
}

/** Collects `iteration` messages; `add` returns the record once every rank has reported that iteration. */
export class IterationCollector {
  private readonly pending = new Map<number, Partial>();
  readonly records: IterationRecord[] = [];

  constructor(private readonly world: number) {}

  add(ev: WorkerEvent): IterationRecord | undefined {
    if (ev.event !== "iteration" || typeof ev.rank !== "number" || typeof ev["iteration"] !== "number")
      return undefined;
    const it = ev["iteration"];
    let p = this.pending.get(it);
    if (!p) {
      p = { byRank: new Map() };
      this.pending.set(it, p);
    }
    p.byRank.set(ev.rank, ev);
    if (p.byRank.size < this.world) return undefined;
    this.pending.delete(it);
    const evs = [...p.byRank.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
    const losses = evs.map((e) => e["loss"]).filter((l): l is number => typeof l === "number");
    const start = Math.min(...evs.map((e) => Number(e["startSec"])));
    const end = Math.max(...evs.map((e) => Number(e["endSec"])));
    const rec: IterationRecord = {
      iteration: it,
      loss: losses.length > 0 ? losses.reduce((a, b) => a + b, 0) : null,
      sec: end - start,
      peakMemBytes: evs.map((e) => Number(e["peakMemBytes"] ?? 0)),
      cpuSec: evs.map((e) => Number(e["cpuSec"] ?? 0)),
    };
    this.records.push(rec);
    return rec;
  }
}

/** Median of the iteration times, skipping the first (warm-up) iteration when there are at least 3. */
export function steadyIterationSec(records: readonly IterationRecord[]): number {
  const xs = (records.length >= 3 ? records.slice(1) : records).map((r) => r.sec).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

/** Peak memory per rank over all iterations. */
export function peakMemoryPerRank(records: readonly IterationRecord[], world: number): number[] {
  const out = new Array<number>(world).fill(0);
  for (const r of records) {
    r.peakMemBytes.forEach((b, i) => {
      out[i] = Math.max(out[i]!, b);
    });
  }
  return out;
}
