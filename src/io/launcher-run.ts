/**
 * One execution of a job: write the job file, start the workers, stream iterations, and collect what they
 * measured (iteration records, per-rank events for the trace, and with `verify` the single-process reference
 * rank 0 trains afterwards). Node-side I/O only; the decisions live in the job (launcher-job.ts).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type LaunchResult, launchWorkers, type WorkerEvent, type WorkerExit } from "./launcher.js";
import type { RunJob } from "./launcher-job.js";
import { IterationCollector, type IterationRecord, peakMemoryPerRank } from "./launcher-result.js";
import type { RankEvents } from "./launcher-trace.js";
import { writeFileAtomic } from "./write-file-atomic.js";

export interface RunJobOptions {
  readonly python: string;
  readonly job: RunJob;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onIteration?: (rec: IterationRecord) => void;
  readonly onLog?: (rank: number, line: string) => void;
  readonly onStart?: (rank: number, pid: number | undefined) => void;
  readonly onEvent?: (ev: WorkerEvent, rank: number) => void;
}

export interface RunOutcome {
  readonly ok: boolean;
  readonly world: number;
  readonly iterations: readonly IterationRecord[];
  readonly peakMemBytes: readonly number[];
  readonly startIteration: number;
  readonly cause?: WorkerExit;
  readonly exits: readonly WorkerExit[];
  /** Per-rank action timings (from events-rank-<r>.json); empty when the run failed. */
  readonly rankEvents: readonly RankEvents[];
  /** Error messages the workers reported, by rank. */
  readonly errors: ReadonlyMap<number, string>;
  /** With job.verify: the single-process reference and the comparison. */
  readonly reference?: ReferenceOutcome;
}

export function jobPath(job: RunJob): string {
  return join(job.outDir, "job.json");
}

export async function runJob(opts: RunJobOptions): Promise<RunOutcome> {
  const { job } = opts;
  const world = job.ranks.length;
  mkdirSync(job.outDir, { recursive: true });
  const path = jobPath(job);
  writeFileAtomic(path, JSON.stringify(job));
  const collector = new IterationCollector(world);
  const errors = new Map<number, string>();
  let startIteration = 0;
  let reference: ReferenceOutcome | undefined;
  const result: LaunchResult = await launchWorkers({
    python: opts.python,
    args: ["worker", "--job", path],
    procs: world,
    env: opts.env,
    onStart: opts.onStart,
    onLog: (rank, line) => opts.onLog?.(rank, line),
    onEvent: (ev, rank) => {
      opts.onEvent?.(ev, rank);
      if (ev.event === "ready" && typeof ev["startIteration"] === "number") startIteration = ev["startIteration"];
      if (ev.event === "error" && typeof ev["message"] === "string") errors.set(rank, ev["message"]);
      if (ev.event === "reference") {
        reference = {
          losses: ev["losses"] as number[],
          params: ev["params"] as ParamComparison,
          sec: Number(ev["sec"]),
        };
      }
      const rec = collector.add(ev);
      if (rec) opts.onIteration?.(rec);
    },
  });
  const rankEvents: RankEvents[] = [];
  if (result.ok) {
    for (let r = 0; r < world; r++) {
      rankEvents.push(JSON.parse(readFileSync(join(job.outDir, `events-rank-${r}.json`), "utf8")) as RankEvents);
    }
  }
  return {
    ok: result.ok,
    world,
    iterations: collector.records,
    peakMemBytes: peakMemoryPerRank(collector.records, world),
    startIteration,
    ...(result.cause ? { cause: result.cause } : {}),
    exits: result.exits,
    rankEvents,
    errors,
    ...(reference ? { reference } : {}),
  };
}

export interface ParamComparison {
  readonly ok: boolean;
  readonly maxRelErr: number;
  readonly worst: string | null;
  readonly maxAbsErr: number;
  readonly maxTensorRelErr: number;
  readonly tensorsCompared: number;
  readonly elementsCompared: number;
  readonly referenceTensors: number;
  readonly referenceElements: number;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly reason?: string;
}

/** What rank 0 reports after a `verify` run: the reference losses and the parameter comparison. */
export interface ReferenceOutcome {
  readonly losses: readonly number[];
  readonly params: ParamComparison;
  /** Seconds the single-process training took. */
  readonly sec: number;
}
