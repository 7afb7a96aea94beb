/**
 * zod schemas of the plan document (docs/formats.md "Plan"): strict objects (unknown keys are issues), base
 * units in key names, ranges checked. The graph and cluster are stored as their in-memory records, so a plan
 * file is self-contained: `dagpipe simulate` and `dagpipe run` need nothing else. Their schemas are the graph's
 * and the hardware's own (src/graph/graph-schema.ts, src/hardware/cluster-schema.ts).
 */
import { z } from "zod";
import { graphRecordSchema } from "../graph/graph-schema.js";
import { clusterRecordSchema } from "../hardware/cluster-schema.js";
import { SCHEDULE_KINDS, type ScheduleKind } from "./types.js";

const nonNegative = z.number().nonnegative();
const positive = z.number().positive();
const count = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();

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
  graph: graphRecordSchema,
  cluster: clusterRecordSchema,
  plan: planSchema,
  predicted: z
    .strictObject({ iterationSec: nonNegative, samplesPerSec: nonNegative, peakMemBytes: z.array(nonNegative) })
    .optional(),
});
