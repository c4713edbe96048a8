/**
 * Building blocks of the host lowerings (OpDefinition.lowerHost) for uint32, int64 and uint64 values.
 */
import type { OperandDescriptor } from '../graph/ir.js';
import { withBackend } from '../runtime/placement.js';
import { storageDtypeOf } from '../types/data-type.js';
import { castHostValues, wrapBigInt } from '../types/host-convert.js';
import { hostArrayOf, HostTensor, isHostType, type HostValues } from '../types/host-tensor.js';
import { getOp, type HostLowering, type LowerEnv, type Tensor } from './registry.js';

type Element = number | bigint;
type Writable = { [i: number]: Element; length: number };

/**
 * The host lowering of an operation that only moves elements (reshape, transpose, gather, where, ...): its TF.js
 * lowering runs on the cpu backend over the int32 positions of the elements of the `dataInputs` (numbered across
 * those inputs in order), and the outputs take the elements at the positions it produced. Other inputs (indices,
 * condition) are TF.js values and go in as they are.
 */
export function byPositions<A>(opName: string, dataInputsOrAll: readonly number[] | 'all',
  fill?: FilledPositions<A>): HostLowering<A> {
  const lowering: HostLowering<A> = (inputs, givenAttrs, env) => {
    const attrs = fill ? fill.attrs(givenAttrs) : givenAttrs;
    const fillValue = fill?.value(givenAttrs);
    const dataInputs = dataInputsOrAll === 'all' ? inputs.map((_, i) => i) : dataInputsOrAll;
    const outputType = env.outputs[0]!.dataType;
    let total = 0;
    for (const i of dataInputs) total += inputs[i]?.size ?? 0;
    const elements = hostArrayOf(outputType, total) as unknown as { set(a: HostValues, at: number): void };
    /** Where each data input's elements start among all of theirs. */
    const offsets = new Map<number, number>();
    let offset = 0;
    for (const i of dataInputs) {
      const x = inputs[i];
      if (!x) continue;
      elements.set(x.values, offset);
      offsets.set(i, offset);
      offset += x.size;
    }
    const cached = positionsByStep.get(env);
    let positions: readonly ElementPositions[];
    if (cached !== undefined && madeFrom(cached.source, inputs, offsets)) {
      positions = cached.positions;
    } else {
      positions = positionsFromLowering(opName, inputs, offsets, attrs, env);
      const source = positionsSource(inputs, offsets);
      if (source !== null) positionsByStep.set(env, { source, positions });
      else positionsByStep.delete(env);
    }
    const source = elements as unknown as ArrayLike<Element>;
    return positions.map(({ shape, values }, o) => {
      const t = env.outputs[o]!.dataType;
      const out = hostArrayOf(t, values.length) as unknown as Writable;
      for (let k = 0; k < values.length; k++) {
        const at = values[k]!;
        out[k] = at < 0 ? fillValue! : source[at]!;
      }
      return new HostTensor(t, [...shape], out as unknown as HostValues);
    });
  };
  // A fill value is written as the host types hold it (pad's exact int64 value): those alone.
  return fill ? lowering : takingAnyType(lowering);
}

/**
 * Host lowerings that compute every data type exactly as the TF.js lowering does: they move elements, or compare or
 * combine values the host holds exactly (uint8 truth values, float32 numbers, int32).
 */
const anyTypeLowerings = new WeakSet<object>();

function takingAnyType<A>(lowering: HostLowering<A>): HostLowering<A> {
  anyTypeLowerings.add(lowering);
  return lowering;
}

/**
 * Whether `lowering` computes every data type of its operation: a plan runs such an operation on the host, whatever
 * its types, where its inputs are already there (the results of host steps), rather than moving them to a backend.
 */
export function takesAnyType<A>(lowering: HostLowering<A>): boolean {
  return anyTypeLowerings.has(lowering);
}

/** The positions the TF.js lowering of `opName` produces on the cpu backend from the data inputs' positions. */
function positionsFromLowering<A>(opName: string, inputs: readonly (HostTensor | null)[], offsets: ReadonlyMap<number, number>,
  attrs: A, env: LowerEnv): readonly ElementPositions[] {
  const positionsOf = new Map([...offsets].map(([i, start]) => [i, Int32Array.from({ length: inputs[i]!.size }, (_, k) => start + k)]));
  const int32 = (d: OperandDescriptor): OperandDescriptor => ({ ...d, dataType: 'int32' });
  const positionEnv: LowerEnv = {
    ...env,
    backend: 'cpu',
    inputs: env.inputs.map((d, i) => (d && positionsOf.has(i) ? int32(d) : d)),
    outputs: env.outputs.map(int32),
  };
  return withBackend('cpu', () => {
    const { tf } = env;
    const produced = tf.tidy(() => {
      const tensors = inputs.map((x, i) => {
        if (!x) return null;
        const own = positionsOf.get(i);
        if (own) return tf.tensor(own, [...x.shape], 'int32');
        if (isHostType(x.dataType)) throw new Error(`${opName}: input ${i} is ${x.dataType}, not a TF.js value`);
        return tf.tensor(x.values as Float32Array | Int32Array, [...x.shape], storageDtypeOf(x.dataType));
      });
      const out = getOp(opName).lower(tensors, attrs as Record<string, unknown>, positionEnv);
      return (Array.isArray(out) ? out : [out]).map((t: Tensor) => tf.cast(t, 'int32'));
    });
    const arrays = produced.map((t) => ({ shape: t.shape, values: t.dataSync() as Int32Array }));
    for (const t of produced) t.dispose();
    return arrays;
  });
}

/** Where each output element of a step comes from: a position among its data inputs' elements, or -1 (the fill). */
interface ElementPositions {
  readonly shape: number[];
  readonly values: Int32Array;
}

/**
 * The positions a step of a plan (known by its LowerEnv, made once per step) produced last, and what they were made
 * from. They depend only on the shapes of its inputs and the values of its other inputs (indices, conditions), which a
 * static graph's dispatches mostly repeat: the TF.js kernels that work them out cost more than the step's own work on
 * the small int64 tensors of shape computations.
 */
const positionsByStep = new WeakMap<LowerEnv, { source: PositionsSource; positions: readonly ElementPositions[] }>();

/** Inputs other than the data this many elements at most are kept with the positions; beyond, nothing is kept. */
const MAX_KEYED_ELEMENTS = 256;

/** What positions were made from: each input's shape (null: no input), and a copy of each other input's values. */
interface PositionsSource {
  readonly shapes: readonly (readonly number[] | null)[];
  readonly values: readonly (HostValues | null)[];
}

/** What the positions of a step are made from, copied; null when the other inputs are too large to keep. */
function positionsSource(inputs: readonly (HostTensor | null)[], dataInputs: ReadonlyMap<number, unknown>): PositionsSource | null {
  let kept = 0;
  for (let i = 0; i < inputs.length; i++) if (!dataInputs.has(i)) kept += inputs[i]?.size ?? 0;
  if (kept > MAX_KEYED_ELEMENTS) return null;
  return {
    shapes: inputs.map((x) => (x ? [...x.shape] : null)),
    values: inputs.map((x, i) => (x && !dataInputs.has(i) ? x.values.slice() : null)),
  };
}

/** Whether `inputs` have the shapes and other-input values the positions were made from (no allocation). */
function madeFrom(source: PositionsSource, inputs: readonly (HostTensor | null)[], dataInputs: ReadonlyMap<number, unknown>): boolean {
  if (source.shapes.length !== inputs.length) return false;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    const shape = source.shapes[i];
    if (!x || !shape) {
      if (x || shape) return false;
      continue;
    }
    if (shape.length !== x.shape.length) return false;
    for (let d = 0; d < shape.length; d++) if (shape[d] !== x.shape[d]) return false;
    if (dataInputs.has(i)) continue;
    const kept = source.values[i]!;
    const now = x.values;
    if (kept.constructor !== now.constructor || kept.length !== now.length) return false;
    for (let k = 0; k < now.length; k++) if (kept[k] !== now[k]) return false;
  }
  return true;
}

/**
 * For operations that also write a value of their own (pad's constant): `attrs` makes the TF.js lowering write -1,
 * no position, where the operation writes `value`.
 */
export interface FilledPositions<A> {
  readonly attrs: (attrs: A) => A;
  readonly value: (attrs: A) => Element;
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let d = shape.length - 1, acc = 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/** For each position of `outShape`, the position of the element of `inShape` broadcast to it (numpy rules). */
export function broadcastPositions(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const count = outShape.reduce((a, b) => a * b, 1);
  const result = new Int32Array(count);
  const lead = outShape.length - inShape.length;
  const inStrides = stridesOf(inShape);
  const step = outShape.map((_, k) => (k < lead || inShape[k - lead] === 1 ? 0 : inStrides[k - lead]!));
  for (let p = 0; p < count; p++) {
    let rest = p;
    let at = 0;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const dim = outShape[d]!;
      at += (rest % dim) * step[d]!;
      rest = Math.floor(rest / dim);
    }
    result[p] = at;
  }
  return result;
}

/** Elements of host values as they compute: bigints for int64/uint64 and numbers otherwise. */
export function elementsOf(x: HostTensor): ArrayLike<Element> {
  return x.values as unknown as ArrayLike<Element>;
}

/** out[i] = fn(a[i'], b[i'']) over the broadcast shape of the outputs, into the host array of the output type. */
export function binaryOnHost(a: HostTensor, b: HostTensor, out: OperandDescriptor, fn: (x: Element, y: Element) => Element): HostTensor {
  const pa = broadcastPositions(a.shape, out.shape);
  const pb = broadcastPositions(b.shape, out.shape);
  const va = elementsOf(a);
  const vb = elementsOf(b);
  const result = hostArrayOf(out.dataType, pa.length) as unknown as Writable;
  for (let i = 0; i < pa.length; i++) result[i] = fn(va[pa[i]!]!, vb[pb[i]!]!);
  return new HostTensor(out.dataType, out.shape, result as unknown as HostValues);
}

export function unaryOnHost(x: HostTensor, out: OperandDescriptor, fn: (v: Element) => Element): HostTensor {
  const v = elementsOf(x);
  const result = hostArrayOf(out.dataType, v.length) as unknown as Writable;
  for (let i = 0; i < v.length; i++) result[i] = fn(v[i]!);
  return new HostTensor(out.dataType, out.shape, result as unknown as HostValues);
}

/**
 * Gather and scatter indices of any index type as int32 positions: negative ones count from the end of their
 * dimension (dimAt(i) for element i), anything still outside [0, dim) is clamped into it.
 */
export function positionsInRange(indices: HostTensor, out: OperandDescriptor, dimAt: (i: number) => number): HostTensor {
  const v = elementsOf(indices);
  const result = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const dim = dimAt(i);
    const x = v[i]!;
    let p: number;
    if (typeof x === 'bigint') {
      const wrapped = x < 0n ? x + BigInt(dim) : x;
      p = wrapped < 0n ? 0 : wrapped >= BigInt(dim) ? dim - 1 : Number(wrapped);
    } else {
      const wrapped = x < 0 ? x + dim : x;
      p = Math.min(Math.max(wrapped, 0), dim - 1);
    }
    result[i] = p;
  }
  return new HostTensor(out.dataType, out.shape, result);
}

/**
 * The host lowering of a node whose inputs are all TF.js values but one output is uint32, int64 or uint64 (argMax
 * with outputDataType int64): the TF.js lowering runs on the cpu backend with int32 in place of those outputs, which
 * are then widened (the values, positions, fit int32).
 */
export function int32OutputsWidened<A>(opName: string): HostLowering<A> {
  return (inputs, attrs, env) => withBackend('cpu', () => {
    const { tf } = env;
    const int32Env: LowerEnv = {
      ...env,
      backend: 'cpu',
      outputs: env.outputs.map((d) => (isHostType(d.dataType) ? { ...d, dataType: 'int32' } : d)),
    };
    const produced = tf.tidy(() => {
      const tensors = inputs.map((x) => (x
        ? tf.tensor(x.values as Float32Array | Int32Array, [...x.shape], storageDtypeOf(x.dataType)) : null));
      const out = getOp(opName).lower(tensors, attrs as Record<string, unknown>, int32Env);
      return (Array.isArray(out) ? out : [out]).map((t: Tensor, o) => tf.cast(t, storageDtypeOf(int32Env.outputs[o]!.dataType)));
    });
    const results = produced.map((t, o) => {
      const desc = env.outputs[o]!;
      const values = t.dataSync() as Float32Array | Int32Array;
      return new HostTensor(desc.dataType, t.shape, isHostType(desc.dataType) ? castHostValues(values, 'int32', desc.dataType) : values);
    });
    for (const t of produced) t.dispose();
    return results;
  });
}

/** Integer arithmetic of uint32 / int64 / uint64 in BigInt, wrapped to the type (two's complement, modulo 2^bits). */
export function integerBinaryOnHost<A = Record<string, never>>(fn: (x: bigint, y: bigint) => bigint): HostLowering<A> {
  return ([a, b], _attrs, { outputs }) => {
    const out = outputs[0]!;
    const big = out.dataType === 'int64' || out.dataType === 'uint64';
    return binaryOnHost(a!, b!, out, (x, y) => {
      const r = wrapBigInt(fn(BigInt(x), BigInt(y)), out.dataType);
      return big ? r : Number(r);
    });
  };
}

export function integerUnaryOnHost<A = Record<string, never>>(fn: (x: bigint) => bigint): HostLowering<A> {
  return ([a], _attrs, { outputs }) => {
    const out = outputs[0]!;
    const big = out.dataType === 'int64' || out.dataType === 'uint64';
    return unaryOnHost(a!, out, (x) => {
      const r = wrapBigInt(fn(BigInt(x)), out.dataType);
      return big ? r : Number(r);
    });
  };
}

/** Comparisons of host values (bigints, and numbers the host holds exactly), as uint8 0 / 1. */
export function comparisonOnHost(fn: (x: Element, y: Element) => boolean): HostLowering<Record<string, never>> {
  return takingAnyType(([a, b], _attrs, { outputs }) => binaryOnHost(a!, b!, outputs[0]!, (x, y) => (fn(x, y) ? 1 : 0)));
}

/** A logical operation of uint8 truth values (any non-zero value is true), as uint8 0 / 1. */
export function logicalOnHost(fn: (x: boolean, y: boolean) => boolean): HostLowering<Record<string, never>> {
  return takingAnyType(([a, b], _attrs, { outputs }) => (b
    ? binaryOnHost(a!, b, outputs[0]!, (x, y) => (fn(x !== 0, y !== 0) ? 1 : 0))
    : unaryOnHost(a!, outputs[0]!, (x) => (fn(x !== 0, false) ? 1 : 0))));
}

/** Index of the first smallest (or largest) element along `axis` of integer host values. */
export function argOnHost(x: HostTensor, axis: number, out: OperandDescriptor, largest: boolean): HostTensor {
  const shape = x.shape;
  const n = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const v = elementsOf(x);
  const result = hostArrayOf(out.dataType, outer * inner) as unknown as Writable;
  const big = out.dataType === 'int64' || out.dataType === 'uint64';
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = v[o * n * inner + i]!;
      let at = 0;
      for (let k = 1; k < n; k++) {
        const e = v[(o * n + k) * inner + i]!;
        if (largest ? e > best : e < best) {
          best = e;
          at = k;
        }
      }
      result[o * inner + i] = big ? BigInt(at) : at;
    }
  }
  return new HostTensor(out.dataType, out.shape, result as unknown as HostValues);
}

/**
 * A reduction of integer host values over `axes` (none: each element alone), in BigInt: `map` each element, combine
 * with `step`, wrap the result to the output type (wrapping once at the end equals wrapping every step, modulo 2^n).
 */
export function reduceOnHost(x: HostTensor, axes: readonly number[], out: OperandDescriptor,
  map: (v: bigint) => bigint, step: (acc: bigint, v: bigint) => bigint): HostTensor {
  const shape = x.shape;
  const v = elementsOf(x);
  const reduced = shape.map((_, d) => axes.includes(d));
  // Output position of each input element: its coordinates with the reduced axes dropped, row-major.
  const keptStrides = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1, acc = 1; d >= 0; d--) {
    if (reduced[d]) continue;
    keptStrides[d] = acc;
    acc *= shape[d]!;
  }
  const count = shape.reduce((p, d, i) => (reduced[i] ? p : p * d), 1);
  const acc = new Array<bigint | null>(count).fill(null);
  const coords = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < v.length; i++) {
    let at = 0;
    for (let d = 0; d < shape.length; d++) at += coords[d]! * keptStrides[d]!;
    const e = map(BigInt(v[i]!));
    const previous = acc[at]!;
    acc[at] = previous === null ? e : step(previous, e);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coords[d]! < shape[d]!) break;
      coords[d] = 0;
    }
  }
  const big = out.dataType === 'int64' || out.dataType === 'uint64';
  const result = hostArrayOf(out.dataType, count) as unknown as Writable;
  for (let k = 0; k < count; k++) {
    const r = wrapBigInt(acc[k]!, out.dataType);
    result[k] = big ? r : Number(r);
  }
  return new HostTensor(out.dataType, out.shape, result as unknown as HostValues);
}

/** Running sums of integer host values along `axis`, wrapped to the type. */
export function cumulativeSumOnHost(x: HostTensor, axis: number, exclusive: boolean, reversed: boolean,
  out: OperandDescriptor): HostTensor {
  const shape = x.shape;
  const n = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const v = elementsOf(x);
  const big = out.dataType === 'int64' || out.dataType === 'uint64';
  const result = hostArrayOf(out.dataType, v.length) as unknown as Writable;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let sum = 0n;
      for (let s = 0; s < n; s++) {
        const k = reversed ? n - 1 - s : s;
        const at = (o * n + k) * inner + i;
        const e = BigInt(v[at]!);
        if (!exclusive) sum += e;
        const r = wrapBigInt(sum, out.dataType);
        result[at] = big ? r : Number(r);
        if (exclusive) sum += e;
      }
    }
  }
  return new HostTensor(out.dataType, out.shape, result as unknown as HostValues);
}

/** triangular of host values: elements where the [rows, columns] mask is 0 become zero. */
export function maskedOnHost(x: HostTensor, mask: HostTensor | null, keepAll: boolean, out: OperandDescriptor): HostTensor {
  if (keepAll) return x.clone();
  const v = elementsOf(x);
  const result = hostArrayOf(out.dataType, v.length) as unknown as Writable;
  if (mask) {
    const m = mask.values as Float32Array;
    for (let i = 0; i < v.length; i++) if (m[i % m.length] !== 0) result[i] = v[i]!;
  }
  return new HostTensor(out.dataType, out.shape, result as unknown as HostValues);
}
