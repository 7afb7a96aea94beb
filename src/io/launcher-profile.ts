/**
 * `dagpipe profile`: times every op of a graph in PyTorch (runtime/dagpipe_runtime/profiler.py) and returns the
 * graph with each op's measured `profile` (forward / backward seconds by micro-batch size). Ops the runtime
 * cannot build (`opaque`) keep whatever profile they had.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Graph, Op, ProfilePoint } from "../graph/types.js";
import { lineSplitter, parseMessage, type WorkerEvent } from "./launcher.js";
import { pythonEnv } from "./python-probe.js";

export type ProfileDevice = "cpu" | "cuda";
export type ProfilePrecision = "float32" | "float16" | "bfloat16";
/** auto = CPU time on a CPU with one thread (robust to other jobs on the machine), else wall time. */
export type ProfileTimer = "auto" | "wall" | "cpu";

export interface ProfileSettings {
  readonly device: ProfileDevice;
  readonly batches: readonly number[];
  readonly warmup: number;
  readonly reps: number;
  readonly threads: number;
  readonly precision: ProfilePrecision;
  readonly timer: ProfileTimer;
}

/** What the profiler writes (see profiler.py). */
export interface ProfilerOutput {
  readonly device: string;
  readonly threads: number;
  readonly dtype: string;
  readonly timer: "wall" | "cpu";
  readonly autogradCallSec: number;
  readonly ops: Readonly<Record<string, { readonly points: readonly ProfilePoint[] }>>;
}

/** The precision that matches how the graph trains: mixed precision on GPUs, float32 on CPUs. */
export function defaultPrecision(graph: Graph, device: ProfileDevice): ProfilePrecision {
  if (device === "cpu" || graph.dtype === "fp32") return "float32";
  return graph.dtype === "bf16" ? "bfloat16" : "float16";
}

/** The graph with the measured profiles attached (pure). */
export function attachProfiles(graph: Graph, out: ProfilerOutput): Graph {
  const ops: Op[] = graph.ops.map((op) => {
    const measured = out.ops[op.id];
    if (!measured || measured.points.length === 0) return op;
    const points = [...measured.points].sort((a, b) => a.microBatch - b.microBatch);
    return { ...op, profile: { device: out.device, points } };
  });
  return { ...graph, ops };
}

export interface ProfileRun {
  readonly ok: boolean;
  readonly output?: ProfilerOutput;
  readonly error?: string;
}

export function runProfiler(
  python: string,
  graph: Graph,
  settings: ProfileSettings,
  env: Readonly<Record<string, string | undefined>>,
  onEvent: (ev: WorkerEvent) => void,
  onLog: (line: string) => void,
): Promise<ProfileRun> {
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-profile-"));
  const graphFile = join(dir, "graph.json");
  const outFile = join(dir, "profile.json");
  writeFileSync(graphFile, JSON.stringify(graph));
  const args = [
    "-m",
    "dagpipe_runtime",
    "profile",
    "--graph",
    graphFile,
    "--out",
    outFile,
    "--device",
    settings.device,
    "--batches",
    settings.batches.join(","),
    "--warmup",
    String(settings.warmup),
    "--reps",
    String(settings.reps),
    "--threads",
    String(settings.threads),
    "--dtype",
    settings.precision,
    "--timer",
    settings.timer,
  ];
  return new Promise<ProfileRun>((resolve) => {
    const child = spawn(python, args, { env: pythonEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let errTail: string[] = [];
    let error: string | undefined;
    // Only complete lines are reported (no end() on close), as before.
    const out = lineSplitter((line) => {
      const ev = parseMessage(line);
      if (!ev) return onLog(line);
      if (ev.event === "error" && typeof ev["message"] === "string") error = ev["message"];
      onEvent(ev);
    });
    const err = lineSplitter((line) => {
      errTail = [...errTail.slice(-20), line];
      onLog(line);
    });
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ ok: false, error: e.message });
    });
    child.on("close", (code) => {
      try {
        if (code !== 0) {
          resolve({ ok: false, error: error ?? (errTail.slice(-3).join("\n") || `exit code ${code}`) });
          return;
        }
        resolve({ ok: true, output: JSON.parse(readFileSync(outFile, "utf8")) as ProfilerOutput });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
