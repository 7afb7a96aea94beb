/**
 * Stage-level time and size sums that the simulator and planners share.
 * - stageTime: forward and backward time of a set of ops at one micro-batch size (sequential on one device).
 * - rangeTimes / rangeSizes: prefix sums over a fixed op order (a topological order), so that the sum over
 *   any contiguous range [from, to) is O(1) after O(n) setup — planners ask for millions of ranges. The
 *   largest workspace in a range uses a sparse table (O(n log n) setup, O(1) query).
 * Prefix differences round differently from a direct sum: expect agreement to ~1e-12 relative, not bitwise.
 */
import type { Op } from "../graph/types.js";
import { rangeMax } from "../util/range-max.js";
import type { CostModel, OpTime } from "./types.js";

export function stageTime(ops: readonly Op[], cost: CostModel, samples: number): OpTime {
  let fwdSec = 0;
  let bwdSec = 0;
  for (const op of ops) {
    const t = cost.opTime(op, samples);
    fwdSec += t.fwdSec;
    bwdSec += t.bwdSec;
  }
  return { fwdSec, bwdSec };
}

function checkRange(from: number, to: number, length: number): void {
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= length)) {
    throw new RangeError(`range [${from}, ${to}) is not inside [0, ${length}]`);
  }
}

function prefix(n: number, value: (i: number) => number): Float64Array {
  const p = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) p[i + 1] = p[i]! + value(i);
  return p;
}

/** Times of contiguous op ranges at one micro-batch size. Ranges are half-open index ranges [from, to). */
export interface RangeTimes {
  readonly samples: number;
  readonly length: number;
  fwdSec(from: number, to: number): number;
  bwdSec(from: number, to: number): number;
}

export function rangeTimes(ops: readonly Op[], cost: CostModel, samples: number): RangeTimes {
  const n = ops.length;
  const times = ops.map((op) => cost.opTime(op, samples));
  const fwd = prefix(n, (i) => times[i]!.fwdSec);
  const bwd = prefix(n, (i) => times[i]!.bwdSec);
  return {
    samples,
    length: n,
    fwdSec(from, to) {
      checkRange(from, to, n);
      return fwd[to]! - fwd[from]!;
    },
    bwdSec(from, to) {
      checkRange(from, to, n);
      return bwd[to]! - bwd[from]!;
    },
  };
}

/** Micro-batch-independent sums of contiguous op ranges (what stage memory needs). */
export interface RangeSizes {
  readonly length: number;
  params(from: number, to: number): number;
  paramBytes(from: number, to: number): number;
  savedBytesPerSample(from: number, to: number): number;
  fwdFlopsPerSample(from: number, to: number): number;
  bwdFlopsPerSample(from: number, to: number): number;
  /** Largest workspace of one op in the range (0 for an empty range). */
  maxWorkspaceBytesPerSample(from: number, to: number): number;
}

export function rangeSizes(ops: readonly Op[]): RangeSizes {
  const n = ops.length;
  const params = prefix(n, (i) => ops[i]!.params);
  const paramBytes = prefix(n, (i) => ops[i]!.paramBytes);
  const saved = prefix(n, (i) => ops[i]!.savedBytesPerSample);
  const fwdFlops = prefix(n, (i) => ops[i]!.fwdFlopsPerSample);
  const bwdFlops = prefix(n, (i) => ops[i]!.bwdFlopsPerSample);
  const maxWorkspace = rangeMax(Float64Array.from(ops, (op) => op.workspaceBytesPerSample ?? 0));
  const sum = (p: Float64Array) => (from: number, to: number) => {
    checkRange(from, to, n);
    return p[to]! - p[from]!;
  };
  return {
    length: n,
    params: sum(params),
    paramBytes: sum(paramBytes),
    savedBytesPerSample: sum(saved),
    fwdFlopsPerSample: sum(fwdFlops),
    bwdFlopsPerSample: sum(bwdFlops),
    maxWorkspaceBytesPerSample(from, to) {
      checkRange(from, to, n);
      return to === from ? 0 : maxWorkspace(from, to);
    },
  };
}
