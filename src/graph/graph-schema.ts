/**
 * The shape of a graph as JSON, as strict zod schemas (unknown keys are issues), used by both documents that
 * hold one: a dagpipe graph file (docs/formats.md "Graph") and the graph a plan document embeds. A plan holds
 * the in-memory record (`graphRecordSchema`: every field of src/graph/types.ts present); a graph file may leave
 * out what the op kinds derive (`graphFileSchema`). Numbers are per sample and in base units.
 */
import { z } from "zod";
import { OP_KINDS, type OpKind } from "./types.js";

const nonNegative = z.number().nonnegative();
const attrValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.number())]);
const dtype = z.enum(["fp32", "fp16", "bf16"]);
const source = z.record(z.string(), attrValue);

export const profileSchema = z.strictObject({
  device: z.string().optional(),
  points: z.array(
    z.strictObject({
      microBatch: z.number().int().positive(),
      fwdSec: nonNegative,
      bwdSec: nonNegative,
    }),
  ),
});

/** An op as the Graph record holds it. */
export const opRecordSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  kind: z.enum(OP_KINDS as [OpKind, ...OpKind[]]),
  inputs: z.array(z.string()),
  attrs: z.record(z.string(), attrValue),
  outShape: z.array(z.number().int().nonnegative()),
  outBytesPerSample: nonNegative,
  params: z.number().int().nonnegative(),
  paramBytes: nonNegative,
  fwdFlopsPerSample: nonNegative,
  bwdFlopsPerSample: nonNegative,
  savedBytesPerSample: nonNegative,
  workspaceBytesPerSample: nonNegative.optional(),
  profile: profileSchema.optional(),
});

/**
 * An op in a graph file: what its kind derives may be left out, and `params` need not be whole (profilers
 * give parameter bytes, e.g. PipeDream's parameter_size ÷ 4).
 */
export const opEntrySchema = opRecordSchema
  .partial({
    inputs: true,
    attrs: true,
    outShape: true,
    outBytesPerSample: true,
    paramBytes: true,
    fwdFlopsPerSample: true,
    bwdFlopsPerSample: true,
    savedBytesPerSample: true,
  })
  .extend({ params: nonNegative.optional() });

/** A Graph record (a plan document's `graph`). */
export const graphRecordSchema = z.strictObject({
  name: z.string(),
  dtype,
  ops: z.array(opRecordSchema),
  source: source.optional(),
});

export const graphFileSchema = z.strictObject({
  format: z.literal("dagpipe-graph").optional(),
  version: z.literal(1).optional(),
  name: z.string().optional(),
  dtype: dtype.optional(),
  source: source.optional(),
  ops: z.array(opEntrySchema),
});

export type GraphFile = z.infer<typeof graphFileSchema>;
export type OpEntry = z.infer<typeof opEntrySchema>;
