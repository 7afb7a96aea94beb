/**
 * presets/families.json → efficiency curves per device family, in base units. Besides the shape, each curve
 * must have strictly increasing sizes, fractions that never fall, and a log–log slope ≤ 1 (efficiency.ts says
 * why); any violation is an issue naming the point.
 */
import { fail, type Issue, ok, type PathSegment, type Result } from "../util/issues.js";
import { type EfficiencyCurve, type EfficiencyPoint, segmentSlopes } from "./efficiency.js";
import { hardwareZodIssues, type ParseContext } from "./parse-device.js";
import { FamilySpecSchema } from "./specs.js";
import { DEVICE_FAMILIES, type DeviceFamily } from "./types.js";
import { BYTES_PER_MB, FLOP_PER_GFLOP, US_PER_SEC } from "./units.js";

export interface FamilyCurves {
  /** Fraction of the dtype's peak reached by one matrix kernel (GEMM, convolution) of `size` FLOPs. */
  readonly gemm: EfficiencyCurve;
  /** Fraction of the fp32 (CUDA-core) peak reached by a non-matrix op of `size` FLOPs. */
  readonly vector: EfficiencyCurve;
  /** Fraction of the memory bandwidth reached when an op moves `size` bytes. */
  readonly memory: EfficiencyCurve;
  /** Gap added per kernel launched (GPU-side launch and scheduling when the host runs ahead). */
  readonly kernelLaunchSec: number;
}

function checkCurve(
  points: readonly Record<string, number>[],
  sizeKey: string,
  scale: number,
  path: readonly PathSegment[],
  file: string | undefined,
): { curve: EfficiencyCurve; issues: Issue[] } {
  const issues: Issue[] = [];
  const at = (i: number, key: string): Issue["path"] => [...path, i, key];
  const withFile = file === undefined ? {} : { file };
  const curve: EfficiencyPoint[] = points.map((p) => ({ size: p[sizeKey]! * scale, fraction: p["fraction"]! }));
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    if (!(b.size > a.size)) {
      issues.push({
        code: "invalid-value",
        message: `${sizeKey} must increase from point to point`,
        path: at(i, sizeKey),
        expected: `> ${a.size / scale}`,
        got: String(b.size / scale),
        ...withFile,
      });
    } else if (b.fraction < a.fraction) {
      issues.push({
        code: "invalid-value",
        message: "efficiency must not fall as the size grows",
        path: at(i, "fraction"),
        expected: `≥ ${a.fraction}`,
        got: String(b.fraction),
        ...withFile,
      });
    }
  }
  if (issues.length === 0) {
    segmentSlopes(curve).forEach((k, i) => {
      if (k > 1 + 1e-12) {
        issues.push({
          code: "invalid-value",
          message:
            "efficiency may not grow faster than the size (log–log slope ≤ 1), or bigger work would finish sooner",
          path: at(i + 1, "fraction"),
          expected: `≤ ${(curve[i]!.fraction * curve[i + 1]!.size) / curve[i]!.size}`,
          got: String(curve[i + 1]!.fraction),
          ...withFile,
        });
      }
    });
  }
  return { curve, issues };
}

export function parseFamilies(
  json: unknown,
  ctx: ParseContext = {},
): Result<Readonly<Record<DeviceFamily, FamilyCurves>>> {
  const base = ctx.basePath ?? [];
  const withFile = ctx.file === undefined ? {} : { file: ctx.file };
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail([
      {
        code: "invalid-type",
        message: "families must be an object keyed by family",
        path: [...base],
        expected: "an object",
        ...withFile,
      },
    ]);
  }
  const issues: Issue[] = [];
  const out: Partial<Record<DeviceFamily, FamilyCurves>> = {};
  const entries = json as Record<string, unknown>;
  for (const key of Object.keys(entries)) {
    if (!(DEVICE_FAMILIES as readonly string[]).includes(key)) {
      issues.push({
        code: "unknown-field",
        message: `unknown device family "${key}"`,
        path: [...base, key],
        expected: DEVICE_FAMILIES.join(", "),
        ...withFile,
      });
    }
  }
  for (const family of DEVICE_FAMILIES) {
    const path = [...base, family];
    if (!(family in entries)) {
      issues.push({ code: "missing-field", message: `missing device family "${family}"`, path, ...withFile });
      continue;
    }
    const parsed = FamilySpecSchema.safeParse(entries[family]);
    if (!parsed.success) {
      issues.push(...hardwareZodIssues(parsed.error, entries[family], { ...ctx, basePath: path }));
      continue;
    }
    const spec = parsed.data;
    const gemm = checkCurve(spec.gemmEfficiency, "kernelGFLOP", FLOP_PER_GFLOP, [...path, "gemmEfficiency"], ctx.file);
    const vector = checkCurve(
      spec.vectorEfficiency,
      "opGFLOP",
      FLOP_PER_GFLOP,
      [...path, "vectorEfficiency"],
      ctx.file,
    );
    const memory = checkCurve(spec.memEfficiency, "movedMB", BYTES_PER_MB, [...path, "memEfficiency"], ctx.file);
    issues.push(...gemm.issues, ...vector.issues, ...memory.issues);
    out[family] = {
      gemm: gemm.curve,
      vector: vector.curve,
      memory: memory.curve,
      kernelLaunchSec: spec.kernelLaunchUs / US_PER_SEC,
    };
  }
  return issues.length > 0 ? fail(issues) : ok(out as Record<DeviceFamily, FamilyCurves>);
}
