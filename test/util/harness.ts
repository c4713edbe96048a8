/**
 * Shared test harness: the same test files run under mocha in Node (cpu, wasm) and in headless Chromium through
 * karma (webgl, wasm, cpu). Expected values are always computed by the test itself, in float64.
 */
import { installNow } from '../../src/index.js';
import { dynamicShapesEnabled, setDynamicShapes } from '../../src/api/proposal.js';
import type { MLContext } from '../../src/api/context.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../../src/types/float16.js';

// WEBNN_TEST_DYNAMIC_SHAPES=1 runs every test with the dynamic-shape proposal switched on: static graphs must behave
// exactly as without it.
const dynamicShapes = (typeof process !== 'undefined' ? process.env['WEBNN_TEST_DYNAMIC_SHAPES'] : undefined) === '1' ||
  (globalThis as { WEBNN_TEST_DYNAMIC_SHAPES?: boolean }).WEBNN_TEST_DYNAMIC_SHAPES === true;
installNow({ dynamicShapes });

const isBrowser = typeof window !== 'undefined';
export const BACKENDS: readonly BackendName[] = (() => {
  const requested = (globalThis as { WEBNN_TEST_BACKENDS?: string }).WEBNN_TEST_BACKENDS ??
    (typeof process !== 'undefined' ? process.env['WEBNN_TEST_BACKENDS'] : undefined);
  if (requested) return requested.split(',') as BackendName[];
  return isBrowser ? ['webgl', 'wasm', 'cpu'] : ['cpu', 'wasm'];
})();

const contexts = new Map<BackendName, Promise<MLContext>>();

/**
 * One context per backend, shared by the tests. A test that loses it (a dispatch failing loses the context) fails on
 * its own: the tests after it get a new one.
 */
export function contextFor(backend: BackendName): Promise<MLContext> {
  let ctx = contexts.get(backend);
  if (!ctx) {
    const created = (navigator as unknown as { ml: { createContext(o: object): Promise<MLContext> } }).ml
      .createContext({ tfjsBackend: backend });
    ctx = created;
    contexts.set(backend, created);
    void created.then((context) => context.lost.then(() => {
      if (contexts.get(backend) === created) contexts.delete(backend);
    }), () => undefined);
  }
  return ctx;
}

export async function builderFor(backend: BackendName): Promise<MLGraphBuilder> {
  const ctx = await contextFor(backend);
  const Builder = (globalThis as unknown as { MLGraphBuilder: new (c: MLContext) => MLGraphBuilder }).MLGraphBuilder;
  return new Builder(ctx);
}

/**
 * In the enclosing describe block, the dynamic-shape proposal switched on (or off), and restored afterwards as it was
 * (WEBNN_TEST_DYNAMIC_SHAPES=1 runs every file with it on).
 */
export function withDynamicShapes(enabled: boolean): void {
  let wasEnabled = false;
  before(() => {
    wasEnabled = dynamicShapesEnabled();
    setDynamicShapes(enabled);
  });
  after(() => setDynamicShapes(wasEnabled));
}

/** Runs `body` as a mocha describe block once per backend under test. */
export function forEachBackend(title: string, body: (backend: BackendName) => void): void {
  for (const backend of BACKENDS) describe(`${title} [${backend}]`, () => body(backend));
}

export interface TensorValue {
  dataType: MLOperandDataType;
  shape: number[];
  /** Numbers in the WebNN type's value space (float16 given as ordinary numbers). */
  data: readonly number[];
}

export function typedArrayFor(value: TensorValue): ArrayBufferView {
  const d = value.data;
  switch (value.dataType) {
    case 'float32': return Float32Array.from(d);
    case 'float16': return Uint16Array.from(d, numberToFloat16Bits);
    case 'int32': return Int32Array.from(d);
    case 'uint32': return Uint32Array.from(d);
    case 'int8': return Int8Array.from(d);
    case 'uint8': return Uint8Array.from(d);
    case 'int64': return BigInt64Array.from(d, (x) => BigInt(x));
    case 'uint64': return BigUint64Array.from(d, (x) => BigInt(x));
  }
}

export function numbersFrom(buffer: ArrayBuffer, dataType: MLOperandDataType): number[] {
  switch (dataType) {
    case 'float32': return Array.from(new Float32Array(buffer));
    case 'float16': return Array.from(new Uint16Array(buffer), float16BitsToNumber);
    case 'int32': return Array.from(new Int32Array(buffer));
    case 'uint32': return Array.from(new Uint32Array(buffer));
    case 'int8': return Array.from(new Int8Array(buffer));
    case 'uint8': return Array.from(new Uint8Array(buffer));
    case 'int64': return Array.from(new BigInt64Array(buffer), Number);
    case 'uint64': return Array.from(new BigUint64Array(buffer), Number);
  }
}

export interface RunResult {
  dataType: MLOperandDataType;
  shape: number[];
  data: number[];
}

/**
 * Builds a graph with `inputs` as graph inputs (constants: pass them through `b.constant` yourself), dispatches once
 * and reads every output back: values go in through `encode` and come out through `decode`.
 */
export async function runGraphWith<In extends { dataType: MLOperandDataType; shape: number[] }, Out>(backend: BackendName,
  inputs: Record<string, In>, build: (b: MLGraphBuilder, inputs: Record<string, MLOperand>) => Record<string, MLOperand>,
  encode: (value: In) => ArrayBufferView, decode: (buffer: ArrayBuffer, dataType: MLOperandDataType) => Out[]):
  Promise<Record<string, { dataType: MLOperandDataType; shape: number[]; data: Out[] }>> {
  const ctx = await contextFor(backend);
  const b = await builderFor(backend);
  const operands: Record<string, MLOperand> = {};
  for (const [name, v] of Object.entries(inputs)) operands[name] = b.input(name, { dataType: v.dataType, shape: v.shape });
  const outputs = build(b, operands);
  const graph = await b.build(outputs);
  const inTensors: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(inputs)) {
    const t = await ctx.createTensor({ dataType: v.dataType, shape: v.shape, writable: true });
    ctx.writeTensor(t, encode(v) as Uint8Array);
    inTensors[name] = t;
  }
  const outTensors: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(outputs)) {
    outTensors[name] = await ctx.createTensor({ dataType: o.dataType, shape: [...o.shape], readable: true });
  }
  ctx.dispatch(graph, inTensors as never, outTensors as never);
  const result: Record<string, { dataType: MLOperandDataType; shape: number[]; data: Out[] }> = {};
  for (const [name, o] of Object.entries(outputs)) {
    const buffer = await ctx.readTensor(outTensors[name] as never);
    result[name] = { dataType: o.dataType, shape: [...o.shape], data: decode(buffer, o.dataType) };
  }
  for (const t of [...Object.values(inTensors), ...Object.values(outTensors)]) (t as { destroy(): void }).destroy();
  graph.destroy();
  return result;
}

/** runGraphWith for plain numbers (int64 read through Number()). */
export function runGraph(backend: BackendName, inputs: Record<string, TensorValue>,
  build: (b: MLGraphBuilder, inputs: Record<string, MLOperand>) => Record<string, MLOperand>): Promise<Record<string, RunResult>> {
  return runGraphWith(backend, inputs, build, typedArrayFor, numbersFrom);
}

export interface Tolerance {
  /** Absolute tolerance. */
  atol?: number;
  /** Relative tolerance. */
  rtol?: number;
}

/** Default tolerances: exact for integers; for floats, a few float32 (or float16) ulps relative. */
export function defaultTolerance(dataType: MLOperandDataType): Tolerance {
  if (dataType === 'float32') return { atol: 1e-6, rtol: 1e-5 };
  if (dataType === 'float16') return { atol: 1e-3, rtol: 2e-3 };
  return { atol: 0, rtol: 0 };
}

export function assertClose(actual: RunResult, expected: { shape: number[]; data: readonly number[] }, tolerance?: Tolerance,
  message = ''): void {
  const tol = { ...defaultTolerance(actual.dataType), ...tolerance };
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(`${message} shape [${actual.shape}] != expected [${expected.shape}]`);
  }
  if (actual.data.length !== expected.data.length) {
    throw new Error(`${message} length ${actual.data.length} != expected ${expected.data.length}`);
  }
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) throw new Error(`${message} [${i}]: ${a} != expected NaN`);
      continue;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) throw new Error(`${message} [${i}]: ${a} != expected ${e}`);
      continue;
    }
    const limit = tol.atol! + tol.rtol! * Math.abs(e);
    if (!(Math.abs(a - e) <= limit)) {
      throw new Error(`${message} [${i}]: ${a} != expected ${e} (|diff| ${Math.abs(a - e)} > ${limit})`);
    }
  }
}

/** Asserts that `fn` throws (or its promise rejects) with the named error. */
export async function assertThrows(fn: () => unknown, name: string, messagePart?: string | RegExp): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  if (!error) throw new Error(`expected ${name}, nothing was thrown`);
  const actualName = (error as Error).name;
  if (actualName !== name) throw new Error(`expected ${name}, got ${actualName}: ${(error as Error).message}`);
  if (messagePart !== undefined) {
    const msg = (error as Error).message;
    const ok = typeof messagePart === 'string' ? msg.includes(messagePart) : messagePart.test(msg);
    if (!ok) throw new Error(`error message '${msg}' does not mention ${messagePart}`);
  }
}

/** Deterministic pseudo-random data. */
export function randomData(count: number, seed = 1, lo = -1, hi = 1): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out.push(lo + (hi - lo) * (s / 4294967296));
  }
  return out;
}

/** Rounds test data to what a WebNN type can hold, so references start from the exact same inputs. */
export function representable(data: readonly number[], dataType: MLOperandDataType): number[] {
  if (dataType === 'float32') return data.map(Math.fround);
  if (dataType === 'float16') return data.map((x) => float16BitsToNumber(numberToFloat16Bits(x)));
  return data.map(Math.round);
}

/** Row-major strides and index helpers for references. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Broadcasts a row-major array of `from` shape to `to` shape (float64 reference helper). */
export function broadcastTo(data: readonly number[], from: readonly number[], to: readonly number[]): number[] {
  const out = new Array<number>(size(to));
  const fs = strides(from);
  const offset = to.length - from.length;
  for (let i = 0; i < out.length; i++) {
    let rem = i;
    let src = 0;
    for (let d = 0; d < to.length; d++) {
      const stride = size(to.slice(d + 1));
      const idx = Math.floor(rem / stride);
      rem %= stride;
      const fd = d - offset;
      if (fd >= 0 && from[fd] !== 1) src += idx * fs[fd]!;
    }
    out[i] = data[src]!;
  }
  return out;
}
