/**
 * Measured op times: an op's `profile` holds forward/backward seconds at some micro-batch sizes. Between
 * two measured sizes the time is interpolated linearly; outside the measured range it scales in proportion
 * to the samples from the nearest measured point (t(b) = t(b₀) · b / b₀) — the conservative choice below the
 * range (no efficiency gain invented) and the optimistic-but-simple one above it.
 */
import type { OpProfile } from "../graph/types.js";
import type { Device } from "../hardware/types.js";
import type { OpTime } from "./types.js";

/** Times at `samples` from a profile. Points must be sorted by micro-batch, sizes distinct (validateGraph). */
export function profiledOpTime(profile: OpProfile, samples: number): OpTime {
  const pts = profile.points;
  if (pts.length === 0 || !(samples > 0)) return { fwdSec: 0, bwdSec: 0 };
  const first = pts[0]!;
  if (samples <= first.microBatch) {
    const f = samples / first.microBatch;
    return { fwdSec: first.fwdSec * f, bwdSec: first.bwdSec * f };
  }
  const last = pts[pts.length - 1]!;
  if (samples >= last.microBatch) {
    const f = samples / last.microBatch;
    return { fwdSec: last.fwdSec * f, bwdSec: last.bwdSec * f };
  }
  let hi = 1;
  while (pts[hi]!.microBatch < samples) hi++;
  const a = pts[hi - 1]!;
  const b = pts[hi]!;
  const t = (samples - a.microBatch) / (b.microBatch - a.microBatch);
  return { fwdSec: a.fwdSec + t * (b.fwdSec - a.fwdSec), bwdSec: a.bwdSec + t * (b.bwdSec - a.bwdSec) };
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * Was this profile measured on (a device like) `device`? A profile without a device name matches any
 * device; otherwise the normalised names must be equal or one a prefix of the other ("V100" matches
 * "V100-16GB"; "cpu" matches "cpu"; "A100" does not match "H100-80GB").
 */
export function profileMatchesDevice(profile: OpProfile, device: Device): boolean {
  if (profile.device === undefined || profile.device === "") return true;
  const p = normalise(profile.device);
  const d = normalise(device.name);
  return p === d || d.startsWith(p) || p.startsWith(d);
}
