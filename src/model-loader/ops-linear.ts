/** Matrix products and normalizations. */
import type { Converter, ConverterTable } from './converter.js';
import type { Operand } from './webnn-types.js';

const gemm: Converter = {
  minOpset: 7,
  convert(n) {
    return n.builder.gemm(n.operand(0), n.operand(1), {
      alpha: n.float('alpha', 1),
      beta: n.float('beta', 1),
      aTranspose: n.int('transA', 0) === 1,
      bTranspose: n.int('transB', 0) === 1,
      ...(n.has(2) ? { c: n.operand(2) } : {}),
    });
  },
};

/** MatMul as numpy's matmul: a 1-D operand is a row (first) or a column (second), removed from the result. */
const matMul: Converter = {
  minOpset: 1,
  convert(n) {
    let a = n.operand(0);
    let b = n.operand(1);
    const rowVector = a.shape.length === 1;
    const columnVector = b.shape.length === 1;
    if (rowVector) a = n.builder.reshape(a, [1, a.shape[0]!]);
    if (columnVector) b = n.builder.reshape(b, [b.shape[0]!, 1]);
    const y = n.builder.matmul(a, b);
    if (!rowVector && !columnVector) return y;
    const shape = [...y.shape];
    if (columnVector) shape.splice(-1, 1);
    if (rowVector) shape.splice(-(columnVector ? 1 : 2), 1);
    return n.builder.reshape(y, shape);
  },
};

const batchNormalization: Converter = {
  minOpset: 7,
  convert(n) {
    if (n.opset < 9) n.require(n.int('spatial', 1) === 1, 'spatial = 0 is not mapped');
    n.require(n.int('training_mode', 0) === 0, 'training_mode = 1 is not mapped (inference only)');
    return n.builder.batchNormalization(n.operand(0), n.operand(3), n.operand(4), {
      scale: n.operand(1),
      bias: n.operand(2),
      epsilon: n.float('epsilon', 1e-5),
      axis: 1,
    });
  },
};

/** WebNN's instanceNormalization is 4-D: other ranks run with their spatial axes as one. */
const instanceNormalization: Converter = {
  minOpset: 6,
  convert(n) {
    const input = n.operand(0);
    const shape = input.shape;
    if (shape.length < 3) throw n.invalid(`its input has rank ${shape.length}, below 3`);
    const spatial = shape.slice(2).reduce((p, d) => p * d, 1);
    const x = shape.length === 4 ? input : n.builder.reshape(input, [shape[0]!, shape[1]!, spatial, 1]);
    const y = n.builder.instanceNormalization(x, {
      scale: n.operand(1), bias: n.operand(2), epsilon: n.float('epsilon', 1e-5), layout: 'nchw',
    });
    return shape.length === 4 ? y : n.builder.reshape(y, [...shape]);
  },
};

const layerNormalization: Converter = {
  minOpset: 17,
  convert(n) {
    const input = n.operand(0);
    const rank = input.shape.length;
    const axis = n.axis(n.int('axis', -1), rank);
    const normalized = input.shape.slice(axis);
    // WebNN takes scale and bias of the normalized shape exactly; ONNX lets them broadcast to it.
    const fit = (k: number): Operand => {
      const operand = n.operand(k);
      return operand.shape.join() === normalized.join() ? operand : n.builder.expand(operand, normalized);
    };
    return n.builder.layerNormalization(input, {
      axes: normalized.map((_, k) => axis + k),
      epsilon: n.float('epsilon', 1e-5),
      scale: fit(1),
      ...(n.has(2) ? { bias: fit(2) } : {}),
    });
  },
};

export const LINEAR_CONVERTERS: ConverterTable = [
  ['Gemm', gemm],
  ['MatMul', matMul],
  ['BatchNormalization', batchNormalization],
  ['InstanceNormalization', instanceNormalization],
  ['LayerNormalization', layerNormalization],
];
