/**
 * The Cluster record (src/hardware/types.ts) as a strict zod schema, in base units (bytes, FLOP/s, seconds):
 * the shape a plan document embeds so that it is self-contained. Files people write use units in key names
 * instead (specs.ts, read by parse-cluster.ts, which converts once); this is the converted record.
 */
import { z } from "zod";
import { DEVICE_FAMILIES } from "./types.js";

const positive = z.number().positive();

export const linkRecordSchema = z.strictObject({ bytesPerSec: positive, latencySec: z.number().nonnegative() });

export const deviceRecordSchema = z.strictObject({
  name: z.string(),
  memBytes: positive,
  peakFlopsPerSec: z.strictObject({ fp32: positive, fp16: positive, bf16: positive }),
  memBytesPerSec: positive,
  family: z.enum(DEVICE_FAMILIES).optional(),
});

export const clusterRecordSchema = z.strictObject({
  name: z.string(),
  device: deviceRecordSchema,
  nodes: z.number().int().positive(),
  devicesPerNode: z.number().int().positive(),
  intra: linkRecordSchema,
  inter: linkRecordSchema,
  interNodeBytesPerSec: positive.optional(),
});
