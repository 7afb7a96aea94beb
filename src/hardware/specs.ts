/**
 * The JSON shapes of hardware data, with units in the key names (docs/formats.md "Cluster"). Strict: unknown
 * keys are errors. Ranges are generous sanity bounds (no device has 100 000 GiB), not product limits.
 */
import { z } from "zod";
import { DEVICE_FAMILIES } from "./types.js";

const positive = (max: number) => z.number().positive().max(max);

export const PeakSchema = z.strictObject({ fp32: positive(1e6), fp16: positive(1e6), bf16: positive(1e6) });

export const DeviceSpecSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  family: z.enum(DEVICE_FAMILIES).optional(),
  memGiB: positive(1e5),
  peakTFLOPS: PeakSchema,
  memBandwidthGBps: positive(1e6),
  source: z.string().max(1000).optional(),
});
export type DeviceSpec = z.infer<typeof DeviceSpecSchema>;

/** An entry of presets/devices.json: a device plus the cluster preset whose links `--device D` alone uses. */
export const PresetDeviceSchema = z.strictObject({ ...DeviceSpecSchema.shape, usualCluster: z.string().min(1) });

export const LinkSpecSchema = z.strictObject({
  bandwidthGBps: positive(1e6),
  latencyUs: z.number().min(0).max(1e7),
});

export const InterLinkSpecSchema = z.strictObject({
  ...LinkSpecSchema.shape,
  /** Aggregate bandwidth out of one node (all adapters); defaults to bandwidthGBps × devicesPerNode. */
  nodeBandwidthGBps: positive(1e7).optional(),
});

/** A cluster: a preset entry of presets/clusters.json, or a custom file given to `--cluster file.json`. */
export const ClusterSpecSchema = z.strictObject({
  format: z.literal("dagpipe-cluster").optional(),
  version: z.literal(1).optional(),
  name: z.string().min(1).max(100).optional(),
  /** A device preset name, or a device object (checked separately so its own paths are kept). */
  device: z.unknown(),
  devicesPerNode: z.number().int().min(1).max(1e5),
  /** Optional size cap: when given, `--gpus` may not exceed nodes × devicesPerNode. */
  nodes: z.number().int().min(1).max(1e6).optional(),
  intra: LinkSpecSchema,
  inter: InterLinkSpecSchema,
  source: z.string().max(1000).optional(),
});

const curve = <K extends string>(key: K) =>
  z
    .array(z.strictObject({ [key]: z.number().positive().max(1e9), fraction: z.number().positive().max(1) } as const))
    .min(1)
    .max(1000);

/** An entry of presets/families.json: efficiency curves by size, and the per-kernel launch gap. */
export const FamilySpecSchema = z.strictObject({
  gemmEfficiency: curve("kernelGFLOP"),
  vectorEfficiency: curve("opGFLOP"),
  memEfficiency: curve("movedMB"),
  kernelLaunchUs: z.number().min(0).max(1e6),
  source: z.string().max(1000).optional(),
});
