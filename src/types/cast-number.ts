import { roundToFloat16 } from './float16.js';
import type { MLOperandDataType } from './data-type.js';

function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The spec's cast table says "signed" for uint32, an evident slip: uint32 is clamped to its own range. */
const INT_RANGES: Partial<Record<MLOperandDataType, readonly [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int8: [-128, 127],
  uint8: [0, 255],
  int64: [-(2 ** 63), 2 ** 63 - 1],
  uint64: [0, 2 ** 64 - 1],
};

/**
 * The spec's cast(x, dataType) for MLNumber scalars: ConvertToFloat rounds to nearest even (±Infinity beyond the
 * range), ConvertToInt maps NaN to 0, clamps to the type's range and rounds half to even.
 */
export function castNumber(value: number | bigint, dataType: MLOperandDataType): number {
  const x = Number(value);
  switch (dataType) {
    case 'float32': return Math.fround(x);
    case 'float16': return roundToFloat16(x);
    default: {
      if (Number.isNaN(x)) return 0;
      const [lo, hi] = INT_RANGES[dataType]!;
      const y = Math.min(hi, Math.max(lo, roundHalfToEven(x)));
      return y === 0 ? 0 : y; // +0 rather than -0
    }
  }
}

const BIG_RANGES: Partial<Record<MLOperandDataType, readonly [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/**
 * castNumber() exact for every data type: int64 and uint64 results are bigints, so values beyond 2^53 (a bigint
 * MLNumber) keep every bit. Other types give castNumber()'s number.
 */
export function castNumberExact(value: number | bigint, dataType: MLOperandDataType): number | bigint {
  const range = BIG_RANGES[dataType];
  if (!range) return castNumber(value, dataType);
  const [lo, hi] = range;
  let big: bigint;
  if (typeof value === 'bigint') {
    big = value;
  } else {
    if (Number.isNaN(value)) return 0n;
    if (value === Infinity) return hi;
    if (value === -Infinity) return lo;
    big = BigInt(roundHalfToEven(value));
  }
  return big < lo ? lo : big > hi ? hi : big;
}
