/** Devices, links and clusters. Units in names; presets are JSON data converted once at parse time. */
import type { Dtype } from "../graph/types.js";

export interface Device {
  readonly name: string;
  readonly memBytes: number;
  /** Dense peak per dtype (tensor cores where the device has them). */
  readonly peakFlopsPerSec: Readonly<Record<Dtype, number>>;
  readonly memBytesPerSec: number;
}

export interface Link {
  readonly bytesPerSec: number;
  readonly latencySec: number;
}

/**
 * A homogeneous cluster: `nodes` × `devicesPerNode` devices of one kind. Device d lives on node
 * floor(d / devicesPerNode); devices on one node talk over `intra`, others over `inter`.
 */
export interface Cluster {
  readonly name: string;
  readonly device: Device;
  readonly nodes: number;
  readonly devicesPerNode: number;
  readonly intra: Link;
  readonly inter: Link;
}
