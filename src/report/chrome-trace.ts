/**
 * SimResult → Chrome Trace Event JSON (opens in Perfetto and chrome://tracing): one process per device, one
 * thread per stream (compute, all-reduce, send→dX, recv←dX), complete ("X") events in microseconds, and a
 * "memory" counter track per device. The text comes out in chunks so a run with millions of events never
 * needs one giant string; joined, the chunks are one valid JSON document (every name goes through
 * JSON.stringify, every number is finite). The result must have been simulated with `recordEvents`.
 */
import type { SimEvent, SimResult } from "../sim/types.js";

export interface TraceOptions {
  /** Events per chunk (default 2,000). */
  readonly chunkEvents?: number;
  /** Title kept in the trace's metadata. */
  readonly title?: string;
}

const US = 1e6;

/** Microseconds with nanosecond resolution, always finite. */
function us(sec: number): number {
  const v = Math.round(sec * US * 1000) / 1000;
  return Number.isFinite(v) ? v : 0;
}

function streamOrder(name: string): number {
  if (name === "compute") return 0;
  if (name === "allreduce") return 1;
  return name.startsWith("recv") ? 3 : 2;
}

export function* chromeTraceChunks(result: SimResult, options: TraceOptions = {}): Generator<string> {
  const chunk = Math.max(1, options.chunkEvents ?? 2000);
  const events = result.events ?? [];
  // Thread ids per (device, stream), in a stable order: compute, all-reduce, sends, receives by peer.
  const streams = new Map<number, Set<string>>();
  for (const e of events) {
    let set = streams.get(e.device);
    if (!set) {
      set = new Set();
      streams.set(e.device, set);
    }
    set.add(e.stream);
  }
  const tid = new Map<string, number>();
  const meta: string[] = [];
  const stagesOf = new Map(result.devices.map((d) => [d.device, d.stages]));
  for (const device of [...streams.keys()].sort((a, b) => a - b)) {
    const names = [...streams.get(device)!].sort((a, b) => streamOrder(a) - streamOrder(b) || a.localeCompare(b));
    const label = `device ${device}${stagesOf.has(device) ? ` (${stagesOf.get(device)!.join(", ")})` : ""}`;
    meta.push(JSON.stringify({ name: "process_name", ph: "M", pid: device, tid: 0, args: { name: label } }));
    meta.push(
      JSON.stringify({ name: "process_sort_index", ph: "M", pid: device, tid: 0, args: { sort_index: device } }),
    );
    names.forEach((name, i) => {
      tid.set(`${device}\u0000${name}`, i);
      meta.push(JSON.stringify({ name: "thread_name", ph: "M", pid: device, tid: i, args: { name } }));
      meta.push(JSON.stringify({ name: "thread_sort_index", ph: "M", pid: device, tid: i, args: { sort_index: i } }));
    });
  }
  const other = {
    schedule: result.schedule,
    status: result.status,
    iterationSec: result.iterationSec,
    samplesPerSec: result.samplesPerSec,
    ...(options.title ? { title: options.title } : {}),
  };
  yield `{"displayTimeUnit":"ms","otherData":${JSON.stringify(other)},"traceEvents":[\n`;
  let first = true;
  let buf: string[] = [];
  const emit = (s: string) => {
    buf.push(first ? s : `,\n${s}`);
    first = false;
  };
  for (const m of meta) emit(m);
  const flush = function* () {
    if (buf.length > 0) {
      yield buf.join("");
      buf = [];
    }
  };
  let n = 0;
  for (const e of events) {
    emit(eventJson(e, tid.get(`${e.device}\u0000${e.stream}`) ?? 0));
    if (++n % chunk === 0) yield* flush();
  }
  for (const m of result.memory ?? []) {
    emit(
      `{"name":"memory","ph":"C","pid":${m.device},"tid":0,"ts":${us(m.atSec)},"args":{"bytes":${Number.isFinite(m.bytes) ? m.bytes : 0}}}`,
    );
    if (++n % chunk === 0) yield* flush();
  }
  yield* flush();
  yield "\n]}\n";
}

function eventJson(e: SimEvent, tid: number): string {
  const ts = us(e.startSec);
  const dur = Math.max(0, us(e.endSec) - ts);
  return `{"name":${JSON.stringify(e.action)},"cat":${JSON.stringify(e.kind)},"ph":"X","pid":${e.device},"tid":${tid},"ts":${ts},"dur":${Math.round(dur * 1000) / 1000}}`;
}

/** The whole trace as one string (small runs and tests). */
export function chromeTrace(result: SimResult, options: TraceOptions = {}): string {
  return [...chromeTraceChunks(result, options)].join("");
}
