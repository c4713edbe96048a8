/**
 * The shape operators where their shape arguments depend on named dimensions (the dynamic-shape proposal): the
 * arguments are computed in the graph from shape() and constants, as ONNX defines them, and given to the proposal's
 * *Dynamic operations. ops-shape.ts calls these only where a size is a name or an argument is computed at run time;
 * everything static still folds on the host or uses the static operations.
 */
import { hostTensor, toNumbers, type HostTensor } from './host-tensor.js';
import { webnnTypeOf } from './materialize.js';
import type { NodeImport } from './node-import.js';
import {
  asShapeValue, concatValues, dimensionsValue, elements, productOf, reshapeTo, shapeConstant, shapeValueOf,
} from './shape-values.js';
import { dimensionsOf, isStaticShape, type Dimension } from './symbolic.js';
import type { Operand } from './webnn-types.js';

const names = (dims: readonly Dimension[]): string[] => dims.filter((d): d is string => typeof d === 'string').sort();

/** ONNX Shape of an operand with named dimensions: shape(), sliced to [start, end). */
export function shapeValue(n: NodeImport, x: Operand, start: number, end: number): Operand {
  return elements(n, shapeValueOf(n, x), start, Math.max(end - start, 0));
}

/** ONNX Size with named dimensions: the product of the dimensions, a scalar. */
export function sizeValue(n: NodeImport, x: Operand): Operand {
  return n.builder.reshape(productOf(n, shapeValueOf(n, x)), []);
}

/** The input's shape value padded with 1s (at the end) or cut to `length` elements. */
function shapeOfLength(n: NodeImport, x: Operand, length: number, padAtStart = false): Operand {
  const rank = x.shape.length;
  if (rank === 0) return shapeConstant(n, new Array<number>(length).fill(1));
  const shape = shapeValueOf(n, x);
  if (rank >= length) return elements(n, shape, padAtStart ? rank - length : 0, length);
  const ones = shapeConstant(n, new Array<number>(length - rank).fill(1));
  return concatValues(n, padAtStart ? [ones, shape] : [shape, ones]);
}

/**
 * Reshape to a host target on an input with named dimensions: the dimensions themselves where 0s copy the names and
 * a -1 takes what the names leave; otherwise the target is computed in the graph like one given at run time.
 */
export function reshapeWithNames(n: NodeImport, x: Operand, target: readonly number[], allowZero: boolean): Operand {
  const input = dimensionsOf(x);
  const dims: Dimension[] = target.map((d, k) => (d === 0 && !allowZero ? input[k]! : d));
  const inferred = dims.indexOf(-1);
  if (inferred >= 0) {
    const others = dims.filter((_, k) => k !== inferred);
    if (names(input).join() !== names(others).join()) return reshapeComputed(n, x, shapeConstant(n, target), allowZero);
    const staticProduct = (list: readonly Dimension[]) => list.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
    const known = staticProduct(others);
    const size = known === 0 ? 0 : staticProduct(input) / known;
    if (!Number.isInteger(size)) throw n.invalid(`cannot reshape [${input.join(', ')}] to [${target.join(', ')}]`);
    dims[inferred] = size;
  }
  return reshapeTo(n, x, dims);
}

/** Reshape to a target computed at run time: ONNX's 0 (copy the input's size) and -1 (what is left) resolved in the graph. */
export function reshapeComputed(n: NodeImport, x: Operand, targetOperand: Operand, allowZero: boolean): Operand {
  const length = targetOperand.shape[0];
  if (targetOperand.shape.length !== 1 || typeof length !== 'number') throw n.invalid('its shape input is not a 1-D tensor');
  const b = n.builder;
  let target = asShapeValue(n, targetOperand);
  const isValue = (v: number) => b.equal(target, shapeConstant(n, [v], true));
  if (!allowZero) target = b.where(isValue(0), shapeOfLength(n, x, length), target);
  const inferred = isValue(-1);
  const known = productOf(n, b.where(inferred, shapeConstant(n, [1], true), target));
  const total = x.shape.length === 0 ? shapeConstant(n, [1]) : productOf(n, shapeValueOf(n, x));
  target = b.where(inferred, b.div(total, known), target);
  return n.dynamic().reshapeDynamic(x, target);
}

/** ONNX Expand (numpy broadcast both ways) where the input has names or the target is computed. */
export function expandDynamic(n: NodeImport, x: Operand, target: HostTensor | null, targetOperand: Operand): Operand {
  const input = dimensionsOf(x);
  if (target) {
    const values = toNumbers(target);
    const rank = Math.max(input.length, values.length);
    const dims = Array.from({ length: rank }, (_, k): Dimension => {
      const a = input[input.length - rank + k] ?? 1;
      const t = values[values.length - rank + k] ?? 1;
      // A target size other than 1 is the result's size whether the input's is 1 or the same.
      return t === 1 ? a : t;
    });
    if (isStaticShape(dims)) return n.builder.expand(x, dims);
    return n.dynamic().expandDynamic(x, dimensionsValue(n, dims, [x]));
  }
  const length = targetOperand.shape[0];
  if (targetOperand.shape.length !== 1 || typeof length !== 'number') throw n.invalid('its shape input is not a 1-D tensor');
  const b = n.builder;
  const rank = Math.max(input.length, length);
  let t = asShapeValue(n, targetOperand);
  if (length < rank) t = concatValues(n, [shapeConstant(n, new Array<number>(rank - length).fill(1)), t]);
  const shape = shapeOfLength(n, x, rank, true);
  const newShape = b.where(b.equal(t, shapeConstant(n, [1], true)), shape, t);
  return n.dynamic().expandDynamic(x, newShape);
}

/** ConstantOfShape with a shape computed at run time: the value expanded to it. */
export function constantOfShapeDynamic(n: NodeImport, value: HostTensor, shape: Operand): Operand {
  const dataType = webnnTypeOf(value.dataType);
  if (!dataType) throw n.unsupported(`a ${value.dataType} value has no WebNN data type`);
  const scalar = n.builder.constant({ dataType, shape: [] }, hostTensor(value.dataType === 'bool' ? 'uint8' : value.dataType, [], [toNumbers(value)[0] ?? 0]).data);
  return n.dynamic().expandDynamic(scalar, asShapeValue(n, shape));
}

/** Range with bounds computed at run time: the proposal's range on the scalars. */
export function rangeDynamic(n: NodeImport): Operand {
  const [start, limit, delta] = [0, 1, 2].map((k) => {
    const operand = n.operand(k);
    return operand.shape.length === 0 ? operand : n.builder.reshape(operand, []);
  });
  return n.dynamic().range(start!, limit!, delta!);
}

/** One of Slice's per-axis arguments: host values, or a 1-D operand computed at run time. */
export type SliceArgument = readonly number[] | Operand;

/**
 * Slice where a sliced axis is a named dimension or starts / ends are computed: per axis, the start and end made
 * non-negative and clamped to the axis as ONNX says, in the graph where they are not static. Positive steps only.
 */
export function sliceDynamic(n: NodeImport, x: Operand, starts: SliceArgument, ends: SliceArgument, axes: readonly number[],
  steps: readonly number[]): Operand {
  const b = n.builder;
  const dims = dimensionsOf(x);
  if (steps.some((s) => s < 0)) throw n.unsupported('a negative step on an axis whose size is known only at run time is not mapped');
  let shape: Operand | null = null;
  const dimension = (axis: number): Operand => {
    const d = dims[axis]!;
    if (typeof d === 'number') return shapeConstant(n, [d]);
    shape ??= shapeValueOf(n, x);
    return elements(n, shape, axis, 1);
  };
  const element = (argument: SliceArgument, k: number): Operand =>
    Array.isArray(argument) ? shapeConstant(n, [(argument as readonly number[])[k]!]) : elements(n, asShapeValue(n, argument as Operand), k, 1);
  const zero = shapeConstant(n, [0], true);
  const resolve = (value: Operand, size: Operand) => {
    const counted = b.where(b.lesser(value, zero), b.add(value, size), value);
    return b.min(b.max(counted, zero), size);
  };
  const startParts: Operand[] = [];
  const sizeParts: Operand[] = [];
  dims.forEach((d, axis) => {
    const k = axes.indexOf(axis);
    if (k < 0) {
      startParts.push(shapeConstant(n, [0]));
      sizeParts.push(typeof d === 'number' ? shapeConstant(n, [d]) : dimension(axis));
      return;
    }
    const size = dimension(axis);
    const start = resolve(element(starts, k), size);
    const end = resolve(element(ends, k), size);
    startParts.push(start);
    // WebNN's sizes are the extent sliced, of which every stride-th element is taken.
    sizeParts.push(b.max(b.sub(end, start), zero));
  });
  const options = steps.some((s) => s !== 1) ? { strides: dims.map((_, axis) => (axes.includes(axis) ? steps[axes.indexOf(axis)]! : 1)) } : {};
  return n.dynamic().sliceDynamic(x, concatValues(n, startParts), concatValues(n, sizeParts), options);
}

/** Squeeze of given axes, or Unsqueeze, on an input with named dimensions: the proposal's rank changes. */
export function squeezeNamed(n: NodeImport, x: Operand, axes: readonly number[] | undefined): Operand {
  if (!axes) throw n.unsupported('a Squeeze without axes on an input with named dimensions has a rank known only at run time');
  return n.dynamic().squeeze(x, { axes: [...axes] });
}

export function unsqueezeNamed(n: NodeImport, x: Operand, axes: readonly number[]): Operand {
  return n.dynamic().unsqueeze(x, [...axes].sort((p, q) => p - q));
}

/** Flatten of an input with named dimensions: the proposal's reshapeTo2d. */
export function flattenNamed(n: NodeImport, x: Operand, axis: number): Operand {
  return n.dynamic().reshapeTo2d(x, { axis });
}

/** Split into equal parts along a named axis (a count), or by sizes computed at run time. */
export function splitDynamic(n: NodeImport, x: Operand, axis: number, splits: Operand | number): Operand[] {
  const value = typeof splits === 'number' ? shapeConstant(n, [splits], true) : asShapeValue(n, splits);
  return n.dynamic().splitDynamic(x, value, { axis });
}

export function tileDynamic(n: NodeImport, x: Operand, repeats: Operand): Operand {
  return n.dynamic().tileDynamic(x, asShapeValue(n, repeats));
}

/** Pad with pads computed at run time: the proposal's padDynamic pads with zeros only. */
export function padDynamic(n: NodeImport, x: Operand, pads: Operand, axes: readonly number[] | null): Operand {
  const rank = x.shape.length;
  const values = asShapeValue(n, pads);
  const count = axes ? axes.length : rank;
  const part = (offset: number) => {
    if (!axes) return elements(n, values, offset, rank);
    return concatValues(n, Array.from({ length: rank }, (_, k) =>
      (axes.includes(k) ? elements(n, values, offset + axes.indexOf(k), 1) : shapeConstant(n, [0]))));
  };
  return n.dynamic().padDynamic(x, part(0), part(count));
}
