/**
 * The spec's cast between any two data types, on host values: integer to integer keeps the low bits (two's
 * complement); float to integer truncates toward zero, saturates out of range and maps NaN to 0; integer to float
 * rounds to nearest, ties to even, in one rounding (int64 beyond 2^53 too).
 */
import { isFloatType, type MLOperandDataType } from './data-type.js';
import { roundToFloat16 } from './float16.js';
import { hostArrayOf, type HostValues } from './host-tensor.js';

const BITS: Partial<Record<MLOperandDataType, number>> = {
  int32: 32, uint32: 32, int64: 64, uint64: 64, int8: 8, uint8: 8,
};

const SIGNED: Partial<Record<MLOperandDataType, boolean>> = {
  int32: true, uint32: false, int64: true, uint64: false, int8: true, uint8: false,
};

function rangeOf(t: MLOperandDataType): readonly [bigint, bigint] {
  const bits = BigInt(BITS[t]!);
  return SIGNED[t] ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

/** The low bits of an integer, read as `t` (two's complement). */
export function wrapBigInt(v: bigint, t: MLOperandDataType): bigint {
  const bits = BITS[t]!;
  return SIGNED[t] ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

/** An integer rounded to the nearest value with `significandBits` significant bits, ties to even; exact as a double. */
function roundBigInt(v: bigint, significandBits: number): number {
  const negative = v < 0n;
  const a = negative ? -v : v;
  const length = a.toString(2).length;
  if (length <= 53) return Number(v); // exact: the caller's single rounding is correct
  const shift = BigInt(length - significandBits);
  let q = a >> shift;
  const rest = a - (q << shift);
  const half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  const magnitude = Number(q) * 2 ** Number(shift);
  return negative ? -magnitude : magnitude;
}

/** A float value of type `t` (float16 values may arrive as float32 intermediates). */
function floatValue(x: number, t: MLOperandDataType): number {
  return t === 'float16' ? roundToFloat16(x) : Math.fround(x);
}

/** An integer or float element converted to data type `to`, as its host array holds it. */
export function castElement(x: number | bigint, from: MLOperandDataType, to: MLOperandDataType): number | bigint {
  const big = to === 'int64' || to === 'uint64';
  if (isFloatType(from)) {
    const f = floatValue(x as number, from);
    if (isFloatType(to)) return floatValue(f, to);
    if (Number.isNaN(f)) return big ? 0n : 0;
    const [lo, hi] = rangeOf(to);
    if (f >= Number(hi)) return big ? hi : Number(hi);
    if (f <= Number(lo)) return big ? lo : Number(lo);
    const t = Math.trunc(f);
    return big ? BigInt(t) : t === 0 ? 0 : t;
  }
  if (isFloatType(to)) {
    const bits = to === 'float16' ? 11 : 24;
    return floatValue(typeof x === 'bigint' ? roundBigInt(x, bits) : x, to);
  }
  const wrapped = wrapBigInt(BigInt(x), to);
  return big ? wrapped : Number(wrapped);
}

export function castHostValues(values: HostValues, from: MLOperandDataType, to: MLOperandDataType): HostValues {
  const out = hostArrayOf(to, values.length);
  if (from === to || (!isFloatType(from) && !isFloatType(to) && (BITS[from]! <= BITS[to]! && SIGNED[from] === SIGNED[to]))) {
    // Widening within one signedness keeps every value: a plain copy (the array converts number <-> bigint).
    if ((typeof values[0] === 'bigint') === (typeof out[0] === 'bigint') || values.length === 0) {
      (out as unknown as { set(a: ArrayLike<number | bigint>): void }).set(values as ArrayLike<number | bigint>);
      return out;
    }
  }
  for (let i = 0; i < values.length; i++) {
    (out as unknown as (number | bigint)[])[i] = castElement(values[i]!, from, to);
  }
  return out;
}
