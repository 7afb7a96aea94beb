/**
 * The shape of a dagpipe graph file (docs/formats.md, "Graph"), as a strict zod schema: unknown keys are
 * issues. Numbers are per sample and in base units; fields left out are derived from kind and attributes.
 */
import { z } from "zod";
import { OP_KINDS, type OpKind } from "../graph/types.js";

const count = z.number().nonnegative();
const attrValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.number())]);

export const profileSchema = z.strictObject({
  device: z.string().optional(),
  points: z.array(
    z.strictObject({
      microBatch: z.number().int().positive(),
      fwdSec: count,
      bwdSec: count,
    }),
  ),
});

export const opSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  kind: z.enum(OP_KINDS as [OpKind, ...OpKind[]]),
  inputs: z.array(z.string()).optional(),
  attrs: z.record(z.string(), attrValue).optional(),
  outShape: z.array(z.number().int().nonnegative()).optional(),
  outBytesPerSample: count.optional(),
  params: count.optional(),
  paramBytes: count.optional(),
  fwdFlopsPerSample: count.optional(),
  bwdFlopsPerSample: count.optional(),
  savedBytesPerSample: count.optional(),
  workspaceBytesPerSample: count.optional(),
  profile: profileSchema.optional(),
});

export const graphFileSchema = z.strictObject({
  format: z.literal("dagpipe-graph").optional(),
  version: z.literal(1).optional(),
  name: z.string().optional(),
  dtype: z.enum(["fp32", "fp16", "bf16"]).optional(),
  source: z.record(z.string(), attrValue).optional(),
  ops: z.array(opSchema),
});

export type GraphFile = z.infer<typeof graphFileSchema>;
export type OpEntry = z.infer<typeof opSchema>;
