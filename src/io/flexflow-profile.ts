/**
 * A FlexFlow / GraphPipe `profile.json` (the op profiler of GraphPipe's artifact, research note
 * graphpipe.md §1.5) → a dagpipe Graph whose ops carry measured profiles. The file is one object keyed by
 * op id:
 *
 *   { "3": { "name": "linear_3", "inputs": [2], "input_size": [4096], "weight_size": 16781312,
 *            "runtime": { "1": 0.21, "2": 0.25, "4": 0.31 }, "reserved_mem": { "1": 0, "2": 0, "4": 0 } } }
 *
 * `inputs` are producer op ids, `input_size` the per-sample bytes of each input, `weight_size` bytes,
 * `runtime` milliseconds of forward + backward per batch size, `reserved_mem` workspace bytes per batch size.
 *
 * What the file does not say is derived and documented here:
 * - fwd/bwd split: the profiler measures both together. Ops with weights are split 1 : 2 (backward computes
 *   the input and the weight gradient, each as large as the forward), ops without weights 1 : 1.
 * - an op's output bytes per sample are what its consumers say they read from it (`input_size`), or its
 *   own `output_size` when the file has one; an op nobody reads and without `output_size` outputs 0 bytes.
 * - saved activations per sample = the bytes of its inputs (GraphPipe's memory model keeps stage inputs).
 * - workspace per sample = `reserved_mem` at the largest profiled batch, divided by that batch.
 * - parameters = weight_size / element size of the dtype (fp32 unless told otherwise: FlexFlow profiles in fp32).
 * - ops with no producer read a graph input: each gets an `input` op of the size it reads.
 * Ops are `opaque` (FlexFlow's names do not say the attributes the runtime would need) with explicit numbers.
 */
import { z } from "zod";
import { buildGraph, type OpSpec } from "../graph/op-kinds/index.js";
import { DTYPE_BYTES, type Dtype, type Graph, type ProfilePoint } from "../graph/types.js";
import { fail, type Issue, ok, type PathSegment, type Result } from "../util/issues.js";
import { locateIssues, parseJsonText } from "../util/json-text.js";
import { zodIssues } from "../util/zod-issues.js";

export interface FlexflowProfileOptions {
  readonly dtype?: Dtype;
  /** Device the profile was measured on, recorded in each op's profile. */
  readonly device?: string;
}

const bytes = z.number().nonnegative();
const opId = z.union([z.number().int().nonnegative(), z.string().min(1)]);
const byBatch = z.record(z.string().regex(/^[1-9]\d*$/, "a positive batch size"), z.number().nonnegative());

const opSchema = z.looseObject({
  name: z.string().optional(),
  inputs: z.array(opId),
  input_size: z.array(bytes).optional(),
  output_size: z.union([bytes, z.array(bytes)]).optional(),
  weight_size: bytes.optional(),
  runtime: byBatch,
  reserved_mem: byBatch.optional(),
});

const profileSchema = z.record(z.string(), opSchema);
type ProfileOp = z.infer<typeof opSchema>;

/** True for text that starts a JSON object of ops with FlexFlow's profile fields. */
export function looksLikeFlexflowProfile(headText: string): boolean {
  return (
    /^\s*\{/.test(headText.replace(/^\uFEFF/, "")) &&
    /"runtime"\s*:\s*\{/.test(headText) &&
    /"(weight_size|input_size)"\s*:/.test(headText)
  );
}

function points(op: ProfileOp): ProfilePoint[] {
  const withWeights = (op.weight_size ?? 0) > 0;
  const fwdShare = withWeights ? 1 / 3 : 1 / 2;
  return Object.entries(op.runtime)
    .map(([b, ms]) => ({ microBatch: Number(b), fwdSec: (ms / 1000) * fwdShare, bwdSec: (ms / 1000) * (1 - fwdShare) }))
    .sort((a, b) => a.microBatch - b.microBatch);
}

function workspacePerSample(op: ProfileOp): number {
  const entries = Object.entries(op.reserved_mem ?? {}).map(([b, v]) => [Number(b), v] as const);
  if (entries.length === 0) return 0;
  const [batch, reserved] = entries.reduce((best, e) => (e[0] > best[0] ? e : best));
  return reserved / batch;
}

export function readFlexflowProfile(text: string, file: string, options: FlexflowProfileOptions = {}): Result<Graph> {
  const parsed = parseJsonText(text, file);
  if (!parsed.ok) return parsed;
  const data = parsed.value;
  const checked = profileSchema.safeParse(data);
  if (!checked.success) return fail(locateIssues(text, zodIssues(checked.error, data), file));
  const ops = checked.data;
  const keys = Object.keys(ops);
  const issues: Omit<Issue, "file">[] = [];
  if (keys.length === 0) {
    return fail([{ code: "empty-graph", message: "the profile has no ops", file, path: [] }]);
  }
  const dtype = options.dtype ?? "fp32";
  const elemBytes = DTYPE_BYTES[dtype];

  // Output bytes of each op: what its readers say they read (they must agree), else its own output_size.
  const outBytes = new Map<string, number>();
  const outFrom = new Map<string, readonly PathSegment[]>();
  for (const key of keys) {
    const op = ops[key] as ProfileOp;
    const sizes = op.input_size;
    if (sizes && sizes.length !== op.inputs.length && !(op.inputs.length === 0 && sizes.length > 0)) {
      issues.push({
        code: "shape-mismatch",
        message: `op ${key} lists ${op.inputs.length} inputs but ${sizes.length} input sizes`,
        path: [key, "input_size"],
        expected: `${op.inputs.length} sizes`,
        got: `${sizes.length} sizes`,
      });
      continue;
    }
    op.inputs.forEach((src, j) => {
      const from = String(src);
      if (!Object.hasOwn(ops, from)) {
        issues.push({
          code: "unknown-input",
          message: `op ${key} reads op ${from}, which the profile does not have`,
          path: [key, "inputs", j],
          got: from,
        });
        return;
      }
      const size = sizes?.[j];
      if (size === undefined) return;
      const seen = outBytes.get(from);
      if (seen !== undefined && seen !== size) {
        issues.push({
          code: "shape-mismatch",
          message: `op ${key} reads ${size} bytes per sample from op ${from}, but ${JSON.stringify(outFrom.get(from))} reads ${seen}`,
          path: [key, "input_size", j],
          expected: `${seen} bytes`,
          got: `${size} bytes`,
        });
        return;
      }
      outBytes.set(from, size);
      outFrom.set(from, [key, "input_size", j]);
    });
  }
  if (issues.length > 0) return fail(locateIssues(text, issues, file));

  const specs: OpSpec[] = [];
  for (const key of keys) {
    const op = ops[key] as ProfileOp;
    const inputs = op.inputs.map(String);
    if (inputs.length === 0) {
      const n = (op.input_size ?? []).reduce((s, v) => s + v, 0);
      specs.push({
        id: `input:${key}`,
        kind: "input",
        inputs: [],
        attrs: { dtype: "float" },
        outShape: [Math.max(1, Math.ceil(n / elemBytes))],
        outBytesPerSample: n,
      });
      inputs.push(`input:${key}`);
    }
    const own = op.output_size;
    const out = outBytes.get(key) ?? (Array.isArray(own) ? own.reduce((s, v) => s + v, 0) : (own ?? 0));
    const weightBytes = op.weight_size ?? 0;
    specs.push({
      id: key,
      ...(op.name !== undefined ? { name: op.name } : {}),
      kind: "opaque",
      inputs,
      attrs: { op: op.name ?? "profiled" },
      outShape: [Math.max(1, Math.ceil(out / elemBytes))],
      outBytesPerSample: out,
      params: Math.round(weightBytes / elemBytes),
      paramBytes: weightBytes,
      fwdFlopsPerSample: 0,
      bwdFlopsPerSample: 0,
      savedBytesPerSample: (op.input_size ?? []).reduce((s, v) => s + v, 0),
      workspaceBytesPerSample: workspacePerSample(op),
      profile: { ...(options.device ? { device: options.device } : {}), points: points(op) },
    });
  }
  const built = buildGraph(baseName(file), dtype, specs, { format: "flexflow-profile", file });
  if (!built.ok) {
    // Cycles are the one problem left for the builder to find; point at the profile's op, not at ops[i].
    return fail(
      locateIssues(
        text,
        built.issues.map((i) => {
          const index = i.path?.[0] === "ops" && typeof i.path[1] === "number" ? i.path[1] : undefined;
          const spec = index !== undefined ? specs[index] : undefined;
          return { ...i, path: spec ? [spec.id.replace(/^input:/, "")] : [] };
        }),
        file,
      ),
    );
  }
  return ok(built.value);
}

function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/\.json$/i, "") || "profile";
}
