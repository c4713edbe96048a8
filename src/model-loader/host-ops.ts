/**
 * Operations on host tensors, for what a model computes from constants and static shapes (Shape -> Gather -> Concat ->
 * Reshape chains and the like): folded at load time so that WebNN sees the constant they produce.
 */
import { elementCount, hostTensor, toNumbers, type HostDataType, type HostTensor } from './host-tensor.js';

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) strides[k] = strides[k + 1]! * shape[k + 1]!;
  return strides;
}

/** The numpy broadcast of two shapes, or null if they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const shape: number[] = [];
  for (let k = 0; k < rank; k++) {
    const x = a[a.length - rank + k] ?? 1;
    const y = b[b.length - rank + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    shape.push(x === 1 ? y : x);
  }
  return shape;
}

/** For each flat position of `outShape`, the flat position of `shape` broadcast to it. */
function broadcastIndices(outShape: readonly number[], shape: readonly number[]): Int32Array {
  const offset = outShape.length - shape.length;
  const strides = stridesOf(shape);
  // The stride of each output axis in `shape`: 0 where `shape` is broadcast along it.
  const along = outShape.map((_, k) => (k < offset || shape[k - offset] === 1 ? 0 : strides[k - offset]!));
  const indices = new Int32Array(elementCount(outShape));
  const position = new Array<number>(outShape.length).fill(0);
  let flat = 0;
  for (let i = 0; i < indices.length; i++) {
    indices[i] = flat;
    for (let k = outShape.length - 1; k >= 0; k--) {
      position[k]!++;
      flat += along[k]!;
      if (position[k]! < outShape[k]!) break;
      flat -= along[k]! * position[k]!;
      position[k] = 0;
    }
  }
  return indices;
}

export function hostBinary(
  a: HostTensor, b: HostTensor, outType: HostDataType, fn: (x: number, y: number) => number,
): HostTensor | null {
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) return null;
  const x = toNumbers(a);
  const y = toNumbers(b);
  const xAt = broadcastIndices(shape, a.shape);
  const yAt = broadcastIndices(shape, b.shape);
  const out = new Array<number>(xAt.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(x[xAt[i]!]!, y[yAt[i]!]!);
  return hostTensor(outType, shape, out);
}

export function hostCast(t: HostTensor, dataType: HostDataType): HostTensor {
  return hostTensor(dataType, t.shape, toNumbers(t));
}

export function hostReshape(t: HostTensor, shape: readonly number[]): HostTensor {
  return { dataType: t.dataType, shape: [...shape], data: t.data };
}

export function hostConcat(list: readonly HostTensor[], axis: number): HostTensor {
  const first = list[0]!;
  const outer = elementCount(first.shape.slice(0, axis));
  const shape = [...first.shape];
  shape[axis] = list.reduce((n, t) => n + t.shape[axis]!, 0);
  const parts = list.map((t) => ({ values: toNumbers(t), inner: elementCount(t.shape.slice(axis)) }));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) for (let i = 0; i < p.inner; i++) out.push(p.values[o * p.inner + i]!);
  }
  return hostTensor(first.dataType, shape, out);
}

/** Gathers along `axis` with indices already made non-negative. */
export function hostGather(t: HostTensor, indices: readonly number[], indicesShape: readonly number[], axis: number): HostTensor {
  const values = toNumbers(t);
  const outer = elementCount(t.shape.slice(0, axis));
  const inner = elementCount(t.shape.slice(axis + 1));
  const size = t.shape[axis]!;
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const index of indices) for (let i = 0; i < inner; i++) out.push(values[(o * size + index) * inner + i]!);
  }
  return hostTensor(t.dataType, [...t.shape.slice(0, axis), ...indicesShape, ...t.shape.slice(axis + 1)], out);
}

/** Elements at starts[k] + j * steps[k] (j < sizes[k]) on every axis. */
export function hostSlice(
  t: HostTensor, starts: readonly number[], sizes: readonly number[], steps: readonly number[],
): HostTensor {
  const values = toNumbers(t);
  const strides = stridesOf(t.shape);
  const out: number[] = [];
  const walk = (axis: number, offset: number): void => {
    if (axis === t.shape.length) {
      out.push(values[offset]!);
      return;
    }
    for (let j = 0; j < sizes[axis]!; j++) walk(axis + 1, offset + (starts[axis]! + j * steps[axis]!) * strides[axis]!);
  };
  walk(0, 0);
  return hostTensor(t.dataType, sizes, out);
}
