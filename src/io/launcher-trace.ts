/**
 * The measured Chrome trace (Trace Event JSON, opens in Perfetto / chrome://tracing): one process per device,
 * a compute track (F, B, W, recompute, step) and a communication track (posting of send/recv, all-reduce),
 * plus one span per iteration. Times are microseconds from the workers' common start barrier.
 * Input: the `events-rank-<r>.json` files the workers write.
 */

export interface MeasuredEvent {
  readonly name: string;
  readonly kind: string;
  readonly it: number;
  /** Seconds since the common start. */
  readonly t0: number;
  readonly t1: number;
}

export interface RankEvents {
  readonly rank: number;
  readonly device: number;
  readonly events: readonly MeasuredEvent[];
}

interface TraceEvent {
  readonly name: string;
  readonly ph: "X" | "M";
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly args?: Readonly<Record<string, unknown>>;
}

const COMM_KINDS = new Set(["send", "recv", "allreduce"]);
const TRACKS = ["compute", "comm", "iterations"] as const;

export function measuredTrace(ranks: readonly RankEvents[]): { traceEvents: TraceEvent[]; displayTimeUnit: "ms" } {
  const out: TraceEvent[] = [];
  for (const r of [...ranks].sort((a, b) => a.device - b.device)) {
    const pid = r.device;
    out.push({ name: "process_name", ph: "M", pid, tid: 0, args: { name: `device ${r.device} (rank ${r.rank})` } });
    TRACKS.forEach((t, tid) => {
      out.push({ name: "thread_name", ph: "M", pid, tid, args: { name: t } });
    });
    const iters = new Map<number, { t0: number; t1: number }>();
    for (const e of r.events) {
      out.push({
        name: e.name,
        cat: e.kind,
        ph: "X",
        pid,
        tid: COMM_KINDS.has(e.kind) ? 1 : 0,
        ts: e.t0 * 1e6,
        dur: Math.max(0, (e.t1 - e.t0) * 1e6),
        args: { iteration: e.it },
      });
      const span = iters.get(e.it);
      if (!span) iters.set(e.it, { t0: e.t0, t1: e.t1 });
      else {
        span.t0 = Math.min(span.t0, e.t0);
        span.t1 = Math.max(span.t1, e.t1);
      }
    }
    for (const [it, s] of [...iters.entries()].sort((a, b) => a[0] - b[0])) {
      out.push({ name: `iteration ${it}`, ph: "X", pid, tid: 2, ts: s.t0 * 1e6, dur: (s.t1 - s.t0) * 1e6 });
    }
  }
  return { traceEvents: out, displayTimeUnit: "ms" };
}
