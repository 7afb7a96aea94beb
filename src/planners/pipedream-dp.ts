/**
 * PipeDream's partitioning DP (SOSP'19, `optimizer/optimizer_graph_hierarchical.py`), with the formulas of its
 * code (pipedream.md §3.2, §3.4) — over a linear order of layers (contiguous cuts, as GraphPipe's comparison
 * ran it) instead of PipeDream's antichain states, which is what makes Inception-v3 tractable.
 *
 * One level (M machines, bandwidth B, n_in machines per component below; segment [i, j] inclusive):
 *   base(i, j, r) = [ C(i, j) + 4·(r − 1)·P(i, j) / (B·r·n_in) ] / r                one stage replicated r×
 *   A(i, j, R)    = min( base(i, j, R),
 *                        min_{i ≤ k < j, 1 ≤ r' < R} max( A(i, k, R − r'),
 *                              [ C(k+1, j) + 4·(r' − 1)·P(k+1, j) / (B·r') ] / r',
 *                              2·Out(k) / (B·r'),  2·Out(j) / (B·r') if j is not the last layer ) )
 * with compute and all-reduce added (not overlapped), PipeDream's constant 4 and extra 1/r, no n_in in the last
 * stage's term, activation transfers (compression ratio 1) max-ed in, splits tried in ascending k then r' with a
 * strict "<" (first minimum kept). Levels are solved bottom-up: after level ℓ, C(i, j) becomes A_ℓ(i, j, M_ℓ)
 * and n_in = M_ℓ; lower levels need every row i, the top level only i = 0. Optional memory filter (PipeDream's
 * `--use_memory_constraint` heuristic): ⌈(M − R)/r'⌉·(Act(k+1, j) + P(k+1, j)) ≤ memory.
 *
 * Cost: O(n³·M²) per lower level, O(n²·M²) for the top level; tables of n²·M entries per lower level.
 */

export interface PipeDreamLayers {
  /** Seconds of forward + backward of one (micro-)batch on one device, per layer, in pipeline order. */
  readonly computeSec: Float64Array;
  readonly paramBytes: Float64Array;
  /** Output activation bytes per layer (the stash heuristic of the memory filter). */
  readonly activationBytes: Float64Array;
  /** cutBytes[j]: bytes of the tensors crossing the cut after layer j (j = n−1: nothing). */
  readonly cutBytes: Float64Array;
}

export interface PipeDreamLevel {
  readonly machines: number;
  readonly bytesPerSec: number;
}

export interface PipeDreamOptions {
  /** Levels bottom-up (e.g. [{4 GPUs, NVLink}, {8 servers, InfiniBand}]). */
  readonly levels: readonly PipeDreamLevel[];
  /** `--straight_pipeline`: no replication. */
  readonly straight?: boolean;
  /** `--use_memory_constraint` with this memory per device. */
  readonly memoryBytes?: number;
  /** Largest replication allowed (e.g. the micro-batch size, so each replica gets a sample). */
  readonly maxReplicas?: number;
}

/** A stage of the result: layers [first, last] and its replication (devices = replicas at the bottom level). */
export interface PipeDreamStage {
  readonly first: number;
  readonly last: number;
  /** Replicas at each level, bottom-up; devices = their product. */
  readonly replicasPerLevel: readonly number[];
  /** Device indices (level-major numbering: within a node first). */
  readonly devices: readonly number[];
}

export interface PipeDreamResult {
  /** A_top(0, n−1, M_top): seconds per (micro-)batch of the slowest stage under PipeDream's model. */
  readonly pipelineSec: number;
  readonly stages: readonly PipeDreamStage[];
}

interface LevelTable {
  readonly M: number;
  /** time[(i·n + j)·(M+1) + r]; NaN = undefined. */
  readonly time: Float64Array;
  readonly splitK: Int32Array;
  readonly splitRest: Int32Array;
  readonly replicas: Int32Array;
  readonly rows: number;
}

function solveLevel(
  n: number,
  C: (i: number, j: number) => number,
  P: Float64Array,
  Act: Float64Array,
  cut: Float64Array,
  M: number,
  B: number,
  nIn: number,
  allRows: boolean,
  options: PipeDreamOptions,
  totalMachines: number,
): LevelTable {
  const rows = allRows ? n : 1;
  const S = M + 1;
  const size = rows * n * S;
  const time = new Float64Array(size).fill(Number.NaN);
  const splitK = new Int32Array(size).fill(-1);
  const splitRest = new Int32Array(size).fill(-1);
  const replicas = new Int32Array(size);
  const seg = (a: Float64Array, i: number, j: number) => a[j + 1]! - a[i]!;
  const maxR = Math.min(M, options.straight ? 1 : M, options.maxReplicas ?? M);
  const mem = options.memoryBytes;
  const at = (i: number, j: number, r: number) => (i * n + j) * S + r;
  /** The last stage [k+1, j] on r' replicas: compute + all-reduce, and the transfers into and out of it. */
  const lastStage = (k: number, j: number, rp: number) => {
    const pLast = seg(P, k + 1, j);
    let t = (C(k + 1, j) + (4 * (rp - 1) * pLast) / (B * rp)) / rp;
    t = Math.max(t, (2 * cut[k]!) / (B * rp));
    if (j < n - 1) t = Math.max(t, (2 * cut[j]!) / (B * rp));
    return t;
  };
  // Lower levels solve every row i, and the last stage's cost does not depend on i: tabulate it once (when the
  // memory filter, which depends on the machines to the right, is off and the table is small enough).
  let lastCost: Float64Array | undefined;
  if (allRows && mem === undefined && n * n * S <= 2e7) {
    lastCost = new Float64Array(n * n * S);
    for (let k = 0; k < n; k++) {
      for (let j = k + 1; j < n; j++)
        for (let rp = 1; rp <= Math.min(M, maxR); rp++) lastCost[(k * n + j) * S + rp] = lastStage(k, j, rp);
    }
  }
  for (let i = 0; i < rows; i++) {
    // base case for every segment starting at i
    for (let j = i; j < n; j++) {
      const c = C(i, j);
      const p = seg(P, i, j);
      for (let r = 1; r <= M; r++) {
        if (r > maxR) continue;
        if (mem !== undefined && Math.ceil((totalMachines - r) / r) * (seg(Act, i, j) + p) > mem) continue;
        const k = at(i, j, r);
        time[k] = (c + (4 * (r - 1) * p) / (B * r * nIn)) / r;
        replicas[k] = r;
      }
    }
    for (let R = 2; R <= M; R++) {
      for (let j = i + 1; j < n; j++) {
        const dst = at(i, j, R);
        let best = time[dst]!;
        let bestK = -1;
        let bestRest = -1;
        let bestRep = replicas[dst]!;
        for (let k = i; k < j; k++) {
          const base = (k * n + j) * S;
          for (let rp = 1; rp < R; rp++) {
            if (rp > maxR) break;
            const prev = time[at(i, k, R - rp)]!;
            if (Number.isNaN(prev)) continue;
            let t: number;
            if (lastCost) {
              t = Math.max(prev, lastCost[base + rp]!);
            } else {
              const pLast = seg(P, k + 1, j);
              if (mem !== undefined && Math.ceil((totalMachines - R) / rp) * (seg(Act, k + 1, j) + pLast) > mem)
                continue;
              t = Math.max(prev, lastStage(k, j, rp));
            }
            if (Number.isNaN(best) || t < best) {
              best = t;
              bestK = k;
              bestRest = R - rp;
              bestRep = rp;
            }
          }
        }
        time[dst] = best;
        splitK[dst] = bestK;
        splitRest[dst] = bestRest;
        replicas[dst] = bestRep;
      }
    }
  }
  return { M, time, splitK, splitRest, replicas, rows };
}

/** Stages of segment [i, j] with r machines of a level, read from its table (row i must be present). */
function readStages(
  t: LevelTable,
  n: number,
  i: number,
  j: number,
  r: number,
): { first: number; last: number; replicas: number }[] {
  const S = t.M + 1;
  const out: { first: number; last: number; replicas: number }[] = [];
  let end = j;
  let rest = r;
  for (;;) {
    const k = (i * n + end) * S + rest;
    const split = t.splitK[k]!;
    if (split < 0) {
      out.push({ first: i, last: end, replicas: t.replicas[k]! });
      break;
    }
    out.push({ first: split + 1, last: end, replicas: t.replicas[k]! });
    end = split;
    rest = t.splitRest[k]!;
  }
  return out.reverse();
}

export function pipedreamPartition(layers: PipeDreamLayers, options: PipeDreamOptions): PipeDreamResult | undefined {
  const n = layers.computeSec.length;
  if (n === 0 || options.levels.length === 0) return undefined;
  const prefix = (a: Float64Array) => {
    const p = new Float64Array(a.length + 1);
    for (let i = 0; i < a.length; i++) p[i + 1] = p[i]! + a[i]!;
    return p;
  };
  const Cp = prefix(layers.computeSec);
  const P = prefix(layers.paramBytes);
  const Act = prefix(layers.activationBytes);
  const total = options.levels.reduce((a, l) => a * l.machines, 1);
  const tables: LevelTable[] = [];
  let C: (i: number, j: number) => number = (i, j) => Cp[j + 1]! - Cp[i]!;
  let nIn = 1;
  options.levels.forEach((level, li) => {
    const top = li === options.levels.length - 1;
    const t = solveLevel(n, C, P, Act, layers.cutBytes, level.machines, level.bytesPerSec, nIn, !top, options, total);
    tables.push(t);
    const S = level.machines + 1;
    const Mk = level.machines;
    C = (i, j) => t.time[(i * n + j) * S + Mk]!;
    nIn = level.machines;
  });
  const top = tables[tables.length - 1]!;
  const topM = options.levels[options.levels.length - 1]!.machines;
  const pipelineSec = top.time[(n - 1) * (topM + 1) + topM]!;
  if (Number.isNaN(pipelineSec)) return undefined;
  // Read top-down: each level's stage is re-partitioned by the level below with all of its machines. Devices are
  // numbered level-major (device = Σ index_ℓ · Π_{ℓ' < ℓ} M_ℓ'): a stage takes consecutive machines at every level.
  interface Open {
    first: number;
    last: number;
    reps: number[];
    /** Per level above the current one (bottom-up order of the levels already read), the machines taken. */
    machines: number[][];
  }
  let cursor = 0;
  let stages: Open[] = readStages(top, n, 0, n - 1, topM).map((s) => {
    const taken = Array.from({ length: s.replicas }, (_, q) => cursor + q);
    cursor += s.replicas;
    return { first: s.first, last: s.last, reps: [s.replicas], machines: [taken] };
  });
  for (let li = tables.length - 2; li >= 0; li--) {
    const t = tables[li]!;
    const Mk = options.levels[li]!.machines;
    const next: Open[] = [];
    for (const s of stages) {
      if (Number.isNaN(t.time[(s.first * n + s.last) * (Mk + 1) + Mk]!)) return undefined;
      let local = 0;
      for (const sub of readStages(t, n, s.first, s.last, Mk)) {
        const taken = Array.from({ length: sub.replicas }, (_, q) => local + q);
        local += sub.replicas;
        next.push({
          first: sub.first,
          last: sub.last,
          reps: [sub.replicas, ...s.reps],
          machines: [taken, ...s.machines],
        });
      }
    }
    stages = next;
  }
  const strides: number[] = [];
  let stride = 1;
  for (const level of options.levels) {
    strides.push(stride);
    stride *= level.machines;
  }
  const devicesOf = (machines: number[][]): number[] => {
    let out = [0];
    machines.forEach((taken, level) => {
      const next: number[] = [];
      for (const base of out) for (const m of taken) next.push(base + m * strides[level]!);
      out = next;
    });
    return out.sort((x, y) => x - y);
  };
  return {
    pipelineSec,
    stages: stages.map((s) => ({
      first: s.first,
      last: s.last,
      replicasPerLevel: s.reps,
      devices: devicesOf(s.machines),
    })),
  };
}
