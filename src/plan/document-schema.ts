/**
 * zod schemas of the plan document (docs/formats.md "Plan"): strict objects (unknown keys are issues), base
 * units in key names, ranges checked. The graph and cluster are stored as their in-memory records, so a plan
 * file is self-contained: `dagpipe simulate` and `dagpipe run` need nothing else.
 */
import { z } from "zod";
import { OP_KINDS, type OpKind } from "../graph/types.js";
import { SCHEDULE_KINDS, type ScheduleKind } from "./types.js";

const nonNegative = z.number().nonnegative();
const positive = z.number().positive();
const count = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();

const profileSchema = z.strictObject({
  device: z.string().optional(),
  points: z.array(z.strictObject({ microBatch: positiveInt, fwdSec: nonNegative, bwdSec: nonNegative })),
});

const opSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  kind: z.enum(OP_KINDS as [OpKind, ...OpKind[]]),
  inputs: z.array(z.string()),
  attrs: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.number())])),
  outShape: z.array(count),
  outBytesPerSample: nonNegative,
  params: count,
  paramBytes: nonNegative,
  fwdFlopsPerSample: nonNegative,
  bwdFlopsPerSample: nonNegative,
  savedBytesPerSample: nonNegative,
  workspaceBytesPerSample: nonNegative.optional(),
  profile: profileSchema.optional(),
});

export const graphSchema = z.strictObject({
  name: z.string(),
  dtype: z.enum(["fp32", "fp16", "bf16"]),
  ops: z.array(opSchema),
  source: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.number())])).optional(),
});

const linkSchema = z.strictObject({ bytesPerSec: positive, latencySec: nonNegative });

export const clusterSchema = z.strictObject({
  name: z.string(),
  device: z.strictObject({
    name: z.string(),
    memBytes: positive,
    peakFlopsPerSec: z.strictObject({ fp32: positive, fp16: positive, bf16: positive }),
    memBytesPerSec: positive,
    family: z.enum(["volta", "ampere", "hopper", "cpu", "generic"]).optional(),
  }),
  nodes: positiveInt,
  devicesPerNode: positiveInt,
  intra: linkSchema,
  inter: linkSchema,
  interNodeBytesPerSec: positive.optional(),
});

const stageSchema = z.strictObject({
  id: z.string().min(1),
  ops: z.array(z.string()),
  devices: z.array(count),
  dataParallel: positiveInt,
  tensorParallel: positiveInt,
  recompute: z.enum(["none", "full", "remat"]).optional(),
  rematCost: z.strictObject({ extraFwdFraction: nonNegative, savedBytesPerSample: nonNegative }).optional(),
});

export const planSchema = z.strictObject({
  stages: z.array(stageSchema),
  stageEdges: z.array(z.tuple([z.string(), z.string()])),
  microBatch: positiveInt,
  microBatches: positiveInt,
  schedule: z.enum(SCHEDULE_KINDS as [ScheduleKind, ...ScheduleKind[]]),
  virtualStages: positiveInt.optional(),
  optimizer: z.strictObject({
    name: z.enum(["adam-mixed", "adam-fp32", "sgd", "sgd-momentum"]),
    bytesPerParam: positive,
  }),
});

export const planDocumentSchema = z.strictObject({
  format: z.literal("dagpipe-plan"),
  version: z.literal(1),
  planner: z.string().optional(),
  graph: graphSchema,
  cluster: clusterSchema,
  plan: planSchema,
  predicted: z
    .strictObject({ iterationSec: nonNegative, samplesPerSec: nonNegative, peakMemBytes: z.array(nonNegative) })
    .optional(),
});
