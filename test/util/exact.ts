/**
 * Exact values for every data type: int64 and uint64 as bigints (beyond 2^53), the others as numbers. Complements
 * harness.ts, whose numbers read int64 through Number().
 */
import type { MLOperand } from '../../src/api/operand.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../../src/types/float16.js';
import { runGraphWith } from './harness.js';

export type Element = number | bigint;

export interface ExactValue {
  dataType: MLOperandDataType;
  shape: number[];
  data: readonly Element[];
}

const isBig = (t: MLOperandDataType) => t === 'int64' || t === 'uint64';

export function exactArrayFor(value: ExactValue): ArrayBufferView {
  const d = value.data;
  const big = (x: Element) => BigInt(x);
  const num = (x: Element) => Number(x);
  switch (value.dataType) {
    case 'float32': return Float32Array.from(d, num);
    case 'float16': return Uint16Array.from(d, (x) => numberToFloat16Bits(Number(x)));
    case 'int32': return Int32Array.from(d, num);
    case 'uint32': return Uint32Array.from(d, num);
    case 'int8': return Int8Array.from(d, num);
    case 'uint8': return Uint8Array.from(d, num);
    case 'int64': return BigInt64Array.from(d, big);
    case 'uint64': return BigUint64Array.from(d, big);
  }
}

export function exactFrom(buffer: ArrayBuffer, dataType: MLOperandDataType): Element[] {
  switch (dataType) {
    case 'float32': return Array.from(new Float32Array(buffer));
    case 'float16': return Array.from(new Uint16Array(buffer), float16BitsToNumber);
    case 'int32': return Array.from(new Int32Array(buffer));
    case 'uint32': return Array.from(new Uint32Array(buffer));
    case 'int8': return Array.from(new Int8Array(buffer));
    case 'uint8': return Array.from(new Uint8Array(buffer));
    case 'int64': return Array.from(new BigInt64Array(buffer));
    case 'uint64': return Array.from(new BigUint64Array(buffer));
  }
}

/** Elements as the test expects them: bigints for int64/uint64, numbers otherwise. */
export function asType(data: readonly Element[], dataType: MLOperandDataType): Element[] {
  return data.map((x) => (isBig(dataType) ? BigInt(x) : Number(x)));
}

export interface ExactResult {
  dataType: MLOperandDataType;
  shape: number[];
  data: Element[];
}

/** As harness.runGraph, with exact values in and out. */
export function runExact(backend: BackendName, inputs: Record<string, ExactValue>,
  build: (b: MLGraphBuilder, inputs: Record<string, MLOperand>) => Record<string, MLOperand>): Promise<Record<string, ExactResult>> {
  return runGraphWith(backend, inputs, build, exactArrayFor, exactFrom);
}

/** A constant operand of exact values. */
export function exactConstant(b: MLGraphBuilder, value: ExactValue): MLOperand {
  return b.constant({ dataType: value.dataType, shape: value.shape }, exactArrayFor(value) as Uint8Array);
}

/** Strict equality per element (NaN equals NaN, -0 differs from +0 only for floats). */
export function sameElements(actual: readonly Element[], expected: readonly Element[]): boolean {
  return actual.length === expected.length && actual.every((x, i) => Object.is(x, expected[i]));
}

const show = (x: unknown): string => JSON.stringify(x, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/**
 * Deep equality of arrays (nested) of numbers and bigints: Object.is per element, so 0 and -0, 1 and 1n differ and
 * NaN equals NaN. Runs in Node and in the browser.
 */
export function assertExact(actual: unknown, expected: unknown, message = ''): void {
  const equal = (a: unknown, e: unknown): boolean => {
    if (Array.isArray(a) && Array.isArray(e)) return a.length === e.length && a.every((x, i) => equal(x, e[i]));
    return Object.is(a, e);
  };
  if (!equal(actual, expected)) throw new Error(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
}

export function assertTrue(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}
