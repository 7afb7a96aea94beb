/**
 * Communication costs: pure functions of bytes and a device group, seconds out. The α–β model: a message of
 * n bytes over a link takes latency + n / bandwidth. Formulas (docs/hardware.md derives them):
 *
 * - point to point: transferSec = latency + bytes / bw on the link between the two devices; 0 on one device.
 * - ring all-reduce of B bytes over n devices (reduce-scatter then all-gather, each n−1 steps of B/n):
 *     2(n−1)/n · B / bw + 2(n−1) · latency
 * - across nodes, hierarchical: k devices per node (the most on any node of the group), m nodes:
 *     intra reduce-scatter  (k−1)/k · B / bw_intra + (k−1) · lat_intra
 *     inter all-reduce      of the B/k shard each local rank owns, k such rings at once over m nodes:
 *                           2(m−1)/m · (B/k) / bw_ring + 2(m−1) · lat_inter,
 *                           bw_ring = min(inter.bytesPerSec, nodeBytesPerSec / k)  (the k rings share the node's adapters)
 *     intra all-gather      same as the reduce-scatter
 * Bandwidths are per direction; rings use both directions of every link at once, so no factor 2 appears.
 */
import type { Cluster, Link } from "./types.js";

export function nodeOf(cluster: Cluster, device: number): number {
  return Math.floor(device / cluster.devicesPerNode);
}

/** Aggregate bandwidth out of one node (all adapters). */
export function nodeBytesPerSec(cluster: Cluster): number {
  return cluster.interNodeBytesPerSec ?? cluster.inter.bytesPerSec * cluster.devicesPerNode;
}

/** The link device a uses to reach device b: intra inside a node (also for a === b), inter across nodes. */
export function linkBetween(cluster: Cluster, a: number, b: number): Link {
  return nodeOf(cluster, a) === nodeOf(cluster, b) ? cluster.intra : cluster.inter;
}

/** Seconds to move `bytes` from one device to another; 0 on the same device or for an empty message. */
export function transferSec(cluster: Cluster, fromDevice: number, toDevice: number, bytes: number): number {
  if (fromDevice === toDevice || bytes <= 0) return 0;
  const link = linkBetween(cluster, fromDevice, toDevice);
  return link.latencySec + bytes / link.bytesPerSec;
}

/** Ring all-reduce of `bytes` over `n` devices on one kind of link: 2(n−1)/n·B/bw + 2(n−1)·latency. */
export function ringAllReduceSec(bytes: number, n: number, link: Link): number {
  if (n <= 1 || bytes <= 0) return 0;
  return ((2 * (n - 1)) / n) * (bytes / link.bytesPerSec) + 2 * (n - 1) * link.latencySec;
}

/** Reduce-scatter (or all-gather) of `bytes` over `n` devices in a ring: (n−1)/n·B/bw + (n−1)·latency. */
export function ringReduceScatterSec(bytes: number, n: number, link: Link): number {
  if (n <= 1 || bytes <= 0) return 0;
  return ((n - 1) / n) * (bytes / link.bytesPerSec) + (n - 1) * link.latencySec;
}

/**
 * All-reduce of `bytes` (each device's gradient size) over a group of devices: a ring inside one node,
 * hierarchical across nodes. Duplicate device ids count once. Uneven groups (different counts per node) are
 * costed with the largest per-node count: the slowest node sets the pace.
 */
export function allReduceSec(cluster: Cluster, devices: readonly number[], bytes: number): number {
  const perNode = new Map<number, number>();
  for (const d of new Set(devices)) {
    const node = nodeOf(cluster, d);
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const m = perNode.size;
  let k = 0;
  for (const count of perNode.values()) k = Math.max(k, count);
  if (m <= 1) return ringAllReduceSec(bytes, k, cluster.intra);
  const ringLink: Link = {
    bytesPerSec: Math.min(cluster.inter.bytesPerSec, nodeBytesPerSec(cluster) / k),
    latencySec: cluster.inter.latencySec,
  };
  return 2 * ringReduceScatterSec(bytes, k, cluster.intra) + ringAllReduceSec(bytes / k, m, ringLink);
}
