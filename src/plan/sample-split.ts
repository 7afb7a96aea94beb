/**
 * Data parallelism inside a stage, defined once for the simulator, the schedules and the runtime: a micro-batch
 * of `samples` samples is split over a stage's `replicas` data-parallel replicas in contiguous sample ranges,
 * replica j getting [⌊j·samples/replicas⌋, ⌊(j+1)·samples/replicas⌋). Sizes differ by at most one and the larger
 * ranges come last (e.g. 10 samples over 4 replicas → 2, 3, 2, 3).
 *
 * Between two stages with different degrees, activations (forward) and their gradients (backward) travel
 * between the replicas whose sample ranges overlap, and the bytes of a transfer are proportional to the
 * overlap: `samples × bytesPerSample`. Example, 8 samples from 2 replicas to 4: replica 0 ([0,4)) sends [0,2)
 * to replica 0 and [2,4) to replica 1; replica 1 ([4,8)) sends [4,6) to replica 2 and [6,8) to replica 3.
 *
 * Preconditions (not checked, validatePlan does): samples ≥ replicas ≥ 1, integers.
 */

/** Half-open sample range [start, end) of one replica. */
export interface SampleRange {
  readonly start: number;
  readonly end: number;
}

export function replicaRange(samples: number, replicas: number, replica: number): SampleRange {
  return {
    start: Math.floor((replica * samples) / replicas),
    end: Math.floor(((replica + 1) * samples) / replicas),
  };
}

/** Samples replica `replica` of `replicas` gets from a micro-batch of `samples`. */
export function replicaSamples(samples: number, replicas: number, replica: number): number {
  return Math.floor(((replica + 1) * samples) / replicas) - Math.floor((replica * samples) / replicas);
}

export function replicaRanges(samples: number, replicas: number): SampleRange[] {
  const out: SampleRange[] = [];
  for (let j = 0; j < replicas; j++) out.push(replicaRange(samples, replicas, j));
  return out;
}

/** One piece of a micro-batch going from replica `from` of one stage to replica `to` of another. */
export interface ReplicaTransfer {
  readonly from: number;
  readonly to: number;
  /** The overlap of the two replicas' ranges (non-empty). */
  readonly start: number;
  readonly end: number;
  readonly samples: number;
}

/**
 * Every non-empty overlap between the ranges of `fromReplicas` and `toReplicas` replicas, ordered by sample
 * (so by `from`, then `to`). The samples of the pieces add up to `samples`, and each replica's pieces cover
 * exactly its own range. O(fromReplicas + toReplicas) (a merge of two sorted range lists).
 */
export function replicaTransfers(samples: number, fromReplicas: number, toReplicas: number): ReplicaTransfer[] {
  const out: ReplicaTransfer[] = [];
  let i = 0;
  let j = 0;
  while (i < fromReplicas && j < toReplicas) {
    const a = replicaRange(samples, fromReplicas, i);
    const b = replicaRange(samples, toReplicas, j);
    const start = Math.max(a.start, b.start);
    const end = Math.min(a.end, b.end);
    if (end > start) out.push({ from: i, to: j, start, end, samples: end - start });
    if (a.end <= b.end) i++;
    else j++;
  }
  return out;
}
