/** src/types/float16.ts against an independent reference: every bit pattern decoded, every tie and midpoint encoded. */
import { float16BitsToNumber, numberToFloat16Bits, roundToFloat16 } from '../../src/types/float16.js';
import { halfToNumber, nearestHalf, POSITIVE_HALVES } from './half-reference.js';

function same(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

describe('float16 conversion', () => {
  it('decodes all 65536 bit patterns exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if (!same(float16BitsToNumber(bits), halfToNumber(bits))) throw new Error(`0x${bits.toString(16)}`);
    }
  });

  it('encodes every float16 value to its own bits (both signs) and NaN to a NaN', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = halfToNumber(bits);
      if (Number.isNaN(value)) {
        if (!Number.isNaN(halfToNumber(numberToFloat16Bits(value)))) throw new Error('NaN');
        continue;
      }
      if (numberToFloat16Bits(value) !== bits) throw new Error(`${value}: 0x${numberToFloat16Bits(value).toString(16)}`);
    }
  });

  it('rounds to nearest, ties to even: every midpoint between neighbours and points around it', () => {
    for (let i = 0; i + 1 < POSITIVE_HALVES.length; i++) {
      const lo = POSITIVE_HALVES[i]!;
      const hi = POSITIVE_HALVES[i + 1]!;
      const mid = (lo + hi) / 2; // exact in double
      for (const x of [mid, mid - (hi - lo) / 8, mid + (hi - lo) / 8]) {
        for (const v of [x, -x]) {
          if (!same(roundToFloat16(v), nearestHalf(v))) throw new Error(`${v}: ${roundToFloat16(v)} != ${nearestHalf(v)}`);
        }
      }
    }
  });

  it('overflows to infinity from 65520 on, keeps the smallest subnormals, flushes below half of them to zero', () => {
    const cases = [65504, 65519.99, 65520, 70000, 1e300, Infinity, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 2 ** -26, 1e-300];
    for (const x of cases) {
      for (const v of [x, -x]) {
        if (!same(roundToFloat16(v), nearestHalf(v))) throw new Error(`${v}: ${roundToFloat16(v)} != ${nearestHalf(v)}`);
      }
    }
    if (roundToFloat16(65520) !== Infinity || roundToFloat16(65519.99) !== 65504) throw new Error('overflow threshold');
    if (!Object.is(roundToFloat16(-(2 ** -26)), -0)) throw new Error('negative underflow keeps the sign');
  });

  it('rounds pseudo-random doubles across the whole range like the reference', () => {
    let s = 12345;
    for (let i = 0; i < 20000; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const exponent = (s % 60) - 30;
      const x = (s / 4294967296 + 0.5) * 2 ** exponent * (i % 2 ? -1 : 1);
      if (!same(roundToFloat16(x), nearestHalf(x))) throw new Error(`${x}: ${roundToFloat16(x)} != ${nearestHalf(x)}`);
    }
  });
});
