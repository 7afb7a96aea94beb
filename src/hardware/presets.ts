/**
 * The built-in hardware presets: presets/*.json parsed once, when this module loads, by the same strict
 * parsers as user files. The tables are immutable. A broken preset file is our bug, not user input: it throws
 * here and the preset tests catch it.
 */

import type { Issue, Result } from "../util/issues.js";
import { formatIssuesPlain } from "./format-plain.js";
import { findByName } from "./lookup.js";
import { type ClusterSpec, parseCluster } from "./parse-cluster.js";
import { hardwareZodIssues, parseDevice } from "./parse-device.js";
import { type FamilyCurves, parseFamilies } from "./parse-families.js";
import clustersJson from "./presets/clusters.json" with { type: "json" };
import devicesJson from "./presets/devices.json" with { type: "json" };
import familiesJson from "./presets/families.json" with { type: "json" };
import { PresetDeviceSchema } from "./specs.js";
import type { Device, DeviceFamily } from "./types.js";

function orThrow<T>(r: Result<T>, what: string): T {
  if (!r.ok) throw new Error(`dagpipe: broken ${what}:\n${formatIssuesPlain(r.issues)}`);
  return r.value;
}

interface DeviceTables {
  readonly devices: ReadonlyMap<string, Device>;
  readonly usualCluster: ReadonlyMap<string, string>;
}

/** presets/devices.json: an object keyed by device name (exported for tests of broken files). */
export function parseDevicePresets(json: unknown, file = "devices.json"): Result<DeviceTables> {
  const devices = new Map<string, Device>();
  const usualCluster = new Map<string, string>();
  const issues: Issue[] = [];
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    const shape = PresetDeviceSchema.safeParse(entry);
    if (!shape.success) {
      issues.push(...hardwareZodIssues(shape.error, entry, { file, basePath: [name] }));
      continue;
    }
    const { usualCluster: cluster, ...spec } = shape.data;
    const device = parseDevice(spec, { file, basePath: [name], defaultName: name });
    if (!device.ok) issues.push(...device.issues);
    else {
      devices.set(name, device.value);
      usualCluster.set(name, cluster);
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { devices, usualCluster } };
}

/** presets/clusters.json: an object keyed by cluster name. */
export function parseClusterPresets(
  json: unknown,
  devices: ReadonlyMap<string, Device>,
  file = "clusters.json",
): Result<ReadonlyMap<string, ClusterSpec>> {
  const clusters = new Map<string, ClusterSpec>();
  const issues: Issue[] = [];
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    const spec = parseCluster(entry, { devices, file, basePath: [name], defaultName: name });
    if (spec.ok) clusters.set(name, spec.value);
    else issues.push(...spec.issues);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: clusters };
}

const deviceTables = orThrow(parseDevicePresets(devicesJson), "device presets (src/hardware/presets/devices.json)");

/** Device presets by name (V100-16GB, V100-32GB, A100-40GB, A100-80GB, H100-80GB, H200, cpu). */
export const DEVICE_PRESETS: ReadonlyMap<string, Device> = deviceTables.devices;

/** For `--device D` alone: the cluster preset whose node shape and links D usually comes with. */
export const USUAL_CLUSTER: ReadonlyMap<string, string> = deviceTables.usualCluster;

/** Cluster presets by name (summit, dgx-v100, dgx-a100, dgx-h100, pcie-v100, cpu-local), not yet sized. */
export const CLUSTER_PRESETS: ReadonlyMap<string, ClusterSpec> = orThrow(
  parseClusterPresets(clustersJson, DEVICE_PRESETS),
  "cluster presets (src/hardware/presets/clusters.json)",
);

/** Efficiency curves per device family. */
export const FAMILY_CURVES: Readonly<Record<DeviceFamily, FamilyCurves>> = orThrow(
  parseFamilies(familiesJson, { file: "families.json" }),
  "device family curves (src/hardware/presets/families.json)",
);

/** Curves for a device: its family's, or the generic ones. */
export function curvesFor(device: Device): FamilyCurves {
  return FAMILY_CURVES[device.family ?? "generic"];
}

/** A device preset by name, case-insensitive; a miss lists every preset. */
export function findDevice(name: string): Result<Device> {
  return findByName(DEVICE_PRESETS, name, { code: "unknown-device", noun: "device", path: ["device"] });
}

/** A cluster preset by name, case-insensitive; a miss lists every preset. */
export function findClusterPreset(name: string): Result<ClusterSpec> {
  return findByName(CLUSTER_PRESETS, name, { code: "unknown-cluster", noun: "cluster", path: ["cluster"] });
}
