import { float16BitsToNumber, numberToFloat16Bits } from './float16.js';
import { byteSizeOf, type MLOperandDataType } from './data-type.js';
import type { HostDataType, HostValues } from './host-tensor.js';

/** WebNN bytes -> the values a TF.js tensor of the storage dtype is made from (a copy). */
export function bytesToStorage(bytes: Uint8Array, t: MLOperandDataType): Float32Array | Int32Array {
  const { values, borrowed } = storageValuesOf(bytes, t);
  return borrowed ? values.slice() : values;
}

/**
 * WebNN bytes -> the values a TF.js tensor of the storage dtype is made from: a view of `bytes` (`borrowed`) where
 * they already are those values (float32, int32 and uint32 bytes at a 4-byte aligned offset), else a new array.
 */
export function storageValuesOf(bytes: Uint8Array, t: MLOperandDataType): { values: Float32Array | Int32Array; borrowed: boolean } {
  const { buffer, byteOffset, byteLength } = bytes;
  if ((t === 'float32' || t === 'int32' || t === 'uint32') && byteOffset % 4 === 0) {
    const View = t === 'float32' ? Float32Array : Int32Array;
    return { values: new View(buffer as ArrayBuffer, byteOffset, byteLength / 4), borrowed: true };
  }
  return { values: convertedStorage(bytes, t), borrowed: false };
}

/** The values of `bytes` in a new array: converted, or copied to an aligned offset. */
function convertedStorage(bytes: Uint8Array, t: MLOperandDataType): Float32Array | Int32Array {
  const aligned = bytes.byteOffset % byteSizeOf(t) === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset, byteLength } = aligned;
  switch (t) {
    case 'float32': return new Float32Array(bytes.slice().buffer);
    case 'int32': case 'uint32': return new Int32Array(bytes.slice().buffer);
    case 'float16': {
      const bits = new Uint16Array(buffer, byteOffset, byteLength / 2);
      const out = new Float32Array(bits.length);
      for (let i = 0; i < bits.length; i++) out[i] = float16BitsToNumber(bits[i]!);
      return out;
    }
    case 'int8': return Int32Array.from(new Int8Array(buffer, byteOffset, byteLength));
    case 'uint8': return Int32Array.from(new Uint8Array(buffer, byteOffset, byteLength));
    case 'int64': case 'uint64':
      throw new TypeError(`${t} tensors are not supported by this implementation`);
  }
}

/** The most bytes smallToByteArray() and bytesOverHost() move through the scratch buffer, where views of memory cost most. */
const SMALL_BYTES = 256;
const scratch = new ArrayBuffer(SMALL_BYTES);
const scratchFloats = new Float32Array(scratch);
const scratchInts = new Int32Array(scratch);
const scratchBytes = new Uint8Array(scratch);
const scratchUints = new Uint32Array(scratch);
const scratchBigInts = new BigInt64Array(scratch);
const scratchBigUints = new BigUint64Array(scratch);

/** The scratch buffer as the array of each WebNN type of 4 or 8 bytes. */
const SCRATCH_OF_TYPE: Readonly<Partial<Record<MLOperandDataType, HostValues>>> = {
  float32: scratchFloats, int32: scratchInts, uint32: scratchUints, int64: scratchBigInts, uint64: scratchBigUints,
};

/** Bytes per element of what smallToByteArray() writes: WebNN types whose values are stored as they are, or as int32. */
const STORED_BYTES: Readonly<Partial<Record<MLOperandDataType, number>>> = {
  float32: 4, int32: 4, uint32: 4, int64: 8, uint64: 8, int8: 1, uint8: 1,
};

/**
 * The values of a tensor of type `t` as stored (a TF.js tensor's float32 or int32 values, a host array) -> WebNN
 * bytes, written element by element into `target` when they are at most SMALL_BYTES bytes and `target` is an array of
 * bytes (Uint8Array, Int8Array, Uint8ClampedArray) of their byte length: no view of either's memory is made (ONNX
 * Runtime reads into an Int8Array over its heap; a view of a small typed array's memory costs it an ArrayBuffer of its
 * own). False, writing nothing, for anything else.
 */
export function smallToByteArray(values: ArrayLike<number> | HostValues, t: MLOperandDataType, target: unknown): boolean {
  const size = STORED_BYTES[t];
  const n = values.length;
  if (size === undefined || n * size > SMALL_BYTES) return false;
  const bytes = target as { readonly BYTES_PER_ELEMENT?: number; readonly length: number; [i: number]: number };
  if (!ArrayBuffer.isView(target) || bytes.BYTES_PER_ELEMENT !== 1 || bytes.length !== n * size) return false;
  // An array of bytes keeps the low 8 bits of what it is given: an int8 -1 lands in a Uint8Array as 255, a byte of
  // 200 in an Int8Array as -56, the same bits.
  if (size === 1) {
    for (let i = 0; i < n; i++) bytes[i] = (values as ArrayLike<number>)[i]!;
    return true;
  }
  // The scratch seen as the WebNN type: values of another array type (webgl reads an int32 tensor's values back for a
  // float32 one) are converted by value, as a typed array's set() does.
  const scratchOfType = SCRATCH_OF_TYPE[t] as { set(from: ArrayLike<number>): void } | undefined;
  if (!scratchOfType) return false;
  scratchOfType.set(values as ArrayLike<number>);
  for (let i = 0; i < n * size; i++) bytes[i] = scratchBytes[i]!;
  return true;
}

/** Values read from a TF.js tensor -> WebNN bytes, written into `target` (a byte view of the right length). */
export function storageToBytes(values: ArrayLike<number>, t: MLOperandDataType, target: Uint8Array): void {
  const n = values.length;
  const buffer = target.buffer;
  const offset = target.byteOffset;
  // Unaligned targets are written through a scratch copy.
  const aligned = offset % byteSizeOf(t) === 0;
  const dst = aligned ? target : new Uint8Array(target.byteLength);
  const dBuf = dst.buffer;
  const dOff = dst.byteOffset;
  switch (t) {
    case 'float32': new Float32Array(dBuf, dOff, n).set(values); break;
    case 'int32': case 'uint32': new Int32Array(dBuf, dOff, n).set(values); break;
    case 'float16': {
      const out = new Uint16Array(dBuf, dOff, n);
      for (let i = 0; i < n; i++) out[i] = numberToFloat16Bits(values[i]!);
      break;
    }
    case 'int8': {
      const out = new Int8Array(dBuf, dOff, n);
      for (let i = 0; i < n; i++) out[i] = values[i]!;
      break;
    }
    case 'uint8': {
      const out = new Uint8Array(dBuf, dOff, n);
      for (let i = 0; i < n; i++) out[i] = values[i]!;
      break;
    }
    case 'int64': case 'uint64':
      throw new TypeError(`${t} tensors are not supported by this implementation`);
  }
  if (!aligned) new Uint8Array(buffer, offset, target.byteLength).set(dst);
}

/** WebNN bytes of a uint32, int64 or uint64 tensor -> its host array (a copy). */
export function bytesToHost(bytes: Uint8Array, t: HostDataType): HostValues {
  const copy = bytes.slice().buffer as ArrayBuffer;
  switch (t) {
    case 'uint32': return new Uint32Array(copy);
    case 'int64': return new BigInt64Array(copy);
    case 'uint64': return new BigUint64Array(copy);
  }
}

/**
 * WebNN bytes of type `t` written over the values of a host array of that type and byte length: false when not that
 * length.
 */
export function bytesOverHost(bytes: Uint8Array, values: HostValues, t: HostDataType): boolean {
  if (bytes.byteLength !== values.byteLength) return false;
  const from = SCRATCH_OF_TYPE[t];
  if (from && bytes.byteLength <= SMALL_BYTES) {
    // Through the scratch buffer: a view of a small typed array's memory costs it an ArrayBuffer of its own.
    scratchBytes.set(bytes, 0);
    for (let i = 0; i < values.length; i++) values[i] = from[i]!;
    return true;
  }
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength).set(bytes);
  return true;
}

/** A host array of a uint32, int64 or uint64 tensor -> WebNN bytes, written into `target`. */
export function hostToBytes(values: HostValues, target: Uint8Array): void {
  target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}
