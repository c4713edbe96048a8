/**
 * cast between all eight data types, uint32 / int64 / uint64 included, against a BigInt reference written here:
 * int -> int keeps the low bits; float -> int truncates, saturates out of range, NaN -> 0; int -> float rounds to
 * nearest, ties to even, in one rounding.
 */
import { forEachBackend } from '../util/harness.js';
import { asType, assertExact, exactConstant, runExact, type Element } from '../util/exact.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../../src/types/float16.js';

type Method = (...args: unknown[]) => MLOperand;
const call = (builder: unknown, op: string, ...args: unknown[]) => (builder as Record<string, Method>)[op]!.call(builder, ...args);

const ALL: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64', 'int8', 'uint8'];
const isFloat = (t: MLOperandDataType) => t === 'float32' || t === 'float16';
const BITS: Partial<Record<MLOperandDataType, bigint>> = { int32: 32n, uint32: 32n, int64: 64n, uint64: 64n, int8: 8n, uint8: 8n };
const signed = (t: MLOperandDataType) => t.startsWith('int');

function range(t: MLOperandDataType): [bigint, bigint] {
  const bits = BITS[t]!;
  return signed(t) ? [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n] : [0n, 2n ** bits - 1n];
}

/** The float of type `t` nearest to the integer `v` (ties to even), chosen among the neighbours of a close guess. */
function nearestFloat(v: bigint, t: MLOperandDataType): number {
  const toBits = t === 'float16' ? numberToFloat16Bits : (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0]!;
  const fromBits = t === 'float16' ? float16BitsToNumber : (b: number) => new Float32Array(new Uint32Array([b]).buffer)[0]!;
  // Up to 2^53 the integer is exact as a double and the conversion rounds once.
  if (v <= 2n ** 53n && v >= -(2n ** 53n)) return fromBits(toBits(Number(v)));
  const guess = toBits(Number(v));
  const candidates = [guess - 1, guess, guess + 1].map(fromBits).filter((f) => Number.isFinite(f));
  let best = NaN;
  let bestDistance = -1n;
  let bestBits = 0;
  for (const f of candidates) {
    const distance = BigInt(f) > v ? BigInt(f) - v : v - BigInt(f);
    const bits = toBits(f);
    if (bestDistance < 0n || distance < bestDistance || (distance === bestDistance && bits % 2 === 0 && bestBits % 2 === 1)) {
      best = f;
      bestDistance = distance;
      bestBits = bits;
    }
  }
  // Beyond the largest finite float16 (65504) by half an ulp or more: infinity.
  if (t === 'float16' && (v >= 65520n || v <= -65520n)) return v > 0n ? Infinity : -Infinity;
  return best;
}

function reference(x: Element, from: MLOperandDataType, to: MLOperandDataType): Element {
  const big = to === 'int64' || to === 'uint64';
  if (isFloat(from)) {
    const f = x as number;
    if (isFloat(to)) return to === 'float16' ? float16BitsToNumber(numberToFloat16Bits(f)) : Math.fround(f);
    if (Number.isNaN(f)) return big ? 0n : 0;
    const [lo, hi] = range(to);
    let v: bigint;
    if (f === Infinity) v = hi;
    else if (f === -Infinity) v = lo;
    else {
      v = BigInt(Math.trunc(f));
      if (v > hi) v = hi;
      if (v < lo) v = lo;
    }
    return big ? v : Number(v);
  }
  const v = BigInt(x);
  if (isFloat(to)) return nearestFloat(v, to);
  const modulus = 2n ** BITS[to]!;
  let low = ((v % modulus) + modulus) % modulus;
  if (signed(to) && low >= modulus / 2n) low -= modulus;
  return big ? low : Number(low);
}

const SOURCES: Record<MLOperandDataType, Element[]> = {
  float32: [0, -0, 1.5, -1.5, -2.75, 200.5, -129.5, 255.9, 1e10, -1e10, 2 ** 31, -(2 ** 31) - 256, 2 ** 32, 2 ** 53,
    2 ** 63, -(2 ** 63), 2 ** 64, 1e30, -1e30, NaN, Infinity, -Infinity, 3000000000],
  float16: [0, -0, 1.5, -1.5, -2.75, 200.5, -129.5, 255.875, 65504, -65504, 300, NaN, Infinity, -Infinity, 0.000061],
  int32: [0, 1, -1, 127, 128, -129, 255, 256, 2 ** 31 - 1, -(2 ** 31), 16777217, -16777219, 65519, 65520],
  uint32: [0, 1, 255, 256, 2 ** 31, 2 ** 31 + 7, 2 ** 32 - 1, 3000000000, 16777217, 16777219, 2 ** 31 - 1, 65535],
  int64: [0n, 1n, -1n, 255n, -129n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 0x123456789abcdefn,
    2n ** 60n + 2n ** 36n, 2n ** 60n + 3n * 2n ** 36n, -(2n ** 60n) - 2n ** 36n, 2n ** 32n + 5n, 2n ** 31n, 16777217n],
  uint64: [0n, 1n, 255n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 63n + 2n ** 39n, 2n ** 53n + 1n, 0xfedcba9876543210n,
    2n ** 32n + 2n ** 31n, 2n ** 31n, 65520n],
  int8: [0, 1, -1, 127, -128, 64, -65],
  uint8: [0, 1, 127, 128, 255, 200],
};

forEachBackend('cast between all eight data types', (backend) => {
  for (const from of ALL) {
    it(`${from} -> every type, from a graph input and from a constant`, async () => {
      const data = SOURCES[from];
      const x = { dataType: from, shape: [data.length], data };
      const stored = from === 'float16' ? data.map((v) => float16BitsToNumber(numberToFloat16Bits(v as number))) : data;
      const result = await runExact(backend, { x }, (b, inputs) => Object.fromEntries(ALL.flatMap((to) => [
        [to, call(b, 'cast', inputs['x'], to)],
        [`${to}-constant`, call(b, 'cast', exactConstant(b, x), to)],
      ])));
      for (const to of ALL) {
        const expected = asType(stored.map((v) => reference(v, from, to)), to);
        assertExact(result[to]!.data, expected, `${from} -> ${to}`);
        assertExact(result[`${to}-constant`]!.data, expected, `${from} -> ${to} (constant)`);
      }
    });
  }

  it('int64 -> float32 -> int64 and uint32 -> int32 -> uint32 chains through TF.js values', async () => {
    const data = [2n ** 40n + 1n, -(2n ** 40n) - 3n, 7n];
    const result = await runExact(backend, { x: { dataType: 'int64', shape: [3], data } }, (b, { x }) => ({
      out: call(b, 'cast', call(b, 'relu', call(b, 'cast', x, 'float32')), 'int64'),
      u: call(b, 'cast', call(b, 'abs', call(b, 'cast', call(b, 'cast', x, 'uint32'), 'int32')), 'uint32'),
    }));
    assertExact(result['out']!.data, [2n ** 40n, 0n, 7n]);
    // low 32 bits: 1, 2^32 - 3 (int32 -3, abs 3), 7
    assertExact(result['u']!.data, [1, 3, 7]);
  });
});
