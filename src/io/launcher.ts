/**
 * Starts one Python worker per rank (`python -m dagpipe_runtime worker --job JOB`) the way torchrun would
 * (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), relays their messages, and watches their exits.
 *
 * Failure handling: the first worker to exit abnormally stops the run. The launcher waits a short moment for
 * other exits (a killed worker makes its peers fail on the broken connection right after it), names as the
 * cause the worker that died of a signal or without reporting an error itself — else the first one — then
 * sends SIGTERM to the rest and SIGKILL after `killGraceMs`. It never waits on a worker that may hang.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createServer } from "node:net";
import { pythonEnv } from "./python-probe.js";

/** A message a worker printed (`@dagpipe {json}` on stdout). */
export interface WorkerEvent {
  readonly event: string;
  readonly rank?: number;
  readonly [key: string]: unknown;
}

export interface WorkerExit {
  readonly rank: number;
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: string | null;
  /** The `error` message the worker reported before exiting, if any. */
  readonly reported?: string;
}

export interface LaunchOptions {
  readonly python: string;
  readonly args: readonly string[];
  readonly procs: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onEvent: (ev: WorkerEvent, rank: number) => void;
  /** Anything else a worker printed (stdout lines that are not messages, and stderr), line by line. */
  readonly onLog: (rank: number, line: string) => void;
  readonly onStart?: (rank: number, pid: number | undefined) => void;
  readonly killGraceMs?: number;
  /** How long to wait, after the first abnormal exit, for others before choosing the cause. */
  readonly settleMs?: number;
  readonly masterPort?: number;
}

export interface LaunchResult {
  readonly ok: boolean;
  readonly exits: readonly WorkerExit[];
  /** The worker blamed for a failed run. */
  readonly cause?: WorkerExit;
}

export const MESSAGE_PREFIX = "@dagpipe ";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Splits a byte stream into lines (a partial last line waits for the rest). */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let buf = "";
  return {
    push(chunk) {
      buf += chunk.toString("utf8");
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
      }
    },
    end() {
      if (buf.length > 0) onLine(buf);
      buf = "";
    },
  };
}

export function parseMessage(line: string): WorkerEvent | undefined {
  if (!line.startsWith(MESSAGE_PREFIX)) return undefined;
  try {
    const v = JSON.parse(line.slice(MESSAGE_PREFIX.length)) as unknown;
    if (typeof v === "object" && v !== null && typeof (v as { event?: unknown }).event === "string") {
      return v as WorkerEvent;
    }
  } catch {
    // not a message after all: shown as a log line
  }
  return undefined;
}

/** The cause among abnormal exits: killed by a signal, else exited without reporting an error, else first. */
export function chooseCause(abnormal: readonly WorkerExit[]): WorkerExit | undefined {
  return abnormal.find((e) => e.signal !== null) ?? abnormal.find((e) => e.reported === undefined) ?? abnormal[0];
}

export async function launchWorkers(opts: LaunchOptions): Promise<LaunchResult> {
  const port = opts.masterPort ?? (await freePort());
  const grace = opts.killGraceMs ?? 2000;
  const settle = opts.settleMs ?? 300;
  const baseEnv = pythonEnv(opts.env);
  const children: ChildProcessWithoutNullStreams[] = [];
  const exits: WorkerExit[] = [];
  const abnormal: WorkerExit[] = [];
  const reported = new Map<number, string>();
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;

  return new Promise<LaunchResult>((resolve) => {
    let open = opts.procs;
    const stopOthers = () => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
        killTimer = setTimeout(() => {
          for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
        }, grace);
      }, settle);
    };
    const finish = () => {
      if (killTimer) clearTimeout(killTimer);
      const ok = abnormal.length === 0;
      resolve(ok ? { ok, exits } : { ok, exits, cause: chooseCause(abnormal) });
    };
    for (let rank = 0; rank < opts.procs; rank++) {
      const env = {
        ...baseEnv,
        RANK: String(rank),
        LOCAL_RANK: String(rank),
        WORLD_SIZE: String(opts.procs),
        LOCAL_WORLD_SIZE: String(opts.procs),
        MASTER_ADDR: "127.0.0.1",
        MASTER_PORT: String(port),
      };
      const child = spawn(opts.python, ["-m", "dagpipe_runtime", ...opts.args], { env, stdio: "pipe" });
      children.push(child);
      child.stdin.end();
      opts.onStart?.(rank, child.pid);
      const out = lineSplitter((line) => {
        const ev = parseMessage(line);
        if (!ev) {
          opts.onLog(rank, line);
          return;
        }
        if (ev.event === "error" && typeof ev["message"] === "string") reported.set(rank, ev["message"]);
        opts.onEvent(ev, rank);
      });
      const err = lineSplitter((line) => opts.onLog(rank, line));
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d: Buffer) => err.push(d));
      child.on("error", (e) => {
        opts.onLog(rank, `cannot start ${opts.python}: ${e.message}`);
      });
      child.on("close", (code, signal) => {
        out.end();
        err.end();
        const msg = reported.get(rank);
        const exit: WorkerExit = {
          rank,
          pid: child.pid,
          code,
          signal,
          ...(msg !== undefined ? { reported: msg } : {}),
        };
        exits.push(exit);
        if (code !== 0 || signal !== null) {
          // A worker we stopped ourselves is not a cause.
          if (!stopping || abnormal.length === 0 || !wasStoppedByUs(exit)) abnormal.push(exit);
          stopOthers();
        }
        open--;
        if (open === 0) finish();
      });
    }
  });

  function wasStoppedByUs(e: WorkerExit): boolean {
    return e.signal === "SIGTERM" || e.signal === "SIGKILL";
  }
}
