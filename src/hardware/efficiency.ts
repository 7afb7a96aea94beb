/**
 * Efficiency curves: fraction of a peak reached as a function of work size (FLOPs of a kernel, bytes moved).
 * A curve is a table interpolated linearly in log–log space and clamped at both ends, so it is bounded by
 * its table. The parser (parse-families.ts) only accepts tables whose fraction never falls as size grows and
 * never rises faster than the size itself (log–log slope ≤ 1): then time = size / (peak × fraction(size)) grows
 * with size while time per unit of work falls — a bigger micro-batch is never faster in total, and never
 * slower per sample.
 */

export interface EfficiencyPoint {
  /** Work size in base units (FLOPs or bytes). */
  readonly size: number;
  /** Fraction of the peak, in (0, 1]. */
  readonly fraction: number;
}

export type EfficiencyCurve = readonly EfficiencyPoint[];

/** Fraction of peak at `size`. Assumes a non-empty curve with strictly increasing sizes (checked when parsed). */
export function efficiencyAt(curve: EfficiencyCurve, size: number): number {
  const first = curve[0]!;
  if (!(size > first.size)) return first.fraction;
  const last = curve[curve.length - 1]!;
  if (size >= last.size) return last.fraction;
  let hi = 1;
  while (curve[hi]!.size < size) hi++;
  const a = curve[hi - 1]!;
  const b = curve[hi]!;
  const t = Math.log(size / a.size) / Math.log(b.size / a.size);
  return Math.exp(Math.log(a.fraction) + t * Math.log(b.fraction / a.fraction));
}

/** Log–log slope of each segment (exponent k of fraction ∝ size^k). */
export function segmentSlopes(curve: EfficiencyCurve): number[] {
  const out: number[] = [];
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    out.push(Math.log(b.fraction / a.fraction) / Math.log(b.size / a.size));
  }
  return out;
}
