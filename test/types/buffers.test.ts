/**
 * Buffer handling: the spec's "validate buffer with descriptor" (byte length; a Uint8Array, ArrayBuffer or
 * SharedArrayBuffer fits any type; otherwise the view type of the data type, float16 also as Uint16Array raw bits or
 * a Float16Array, native or @petamoriken/float16's), detached buffers, and the byte <-> TF.js storage conversions.
 */
import { Float16Array as Float16ArrayFallback } from '@petamoriken/float16';
import { bytesToStorage, smallToByteArray, storageToBytes } from '../../src/types/convert.js';
import { bufferMismatch, bytesOf, copyBytes, isBufferSource, isDetached, type BufferSource } from '../../src/types/data-type.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';

const NativeFloat16Array = (globalThis as { Float16Array?: new (n: number) => ArrayBufferView }).Float16Array;

function fits(source: unknown, dataType: MLOperandDataType, count: number): boolean {
  return bufferMismatch(source as BufferSource, dataType, count) === null;
}

describe('validate buffer with descriptor', () => {
  it('accepts the view type of each data type, and Uint8Array, ArrayBuffer, SharedArrayBuffer for any type', () => {
    const views: [MLOperandDataType, ArrayBufferView][] = [
      ['float32', new Float32Array(2)], ['int32', new Int32Array(2)], ['uint32', new Uint32Array(2)],
      ['int64', new BigInt64Array(2)], ['uint64', new BigUint64Array(2)], ['int8', new Int8Array(2)],
      ['uint8', new Uint8Array(2)], ['float16', new Uint16Array(2)],
    ];
    for (const [dataType, view] of views) {
      if (!fits(view, dataType, 2)) throw new Error(`${view.constructor.name} for ${dataType}`);
      const bytes = 2 * (view as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      for (const any of [new Uint8Array(bytes), new ArrayBuffer(bytes),
        ...(typeof SharedArrayBuffer === 'function' ? [new SharedArrayBuffer(bytes)] : [])]) {
        if (!fits(any, dataType, 2)) throw new Error(`${any.constructor.name} for ${dataType}`);
      }
      for (const [otherType, other] of views) {
        if (otherType === dataType || other instanceof Uint8Array) continue;
        if (other.byteLength === view.byteLength && fits(other, dataType, 2)) {
          throw new Error(`${other.constructor.name} must not fit ${dataType}`);
        }
      }
    }
    if (!fits(new Float16ArrayFallback(3), 'float16', 3)) throw new Error('@petamoriken/float16 Float16Array');
    if (NativeFloat16Array && !fits(new NativeFloat16Array(3), 'float16', 3)) throw new Error('native Float16Array');
    if (fits(new Float16ArrayFallback(2), 'int32', 1)) throw new Error('a Float16Array holds float16 only');
    if (fits(new DataView(new ArrayBuffer(4)), 'float32', 1)) throw new Error('a DataView matches no data type');
    if (fits(new Uint8ClampedArray(4), 'float32', 1)) throw new Error('Uint8ClampedArray is not Uint8Array');
    if (fits(new Int16Array(2), 'float16', 2)) throw new Error('Int16Array is not float16');
  });

  it('requires the exact byte length of the descriptor', () => {
    if (fits(new Float32Array(3), 'float32', 2) || fits(new Uint8Array(7), 'float32', 2)) throw new Error('byte length');
    const mismatch = bufferMismatch(new Float32Array(3), 'float32', 2);
    if (!mismatch?.includes('12') || !mismatch.includes('8')) throw new Error(`message: ${mismatch}`);
  });

  it('knows buffer sources, including the Float16Array fallback (not an ArrayBuffer view)', () => {
    for (const x of [new ArrayBuffer(1), new Uint8Array(1), new DataView(new ArrayBuffer(1)), new Float16ArrayFallback(1)]) {
      if (!isBufferSource(x)) throw new Error(`${Object.prototype.toString.call(x)}`);
    }
    for (const x of [[1], {}, 'abc', null, undefined, 1]) if (isBufferSource(x)) throw new Error(`${String(x)}`);
    const f16 = new Float16ArrayFallback([1, 2]);
    const bytes = bytesOf(f16 as unknown as BufferSource);
    if (bytes.byteLength !== 4 || new Uint16Array(bytes.buffer, bytes.byteOffset, 2)[0] !== 0x3c00) throw new Error('bytesOf');
  });

  it('detects detached buffers and views, and copies bytes of views at an offset', () => {
    const buffer = new ArrayBuffer(8);
    const view = new Float32Array(buffer, 4, 1);
    if (isDetached(buffer) || isDetached(view)) throw new Error('not detached yet');
    structuredClone(buffer, { transfer: [buffer] });
    if (!isDetached(buffer) || !isDetached(view)) throw new Error('detached');
    if (fits(view, 'float32', 1)) throw new Error('a detached view has no bytes');
    const source = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const copy = copyBytes(source.subarray(2, 5));
    source[3] = 99;
    if (Array.from(copy).join() !== '3,4,5') throw new Error(`copy ${copy}`);
  });
});

describe('bytes <-> TF.js storage', () => {
  it('int8 sign-extends, uint8 zero-extends into int32; results take the low byte back', () => {
    const int8 = bytesToStorage(new Uint8Array(new Int8Array([-128, -1, 0, 127]).buffer), 'int8');
    const uint8 = bytesToStorage(new Uint8Array([0, 1, 128, 255]), 'uint8');
    if (!(int8 instanceof Int32Array) || Array.from(int8).join() !== '-128,-1,0,127') throw new Error(`int8 ${int8}`);
    if (!(uint8 instanceof Int32Array) || Array.from(uint8).join() !== '0,1,128,255') throw new Error(`uint8 ${uint8}`);
    const out = new Uint8Array(4);
    storageToBytes([-129, 128, 256, -1], 'int8', out);
    if (Array.from(new Int8Array(out.buffer)).join() !== '127,-128,0,-1') throw new Error(`int8 out ${out}`);
    storageToBytes([-1, 256, 257, 255], 'uint8', out);
    if (Array.from(out).join() !== '255,0,1,255') throw new Error(`uint8 out ${out}`);
  });

  it('reads and writes at unaligned byte offsets', () => {
    const backing = new Uint8Array(13);
    const values = new Float32Array([1.5, -2, 1e-3]);
    backing.set(new Uint8Array(values.buffer), 1);
    const storage = bytesToStorage(backing.subarray(1, 13), 'float32');
    if (Array.from(storage).join() !== Array.from(values).join()) throw new Error(`read ${storage}`);
    const target = new Uint8Array(15).fill(7);
    storageToBytes(values, 'float32', target.subarray(3, 15));
    if (target[2] !== 7 || new Float32Array(target.slice(3).buffer).join() !== values.join()) throw new Error('write');
    const halves = new Uint8Array(7).fill(9);
    storageToBytes([1, -2, 0.5], 'float16', halves.subarray(1, 7));
    if (Array.from(new Uint16Array(halves.slice(1).buffer)).join() !== [0x3c00, 0xc000, 0x3800].join() || halves[0] !== 9) {
      throw new Error(`float16 write ${halves}`);
    }
  });
});

describe('small reads into arrays of bytes', () => {
  it('write the WebNN type\'s bytes whatever array type the values come in, and refuse what they do not fit', () => {
    // webgl reads an int32 tensor's values back for a float32 output: converted by value, as storageToBytes does.
    const cases: [MLOperandDataType, ArrayLike<number> | BigInt64Array, ArrayBufferView][] = [
      ['float32', Int32Array.of(1, -2, 3), new Float32Array([1, -2, 3])],
      ['float32', Float32Array.of(0.5, -0, NaN), new Float32Array([0.5, -0, NaN])],
      ['int32', Float32Array.of(7, -8), new Int32Array([7, -8])],
      ['int8', Int32Array.of(-1, 127, -128), new Int8Array([-1, 127, -128])],
      ['uint8', Int32Array.of(255, 0, 200), new Uint8Array([255, 0, 200])],
      ['int64', BigInt64Array.of(-1n, 2n ** 62n), new BigInt64Array([-1n, 2n ** 62n])],
    ];
    for (const [dataType, values, expected] of cases) {
      const want = new Uint8Array(expected.buffer);
      for (const Destination of [Uint8Array, Int8Array]) {
        const target = new Destination(want.length);
        if (!smallToByteArray(values as ArrayLike<number>, dataType, target)) throw new Error(`${dataType} into ${Destination.name} refused`);
        const got = new Uint8Array(target.buffer);
        if (got.some((v, i) => v !== want[i])) throw new Error(`${dataType} from ${values.constructor.name} into ${Destination.name}: ${got.join()}, expected ${want.join()}`);
      }
    }
    if (smallToByteArray(Float32Array.of(1), 'float32', new Uint8Array(5))) throw new Error('a target of another length was written');
    if (smallToByteArray(Float32Array.of(1), 'float32', new Uint16Array(2))) throw new Error('a target of two-byte elements was written');
    if (smallToByteArray(new Float32Array(65), 'float32', new Uint8Array(260))) throw new Error('more than 256 bytes went through the scratch buffer');
    if (smallToByteArray(Uint16Array.of(1), 'float16', new Uint8Array(2))) throw new Error('float16 values were written as stored');
  });
});
