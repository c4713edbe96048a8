/**
 * Shape values computed in the graph, for operators whose shape arguments depend on named dimensions: 1-D integer
 * operands made from shape() and constants, in the type the importer gives ONNX's int64 shape tensors (int64 where
 * the context takes int64 constants, int32 otherwise), which the proposal's shape interpreter resolves at dispatch.
 */
import { hostTensor } from './host-tensor.js';
import type { NodeImport } from './node-import.js';
import { dimensionsOf, isStaticShape, type Dimension, type ShapeDataType } from './symbolic.js';
import type { Operand } from './webnn-types.js';

/** Sizes and indices never reach 2^31; larger values (INT64_MAX as "to the end") say the same clamped. */
const LIMIT = 2 ** 31 - 1;

export function shapeDataType(n: NodeImport): ShapeDataType {
  return n.supports('constant', '', 'int64') ? 'int64' : 'int32';
}

/** A 1-D (or, with `scalar`, 0-D) shape-value constant. */
export function shapeConstant(n: NodeImport, values: readonly number[], scalar = false): Operand {
  const dataType = shapeDataType(n);
  const shape = scalar ? [] : [values.length];
  const clamped = values.map((v) => Math.min(Math.max(v, -LIMIT), LIMIT));
  return n.builder.constant({ dataType, shape }, hostTensor(dataType, shape, clamped).data);
}

/** An integer operand in the shape-value type. */
export function asShapeValue(n: NodeImport, x: Operand): Operand {
  const dataType = shapeDataType(n);
  return x.dataType === dataType ? x : n.builder.cast(x, dataType);
}

/** ONNX Shape: the dimensions of `x` (rank >= 1) as a 1-D operand. */
export function shapeValueOf(n: NodeImport, x: Operand): Operand {
  return asShapeValue(n, n.dynamic().shape(x));
}

/** Elements [start, start + count) of a 1-D operand. */
export function elements(n: NodeImport, v: Operand, start: number, count: number): Operand {
  return start === 0 && count === v.shape[0] ? v : n.builder.slice(v, [start], [count]);
}

export function concatValues(n: NodeImport, parts: readonly Operand[]): Operand {
  return parts.length === 1 ? parts[0]! : n.builder.concat(parts, 0);
}

/**
 * Dimensions (sizes and names) as a 1-D shape value: each name is read off the shape of an operand among `sources`
 * that has it (dimensions with one name have one size).
 */
export function dimensionsValue(n: NodeImport, dims: readonly Dimension[], sources: readonly Operand[]): Operand {
  if (isStaticShape(dims)) return shapeConstant(n, dims);
  const shapes = new Map<Operand, Operand>();
  const parts: Operand[] = [];
  let run: number[] = [];
  for (const d of dims) {
    if (typeof d === 'number') {
      run.push(d);
      continue;
    }
    if (run.length > 0) parts.push(shapeConstant(n, run));
    run = [];
    const source = sources.find((s) => dimensionsOf(s).includes(d));
    if (!source) throw n.unsupported(`the size of the named dimension '${d}' is not read off any of its inputs`);
    let shape = shapes.get(source);
    if (!shape) {
      shape = shapeValueOf(n, source);
      shapes.set(source, shape);
    }
    parts.push(elements(n, shape, dimensionsOf(source).indexOf(d), 1));
  }
  if (run.length > 0) parts.push(shapeConstant(n, run));
  return concatValues(n, parts);
}

/** A reshape to dimensions that may hold names: WebNN's reshape when all are sizes, else reshapeDynamic. */
export function reshapeTo(n: NodeImport, x: Operand, dims: readonly Dimension[], sources: readonly Operand[] = [x]): Operand {
  if (isStaticShape(dims)) return n.builder.reshape(x, dims);
  return n.dynamic().reshapeDynamic(x, dimensionsValue(n, dims, sources));
}

/** The product of a 1-D shape value's elements, as a 1-element operand. */
export function productOf(n: NodeImport, v: Operand): Operand {
  const length = v.shape[0] as number;
  if (length === 0) return shapeConstant(n, [1]);
  if (n.supports('reduceProduct', 'input', v.dataType)) return n.builder.reduceProduct(v, { axes: [0], keepDimensions: true });
  let product = elements(n, v, 0, 1);
  for (let k = 1; k < length; k++) product = n.builder.mul(product, elements(n, v, k, 1));
  return product;
}

/** The size of axis `axis` of `x` as a scalar of `dataType`: a constant when it is static. */
export function dimensionScalar(n: NodeImport, x: Operand, axis: number, dataType: Operand['dataType']): Operand {
  const d = dimensionsOf(x)[axis]!;
  if (typeof d === 'number') return n.scalar(dataType, d);
  const size = n.builder.reshape(elements(n, n.dynamic().shape(x), axis, 1), []);
  return size.dataType === dataType ? size : n.builder.cast(size, dataType);
}
