/**
 * One execution of a job: write the job file, start the workers, stream iterations, and collect what they
 * measured (iteration records, per-rank events for the trace). Also the single-process reference run that
 * `--verify` compares against. Node-side I/O only; the decisions live in the job (launcher-job.ts).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type LaunchResult, launchWorkers, parseMessage, type WorkerEvent, type WorkerExit } from "./launcher.js";
import type { RunJob } from "./launcher-job.js";
import { IterationCollector, type IterationRecord, peakMemoryPerRank } from "./launcher-result.js";
import type { RankEvents } from "./launcher-trace.js";
import { pythonEnv } from "./python-probe.js";

/** Write through a temporary file in the same directory and rename: readers never see half a file. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

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
  };
}

export interface ParamComparison {
  readonly ok: boolean;
  readonly maxRelErr: number;
  readonly worst: string | null;
  readonly tensorsCompared: number;
  readonly elementsCompared: number;
  readonly referenceTensors: number;
  readonly referenceElements: number;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly reason?: string;
}

export interface ReferenceOutcome {
  readonly ok: boolean;
  readonly losses: readonly number[];
  readonly params?: ParamComparison;
  readonly error?: string;
}

/** Plain single-process training of the job's graph; with `compareDir`, compares its parameter dumps. */
export function runReference(
  python: string,
  job: RunJob,
  env: Readonly<Record<string, string | undefined>>,
  compareDir?: string,
): Promise<ReferenceOutcome> {
  return new Promise((resolve) => {
    const args = ["-m", "dagpipe_runtime", "reference", "--job", jobPath(job)];
    if (compareDir) args.push("--compare", compareDir);
    const child = spawn(python, args, { env: pythonEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    child.on("error", (e) => resolve({ ok: false, losses: [], error: e.message }));
    child.on("close", (code) => {
      const msg = out
        .split("\n")
        .map(parseMessage)
        .find((m) => m?.event === "reference");
      if (code !== 0 || !msg) {
        resolve({ ok: false, losses: [], error: err.trim().split("\n").slice(-3).join("\n") || `exit code ${code}` });
        return;
      }
      const params = msg["params"] as ParamComparison | undefined;
      resolve({ ok: true, losses: msg["losses"] as number[], ...(params ? { params } : {}) });
    });
  });
}
