/**
 * Finding a Python that has PyTorch, for `dagpipe run` and `dagpipe profile`.
 *
 * Order: `--python PATH`, else `$DAGPIPE_PYTHON`, else the candidates `python3`, `/usr/bin/python3`, `python`
 * (the first one that has torch). An explicitly named interpreter is never replaced by another: if it lacks
 * torch, that is the answer. Each candidate runs `python -m dagpipe_runtime probe` with the project's
 * `runtime/` on PYTHONPATH, so a success also proves the runtime package imports. The quick probe only
 * locates torch; `full` imports it to learn CUDA, gloo and NCCL availability.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface PythonInfo {
  readonly python: string;
  readonly version: string;
  readonly torch: string;
  /** null unless probed with `full` (which imports torch: seconds on a slow disk). */
  readonly cuda: boolean | null;
  readonly cudaDevices: number | null;
  readonly gloo: boolean | null;
  readonly nccl: boolean | null;
}

export interface ProbeAttempt {
  readonly python: string;
  /** Why it was not taken: not found, no torch, timed out, … */
  readonly why: string;
}

export type ProbeOutcome =
  | { readonly ok: true; readonly info: PythonInfo; readonly tried: readonly ProbeAttempt[] }
  | { readonly ok: false; readonly tried: readonly ProbeAttempt[]; readonly source: "option" | "env" | "search" };

export const DEFAULT_CANDIDATES: readonly string[] = ["python3", "/usr/bin/python3", "python"];

/** The Python package directory (`<repo>/runtime`), from src/io or dist/io alike. */
export function runtimeDir(): string {
  return fileURLToPath(new URL("../../runtime/", import.meta.url));
}

/** Environment for any Python the runtime spawns: the runtime package importable, bytecode not written. */
export function pythonEnv(base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  const dir = runtimeDir();
  env["PYTHONPATH"] = env["PYTHONPATH"] ? `${dir}:${env["PYTHONPATH"]}` : dir;
  env["PYTHONDONTWRITEBYTECODE"] = "1";
  env["PYTHONUNBUFFERED"] = "1";
  return env;
}

export interface ProbeOptions {
  readonly explicit?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly candidates?: readonly string[];
  readonly timeoutMs?: number;
  /** Import torch (to learn CUDA / gloo / NCCL); default: only locate it. */
  readonly full?: boolean;
}

export async function findTorchPython(opts: ProbeOptions): Promise<ProbeOutcome> {
  const fromEnv = opts.env["DAGPIPE_PYTHON"];
  const source = opts.explicit ? "option" : fromEnv ? "env" : "search";
  const list = opts.explicit ? [opts.explicit] : fromEnv ? [fromEnv] : (opts.candidates ?? DEFAULT_CANDIDATES);
  const tried: ProbeAttempt[] = [];
  for (const python of list) {
    const r = await probeOne(python, opts.env, opts.timeoutMs ?? 60_000, Boolean(opts.full));
    if (r.ok) return { ok: true, info: r.info, tried };
    tried.push({ python, why: r.why });
  }
  return { ok: false, tried, source };
}

type OneProbe = { ok: true; info: PythonInfo } | { ok: false; why: string };

function probeOne(python: string, env: Readonly<Record<string, string | undefined>>, timeoutMs: number, full: boolean) {
  return new Promise<OneProbe>((resolve) => {
    if (python.includes("/") && !existsSync(python)) {
      resolve({ ok: false, why: "not found" });
      return;
    }
    let out = "";
    let err = "";
    const child = spawn(python, ["-m", "dagpipe_runtime", "probe", ...(full ? ["--full"] : [])], {
      env: pythonEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, why: e.code === "ENOENT" ? "not found" : e.message });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal) {
        resolve({ ok: false, why: `probe killed (${signal}) after ${timeoutMs / 1000} s` });
        return;
      }
      const info = parseProbe(out);
      if (code === 0 && info && typeof info.torch === "string") {
        resolve({ ok: true, info: info as unknown as PythonInfo });
      } else if (info && info.torch === null) {
        resolve({ ok: false, why: `no torch (${String(info.error ?? "import failed")})` });
      } else {
        const last = err.trim().split("\n").pop() ?? "";
        resolve({ ok: false, why: last || `exit code ${code}` });
      }
    });
  });
}

function parseProbe(text: string): Record<string, unknown> | undefined {
  const line = text.trim().split("\n").pop();
  if (!line) return undefined;
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The one message users see when no interpreter with torch was found. */
export function noTorchMessage(outcome: Extract<ProbeOutcome, { ok: false }>, command: string): string {
  const tried = outcome.tried.map((t) => `  ${t.python}: ${t.why}`).join("\n");
  const how =
    outcome.source === "option"
      ? "the interpreter given with --python"
      : outcome.source === "env"
        ? "the interpreter in DAGPIPE_PYTHON"
        : "no Python on this machine";
  return [
    `dagpipe ${command}: needs Python 3 with PyTorch, and ${how} has none.`,
    "Tried:",
    tried,
    "Install PyTorch, e.g. on Debian/Ubuntu: sudo apt-get install python3-torch",
    "(or: python3 -m pip install torch), then run again, or point dagpipe at it with --python PATH or DAGPIPE_PYTHON.",
  ].join("\n");
}
