import { Float16Array as Float16ArrayFallback, isFloat16Array } from '@petamoriken/float16';

export type MLOperandDataType =
  'float32' | 'float16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'int8' | 'uint8';

export const ALL_DATA_TYPES: readonly MLOperandDataType[] =
  ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64', 'int8', 'uint8'];

/** The two TF.js dtypes every value in an execution plan is held in. */
export type StorageDtype = 'float32' | 'int32';

export function isDataType(value: unknown): value is MLOperandDataType {
  return typeof value === 'string' && (ALL_DATA_TYPES as readonly string[]).includes(value);
}

export function isFloatType(t: MLOperandDataType): boolean {
  return t === 'float32' || t === 'float16';
}

export function byteSizeOf(t: MLOperandDataType): number {
  switch (t) {
    case 'float32': case 'int32': case 'uint32': return 4;
    case 'float16': return 2;
    case 'int64': case 'uint64': return 8;
    case 'int8': case 'uint8': return 1;
  }
}

export function storageDtypeOf(t: MLOperandDataType): StorageDtype {
  return isFloatType(t) ? 'float32' : 'int32';
}

/** %TypedArray%.prototype[@@toStringTag]: a typed array's name (of any realm), undefined for anything else. */
const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype) as object, Symbol.toStringTag)!
  .get! as (this: unknown) => string | undefined;

/** The [[Class]]-like tag of a value; unlike instanceof it also recognises objects from other realms (iframes). */
function tagOf(x: unknown): string {
  // Typed arrays, the common case, without the string Object.prototype.toString builds.
  return typedArrayName.call(x) ?? Object.prototype.toString.call(x).slice(8, -1);
}

const VIEW_TYPE: Record<MLOperandDataType, string> = {
  float32: 'Float32Array', float16: 'Float16Array', int32: 'Int32Array', uint32: 'Uint32Array',
  int64: 'BigInt64Array', uint64: 'BigUint64Array', int8: 'Int8Array', uint8: 'Uint8Array',
};

/** The view type the spec's ArrayBufferView table names for `t` (f16: Float16Array, native or the fallback). */
function viewMatchesType(view: ArrayBufferView, t: MLOperandDataType): boolean {
  if (t === 'float16') {
    // Uint16Array carries raw float16 bits where Float16Array is missing, as the spec's appendix suggests.
    return tagOf(view) === 'Float16Array' || isFloat16Array(view) || tagOf(view) === 'Uint16Array';
  }
  return tagOf(view) === VIEW_TYPE[t];
}

export type BufferSource = ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

/** Bytes of an AllowSharedBufferSource, as a view over the caller's memory (no copy). */
export function bytesOf(source: BufferSource): Uint8Array {
  // Already bytes: a view of the same memory would cost a typed array (and, over a small typed array's memory, an
  // ArrayBuffer for it).
  if (source instanceof Uint8Array) return source;
  if (isArrayBuffer(source) || isSharedArrayBuffer(source)) {
    return new Uint8Array(source as ArrayBuffer);
  }
  if (isFloat16Array(source)) {
    // The fallback Float16Array is a Proxy over a Uint16Array; reach its bytes through buffer/offset.
    const f16 = source as unknown as { buffer: ArrayBuffer; byteOffset: number; byteLength: number };
    return new Uint8Array(f16.buffer, f16.byteOffset, f16.byteLength);
  }
  if (ArrayBuffer.isView(source)) {
    return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  }
  throw new TypeError('not a buffer source');
}

function isSharedArrayBuffer(x: unknown): boolean {
  return tagOf(x) === 'SharedArrayBuffer';
}

function isArrayBuffer(x: unknown): x is ArrayBuffer {
  return tagOf(x) === 'ArrayBuffer';
}

export function isBufferSource(x: unknown): x is BufferSource {
  return isArrayBuffer(x) || isSharedArrayBuffer(x) || ArrayBuffer.isView(x) || isFloat16Array(x);
}

/**
 * The spec's "validate buffer with descriptor": the byte length must match, and a typed view must be the view type
 * of the data type (a Uint8Array fits any type). Returns a reason when invalid.
 */
export function bufferMismatch(source: BufferSource, t: MLOperandDataType, elementCount: number,
  options: { anyViewType?: boolean } = {}): string | null {
  const byteLength = byteLengthOf(source);
  const expected = elementCount * byteSizeOf(t);
  if (byteLength !== expected) {
    return `byte length ${byteLength} does not match the ${expected} bytes of the descriptor` +
      (byteLength === 0 && isDetached(source) ? ' (the buffer is detached)' : '');
  }
  if (options.anyViewType || isArrayBuffer(source) || isSharedArrayBuffer(source) || tagOf(source) === 'Uint8Array') {
    return null;
  }
  if (ArrayBuffer.isView(source) || isFloat16Array(source)) {
    if (!viewMatchesType(source as ArrayBufferView, t)) {
      return `a ${source.constructor.name} cannot hold ${t} data`;
    }
  }
  return null;
}

export function copyBytes(source: BufferSource): Uint8Array {
  return bytesOf(source).slice();
}

/** The byte length of a buffer source, without touching its bytes (0 once it is detached). */
export function byteLengthOf(source: BufferSource): number {
  return (source as { byteLength: number }).byteLength;
}

/**
 * Whether the memory behind `source` is gone (transferred or detached). Where ArrayBuffer.prototype.detached is
 * missing, a detached buffer shows as a zero byte length, which a validated WebNN buffer never has.
 */
export function isDetached(source: BufferSource): boolean {
  const buffer = isArrayBuffer(source) || isSharedArrayBuffer(source)
    ? source as ArrayBuffer : (source as ArrayBufferView).buffer;
  const detached = (buffer as { detached?: boolean }).detached;
  if (detached !== undefined) return detached;
  return byteLengthOf(source) === 0;
}

export { Float16ArrayFallback };
