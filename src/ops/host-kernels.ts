/**
 * Building blocks of the host lowerings (OpDefinition.lowerHost) for uint32, int64 and uint64 values.
 */
import type { OperandDescriptor } from '../graph/ir.js';
import { withBackend } from '../runtime/placement.js';
import { storageDtypeOf } from '../types/data-type.js';
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
export function byPositions<A>(opName: string, dataInputsOrAll: readonly number[] | 'all'): HostLowering<A> {
  return (inputs, attrs, env) => {
    const dataInputs = dataInputsOrAll === 'all' ? inputs.map((_, i) => i) : dataInputsOrAll;
    const outputType = env.outputs[0]!.dataType;
    let total = 0;
    for (const i of dataInputs) total += inputs[i]?.size ?? 0;
    const elements = hostArrayOf(outputType, total) as unknown as { set(a: HostValues, at: number): void };
    const positionsOf = new Map<number, Int32Array>();
    let offset = 0;
    for (const i of dataInputs) {
      const x = inputs[i];
      if (!x) continue;
      elements.set(x.values, offset);
      positionsOf.set(i, Int32Array.from({ length: x.size }, (_, k) => offset + k));
      offset += x.size;
    }
    const int32 = (d: OperandDescriptor): OperandDescriptor => ({ ...d, dataType: 'int32' });
    const positionEnv: LowerEnv = {
      ...env,
      backend: 'cpu',
      inputs: env.inputs.map((d, i) => (d && positionsOf.has(i) ? int32(d) : d)),
      outputs: env.outputs.map(int32),
    };
    const positions = withBackend('cpu', () => {
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
    const source = elements as unknown as ArrayLike<Element>;
    return positions.map(({ shape, values }, o) => {
      const t = env.outputs[o]!.dataType;
      const out = hostArrayOf(t, values.length) as unknown as Writable;
      for (let k = 0; k < values.length; k++) out[k] = source[values[k]!]!;
      return new HostTensor(t, shape, out as unknown as HostValues);
    });
  };
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
