/**
 * A small seeded PRNG (mulberry32): where the project needs randomness (LP rounding, benchmarks' inputs) it
 * takes one of these explicitly, so the same seed gives the same output everywhere, in Node and in a browser.
 */
export type Prng = () => number;

/** Uniform numbers in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
