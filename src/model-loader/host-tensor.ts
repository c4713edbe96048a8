/**
 * Tensors the importer holds on the host: initializers, Constant nodes and what it folds from them at load time (shape
 * arithmetic). They become WebNN constants only where a WebNN operation takes them.
 */

/** The WebNN operand data types, with the ONNX types that fold on the host but have no WebNN operand type. */
export type HostDataType =
  | 'float32' | 'float16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'int8' | 'uint8'
  | 'float64' | 'int16' | 'uint16' | 'bool';

/** float16 values are held as their bits. */
export type HostData =
  | Float32Array | Float64Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Int16Array
  | Uint16Array | Int8Array | Uint8Array;

export interface HostTensor {
  readonly dataType: HostDataType;
  readonly shape: readonly number[];
  readonly data: HostData;
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const float32Scratch = new Float32Array(1);
const uint32Scratch = new Uint32Array(float32Scratch.buffer);

export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Rounds to the nearest float16, ties to even. */
export function numberToFloat16Bits(value: number): number {
  float32Scratch[0] = value;
  const x = uint32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  let m = mantissa >> 13;
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** The values as numbers (int64 beyond 2^53 lose precision: they only ever size or index tensors here). */
export function toNumbers(t: HostTensor): number[] {
  if (t.dataType === 'float16') return Array.from(t.data as Uint16Array, float16BitsToNumber);
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

export function hostData(dataType: HostDataType, values: readonly number[]): HostData {
  switch (dataType) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'float16': return Uint16Array.from(values, numberToFloat16Bits);
    case 'int32': return Int32Array.from(values, Math.trunc);
    case 'uint32': return Uint32Array.from(values, Math.trunc);
    case 'int64': return BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
    case 'uint64': return BigUint64Array.from(values, (v) => BigInt.asUintN(64, BigInt(Math.trunc(v))));
    case 'int16': return Int16Array.from(values, Math.trunc);
    case 'uint16': return Uint16Array.from(values, Math.trunc);
    case 'int8': return Int8Array.from(values, Math.trunc);
    case 'uint8': return Uint8Array.from(values, Math.trunc);
    case 'bool': return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }
}

export function hostTensor(dataType: HostDataType, shape: readonly number[], values: readonly number[]): HostTensor {
  return { dataType, shape: [...shape], data: hostData(dataType, values) };
}
