/** Device JSON (units in key names) → Device in base units. Strict: unknown keys and bad ranges are issues. */
import type { z } from "zod";
import { fail, type Issue, ok, type PathSegment, type Result } from "../util/issues.js";
import { zodIssues } from "../util/zod-issues.js";
import { type DeviceSpec, DeviceSpecSchema } from "./specs.js";
import type { Device } from "./types.js";
import { BYTES_PER_GB, BYTES_PER_GIB, FLOPS_PER_TFLOPS } from "./units.js";

export interface ParseContext {
  readonly file?: string;
  /** Where in the document this object sits (e.g. ["device"] inside a cluster file). */
  readonly basePath?: readonly PathSegment[];
}

/** zod's issues on hardware JSON: a number out of range is an invalid value here (not a bad-number). */
export function hardwareZodIssues(error: z.ZodError, json: unknown, ctx: ParseContext): Issue[] {
  return zodIssues(error, json, {
    rangeCode: "invalid-value",
    ...(ctx.file === undefined ? {} : { file: ctx.file }),
    ...(ctx.basePath === undefined ? {} : { basePath: ctx.basePath }),
  });
}

/** The one place where device units become base units. */
export function deviceFromSpec(spec: DeviceSpec, name: string): Device {
  return {
    name,
    memBytes: spec.memGiB * BYTES_PER_GIB,
    peakFlopsPerSec: {
      fp32: spec.peakTFLOPS.fp32 * FLOPS_PER_TFLOPS,
      fp16: spec.peakTFLOPS.fp16 * FLOPS_PER_TFLOPS,
      bf16: spec.peakTFLOPS.bf16 * FLOPS_PER_TFLOPS,
    },
    memBytesPerSec: spec.memBandwidthGBps * BYTES_PER_GB,
    ...(spec.family === undefined ? {} : { family: spec.family }),
  };
}

/**
 * Parses a device object. Its name comes from its `name` key or, for preset files keyed by name, from
 * `defaultName`; a device with neither is an issue.
 */
export function parseDevice(json: unknown, ctx: ParseContext & { defaultName?: string } = {}): Result<Device> {
  const parsed = DeviceSpecSchema.safeParse(json);
  if (!parsed.success) return fail(hardwareZodIssues(parsed.error, json, ctx));
  const name = parsed.data.name ?? ctx.defaultName;
  if (name === undefined) {
    const issue: Issue = {
      code: "missing-field",
      message: 'a device defined inline needs a "name"',
      path: [...(ctx.basePath ?? []), "name"],
      expected: "a string",
      ...(ctx.file === undefined ? {} : { file: ctx.file }),
    };
    return fail([issue]);
  }
  return ok(deviceFromSpec(parsed.data, name));
}
