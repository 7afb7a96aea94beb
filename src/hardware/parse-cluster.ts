/**
 * Cluster JSON (units in key names; docs/formats.md "Cluster") → ClusterSpec in base units. Used for the
 * presets in presets/clusters.json and for custom files given to `--cluster file.json`. A spec has no node
 * count of its own unless the file caps it: `resolveCluster` sizes it from `--gpus`.
 */
import { fail, type Issue, ok, type Result } from "../util/issues.js";
import { locateIssues, parseJsonText } from "../util/json-text.js";
import { findByName } from "./lookup.js";
import { hardwareZodIssues, type ParseContext, parseDevice } from "./parse-device.js";
import { ClusterSpecSchema } from "./specs.js";
import type { Cluster, Device } from "./types.js";
import { BYTES_PER_GB, US_PER_SEC } from "./units.js";

/** A cluster shape before it is sized: `nodes` is an optional cap (custom files), not the size. */
export type ClusterSpec = Omit<Cluster, "nodes"> & { readonly nodes?: number };

export interface ClusterParseContext extends ParseContext {
  /** Device presets that a `"device": "<name>"` may name. */
  readonly devices: ReadonlyMap<string, Device>;
  /** Name for files keyed by name (presets); a custom file without `name` is called "custom". */
  readonly defaultName?: string;
}

export function parseCluster(json: unknown, ctx: ClusterParseContext): Result<ClusterSpec> {
  const base = ctx.basePath ?? [];
  const withFile = ctx.file === undefined ? {} : { file: ctx.file };
  const parsed = ClusterSpecSchema.safeParse(json);
  const issues: Issue[] = parsed.success ? [] : hardwareZodIssues(parsed.error, json, ctx);
  // The device is checked on its own so that its problems keep their own paths (device.memGiB …).
  const rawDevice = (json as { device?: unknown } | null)?.device;
  let device: Device | undefined;
  if (typeof rawDevice === "string") {
    const found = findByName(ctx.devices, rawDevice, {
      code: "unknown-device",
      noun: "device",
      path: [...base, "device"],
      ...withFile,
    });
    if (found.ok) device = found.value;
    else issues.push(...found.issues);
  } else if (typeof rawDevice === "object" && rawDevice !== null && !Array.isArray(rawDevice)) {
    const dev = parseDevice(rawDevice, { ...withFile, basePath: [...base, "device"] });
    if (dev.ok) device = dev.value;
    else issues.push(...dev.issues);
  } else if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    issues.push({
      code: rawDevice === undefined ? "missing-field" : "invalid-type",
      message: rawDevice === undefined ? 'missing field "device"' : '"device" must be a preset name or a device object',
      path: [...base, "device"],
      expected: `a device name (${[...ctx.devices.keys()].join(", ")}) or a device object`,
      ...withFile,
    });
  }
  if (!parsed.success || device === undefined) return fail(issues);
  const spec = parsed.data;
  const nodeBandwidthGBps = spec.inter.nodeBandwidthGBps;
  if (nodeBandwidthGBps !== undefined && nodeBandwidthGBps < spec.inter.bandwidthGBps) {
    issues.push({
      code: "invalid-value",
      message: "a node cannot send slower than one of its devices: nodeBandwidthGBps < bandwidthGBps",
      path: [...base, "inter", "nodeBandwidthGBps"],
      expected: `≥ ${spec.inter.bandwidthGBps}`,
      got: String(nodeBandwidthGBps),
      ...withFile,
    });
    return fail(issues);
  }
  return ok({
    name: spec.name ?? ctx.defaultName ?? "custom",
    device,
    devicesPerNode: spec.devicesPerNode,
    intra: { bytesPerSec: spec.intra.bandwidthGBps * BYTES_PER_GB, latencySec: spec.intra.latencyUs / US_PER_SEC },
    inter: { bytesPerSec: spec.inter.bandwidthGBps * BYTES_PER_GB, latencySec: spec.inter.latencyUs / US_PER_SEC },
    ...(nodeBandwidthGBps === undefined ? {} : { interNodeBytesPerSec: nodeBandwidthGBps * BYTES_PER_GB }),
    ...(spec.nodes === undefined ? {} : { nodes: spec.nodes }),
  });
}

/** A custom cluster file's text → ClusterSpec. */
export function parseClusterJson(
  text: string,
  file: string | undefined,
  devices: ReadonlyMap<string, Device>,
): Result<ClusterSpec> {
  const json = parseJsonText(text, file);
  if (!json.ok) return json;
  const spec = parseCluster(json.value, { devices, ...(file === undefined ? {} : { file }) });
  return spec.ok ? spec : fail(locateIssues(text, spec.issues));
}
