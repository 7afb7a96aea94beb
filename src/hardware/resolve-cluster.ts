/**
 * What `--gpus N [--cluster P|file] [--device D] [--memory GB]` mean, as one pure function (the CLI reads the
 * file, this decides). Rules (docs/hardware.md):
 * - `--cluster P` (a preset) or a parsed custom file gives the node shape; `--gpus N` sizes it: N below the
 *   devices per node → one node of N; otherwise N must be a multiple of the devices per node.
 * - `--device D` alone → a generic cluster of D: 8 per node, with the links of the cluster D usually comes in.
 *   With `--cluster`, `--device` swaps the device and keeps the links.
 * - neither → the DEFAULT_CLUSTER preset.
 * - `--memory GB` replaces the device memory (the planner's budget per device). GB here are GiB, as GPU
 *   memory is sold ("16 GB" V100 = 16 × 2^30 bytes).
 */
import { fail, type Issue, ok, type Result } from "../util/issues.js";
import { canonicalName } from "./lookup.js";
import type { ClusterSpec } from "./parse-cluster.js";
import { CLUSTER_PRESETS, findClusterPreset, findDevice, USUAL_CLUSTER } from "./presets.js";
import type { Cluster, Device } from "./types.js";
import { BYTES_PER_GIB } from "./units.js";

export const DEFAULT_CLUSTER = "dgx-a100";
/** Devices per node of the generic cluster that `--device D` alone builds. */
export const GENERIC_DEVICES_PER_NODE = 8;

export interface ClusterRequest {
  /** Number of devices; may be left out only when a custom cluster file caps its size with `nodes`. */
  readonly gpus?: number;
  /** A cluster preset name, or a custom cluster already parsed (parseClusterJson). */
  readonly cluster?: string | ClusterSpec;
  /** A device preset name. */
  readonly device?: string;
  /** Device memory in GiB, replacing the device's own. */
  readonly memoryGB?: number;
}

function baseSpec(req: ClusterRequest, device: Device | undefined): Result<ClusterSpec> {
  if (typeof req.cluster === "object") return ok(req.cluster);
  if (typeof req.cluster === "string") return findClusterPreset(req.cluster);
  if (device === undefined) return findClusterPreset(DEFAULT_CLUSTER);
  const deviceKey = canonicalName(USUAL_CLUSTER, device.name);
  const usual = CLUSTER_PRESETS.get(USUAL_CLUSTER.get(deviceKey ?? "") ?? DEFAULT_CLUSTER)!;
  return ok({ ...usual, name: `generic-${device.name}`, devicesPerNode: GENERIC_DEVICES_PER_NODE });
}

export function resolveCluster(req: ClusterRequest): Result<Cluster> {
  const issues: Issue[] = [];
  let device: Device | undefined;
  if (req.device !== undefined) {
    const found = findDevice(req.device);
    if (found.ok) device = found.value;
    else issues.push(...found.issues);
  }
  const spec = baseSpec(req, device);
  if (!spec.ok) issues.push(...spec.issues);
  if (req.memoryGB !== undefined && !(Number.isFinite(req.memoryGB) && req.memoryGB > 0 && req.memoryGB <= 1e5)) {
    issues.push({
      code: "bad-option",
      message: "--memory must be a positive number of GB (GiB) per device",
      path: ["memory"],
      expected: "a number in (0, 100000]",
      got: String(req.memoryGB),
    });
  }
  if (req.gpus !== undefined && !(Number.isInteger(req.gpus) && req.gpus >= 1 && req.gpus <= 1e6)) {
    issues.push({
      code: "bad-option",
      message: "--gpus must be a whole number of devices",
      path: ["gpus"],
      expected: "an integer ≥ 1",
      got: String(req.gpus),
    });
  }
  if (issues.length > 0 || !spec.ok) return fail(issues);

  const shape = spec.value;
  const perNode = shape.devicesPerNode;
  const gpus = req.gpus ?? (shape.nodes === undefined ? undefined : shape.nodes * perNode);
  if (gpus === undefined) {
    return fail([
      {
        code: "bad-option",
        message: "--gpus is required: how many devices to plan for",
        path: ["gpus"],
        expected: "an integer ≥ 1",
      },
    ]);
  }
  if (shape.nodes !== undefined && gpus > shape.nodes * perNode) {
    return fail([
      {
        code: "bad-option",
        message: `cluster "${shape.name}" has only ${shape.nodes * perNode} devices (${shape.nodes} nodes × ${perNode})`,
        path: ["gpus"],
        expected: `≤ ${shape.nodes * perNode}`,
        got: String(gpus),
      },
    ]);
  }
  if (gpus > perNode && gpus % perNode !== 0) {
    return fail([
      {
        code: "bad-option",
        message: `cluster "${shape.name}" has ${perNode} devices per node: --gpus must fill whole nodes`,
        path: ["gpus"],
        expected: `fewer than ${perNode}, or a multiple of ${perNode}`,
        got: String(gpus),
      },
    ]);
  }
  let chosen = device ?? shape.device;
  if (req.memoryGB !== undefined) chosen = { ...chosen, memBytes: req.memoryGB * BYTES_PER_GIB };
  const renamed =
    device !== undefined && typeof req.cluster !== "undefined" ? `${shape.name}/${device.name}` : shape.name;
  const { nodes: _cap, ...links } = shape;
  return ok({
    ...links,
    name: renamed,
    device: chosen,
    nodes: gpus < perNode ? 1 : gpus / perNode,
    devicesPerNode: Math.min(gpus, perNode),
  });
}
