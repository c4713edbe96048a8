/** Single-operator ONNX models for the importer's tests, and their inputs as float32 data. */
import { ELEM, OnnxModelWriter, type OnnxAttribute } from '../browser/onnx/model-writer.js';
import { randomData, representable, size } from '../util/harness.js';
import type { Tensor } from './reference.js';

export { ELEM, OnnxModelWriter };

/** Seeded float32 values in [lo, hi), as a reference tensor (already float32-representable). */
export function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  return { shape, data: representable(randomData(size(shape), seed, lo, hi), 'float32') };
}

export interface NodeInput {
  name: string;
  tensor: Tensor;
  /** A graph input (default), or an initializer of that element type. */
  initializer?: 'float32' | 'int64';
}

/** ±2^63 (what INT64_MAX and -INT64_MAX are as numbers) as the int64 limits ±(2^63 - 1), which exporters write. */
function int64Of(v: number): bigint {
  if (v >= 2 ** 63) return 2n ** 63n - 1n;
  if (v <= -(2 ** 63)) return -(2n ** 63n) + 1n;
  return BigInt(v);
}

/** A model of one node: its inputs (graph inputs or initializers) and one float (or given type) output named 'y'. */
export function singleNodeModel(opType: string, opset: number, inputs: readonly (NodeInput | '')[],
  attributes: Record<string, OnnxAttribute> = {}, outputElemType: number = ELEM.float): Uint8Array {
  const w = new OnnxModelWriter(opset, 8);
  const names = inputs.map((i) => {
    if (i === '') return '';
    if (i.initializer === 'int64') return w.initializer(i.name, i.tensor.shape, BigInt64Array.from(i.tensor.data, int64Of));
    if (i.initializer) return w.initializer(i.name, i.tensor.shape, Float32Array.from(i.tensor.data));
    return w.input(i.name, i.tensor.shape);
  });
  w.nodeWithOutputs(opType, `${opType}_0`, names, ['y'], attributes);
  w.output('y', null, outputElemType);
  return w.encode();
}

/** The graph inputs of a single-node model, as compute() takes them. */
export function feeds(inputs: readonly (NodeInput | '')[]) {
  return Object.fromEntries(inputs.flatMap((i) => (i === '' || i.initializer ? [] :
    [[i.name, { shape: i.tensor.shape, data: Float32Array.from(i.tensor.data) }]])));
}

/** A tensor of a contrib operator's model: a graph input, or a constant (initializer) with constant: true. */
export interface ContribTensor {
  name: string;
  shape: number[];
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;
  /** Needed where the array does not say it (float16 bits in a Uint16Array). */
  elemType?: number;
  constant?: boolean;
}

const elemTypeOfData = (t: ContribTensor): number => t.elemType ?? (t.data instanceof Float32Array ? ELEM.float
  : t.data instanceof BigInt64Array ? ELEM.int64 : t.data instanceof Int32Array ? ELEM.int32 : ELEM.uint8);

/**
 * A model of one node of another domain (com.microsoft by default, opset 1), the default domain at opset 17: its
 * inputs and the outputs named (float32 unless an element type is given; '' leaves an optional output out).
 */
export function contribModel(opType: string, inputs: readonly (ContribTensor | '')[], attributes: Record<string, OnnxAttribute>,
  outputs: readonly (string | { name: string; elemType: number })[] = ['y'], domain = 'com.microsoft'): Uint8Array {
  const w = new OnnxModelWriter(17, 8);
  const names = inputs.map((t) => {
    if (t === '') return '';
    if (t.constant) return w.initializer(t.name, t.shape, t.data, { elemType: elemTypeOfData(t) });
    return w.input(t.name, t.shape, elemTypeOfData(t));
  });
  const outputNames = outputs.map((o) => (typeof o === 'string' ? o : o.name));
  w.nodeWithOutputs(opType, `${opType}_0`, names, outputNames, attributes, domain);
  for (const o of outputs) {
    if (typeof o === 'string') {
      if (o !== '') w.output(o, null);
    } else {
      w.output(o.name, null, o.elemType);
    }
  }
  return w.encode(domain ? [{ domain, version: 1 }] : []);
}

/** The graph inputs of a contrib operator's model, as runModel takes them. */
export function contribFeeds(inputs: readonly (ContribTensor | '')[]) {
  return Object.fromEntries(inputs.flatMap((t) => (t === '' || t.constant ? [] : [[t.name, { shape: t.shape, data: t.data }]])));
}
