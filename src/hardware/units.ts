/**
 * Unit conversions for the JSON keys that carry a unit in their name. Applied once, at parse time; everything
 * after the parser is in base units (bytes, seconds, FLOP/s, bytes/s).
 */

/** `memGiB`: device memory is sold in binary gigabytes (a "16 GB" V100 has 16 × 2^30 bytes). */
export const BYTES_PER_GIB = 2 ** 30;
/** `bandwidthGBps`, `memBandwidthGBps`: decimal gigabytes per second, as datasheets state them. */
export const BYTES_PER_GB = 1e9;
/** `peakTFLOPS`. */
export const FLOPS_PER_TFLOPS = 1e12;
/** `latencyUs`, `kernelLaunchUs` (divide by it: exact for whole microseconds). */
export const US_PER_SEC = 1e6;
/** `kernelGFLOP`, `opGFLOP`. */
export const FLOP_PER_GFLOP = 1e9;
/** `movedMB`: decimal megabytes. */
export const BYTES_PER_MB = 1e6;
