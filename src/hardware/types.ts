/** Devices, links and clusters. Units in names; presets are JSON data converted once at parse time. */
import type { Dtype } from "../graph/types.js";

/**
 * Which efficiency curves of `presets/families.json` a device follows (how fast small kernels run compared
 * with the peak). Devices without one use "generic".
 */
export type DeviceFamily = "volta" | "ampere" | "hopper" | "cpu" | "generic";

export const DEVICE_FAMILIES: readonly DeviceFamily[] = ["volta", "ampere", "hopper", "cpu", "generic"];

export interface Device {
  readonly name: string;
  readonly memBytes: number;
  /** Dense peak per dtype (tensor cores where the device has them). */
  readonly peakFlopsPerSec: Readonly<Record<Dtype, number>>;
  readonly memBytesPerSec: number;
  /** Efficiency-curve family (optional field added by the hardware work; absent = "generic"). */
  readonly family?: DeviceFamily;
}

export interface Link {
  readonly bytesPerSec: number;
  readonly latencySec: number;
}

/**
 * A homogeneous cluster: `nodes` × `devicesPerNode` devices of one kind. Device d lives on node
 * floor(d / devicesPerNode); devices on one node talk over `intra`, others over `inter`.
 * Both links are what ONE device gets towards one peer, per direction (docs/hardware.md).
 */
export interface Cluster {
  readonly name: string;
  readonly device: Device;
  readonly nodes: number;
  readonly devicesPerNode: number;
  readonly intra: Link;
  readonly inter: Link;
  /**
   * Aggregate bandwidth out of one node over all its network adapters, shared by concurrent inter-node
   * traffic of its devices (optional field added by the hardware work; absent = inter.bytesPerSec ×
   * devicesPerNode, i.e. one adapter per device as in DGX machines).
   */
  readonly interNodeBytesPerSec?: number;
}
