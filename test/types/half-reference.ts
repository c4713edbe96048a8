/** A float16 reference for tests, written independently of src/types/float16.ts. */

/** IEEE binary16 bits to a number. */
export function halfToNumber(bits: number): number {
  const sign = bits >> 15 ? -1 : 1;
  const exponent = (bits >> 10) & 31;
  const fraction = bits & 1023;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * fraction / 1024 * 2 ** -14;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Every finite non-negative float16 value in increasing order; index = bit pattern. */
export const POSITIVE_HALVES: readonly number[] = Array.from({ length: 0x7c00 }, (_, bits) => halfToNumber(bits));

/**
 * The float16 nearest to `x` (ties to the even bit pattern; beyond the largest finite value by half an ulp or more,
 * Infinity), found by search over all float16 values.
 */
export function nearestHalf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  const sign = x < 0 || Object.is(x, -0) ? -1 : 1;
  const max = POSITIVE_HALVES[POSITIVE_HALVES.length - 1]!;
  const ulpAtMax = max - POSITIVE_HALVES[POSITIVE_HALVES.length - 2]!;
  if (a >= max + ulpAtMax / 2) return sign * Infinity;
  let lo = 0;
  let hi = POSITIVE_HALVES.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (POSITIVE_HALVES[mid]! <= a) lo = mid;
    else hi = mid;
  }
  const below = POSITIVE_HALVES[lo]!;
  const above = POSITIVE_HALVES[hi]!;
  let pick: number;
  if (a <= below) pick = lo;
  else if (a - below < above - a) pick = lo;
  else if (a - below > above - a) pick = hi;
  else pick = lo % 2 === 0 ? lo : hi;
  return sign * POSITIVE_HALVES[pick]!;
}
