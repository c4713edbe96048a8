/** Matrix products and normalizations. */
import type { Converter, ConverterTable } from './converter.js';
import { reshapeTo } from './shape-values.js';
import { dimensionsOf } from './symbolic.js';
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
    if (rowVector) a = reshapeTo(n, a, [1, dimensionsOf(a)[0]!]);
    if (columnVector) b = reshapeTo(n, b, [dimensionsOf(b)[0]!, 1]);
    const y = n.builder.matmul(a, b);
    if (!rowVector && !columnVector) return y;
    const shape = [...dimensionsOf(y)];
    if (columnVector) shape.splice(-1, 1);
    if (rowVector) shape.splice(-(columnVector ? 1 : 2), 1);
    return reshapeTo(n, y, shape);
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

/**
 * LRN: x / (bias + alpha / size * the sum of squares over `size` neighbouring channels) ^ beta. The sum is an average
 * pool of the squares, with the channels as a spatial axis padded with zeros, times size.
 */
const lrn: Converter = {
  minOpset: 1,
  convert(n) {
    const x = n.operand(0);
    if (x.shape.length !== 4) throw n.unsupported(`inputs of rank ${x.shape.length} are not mapped (4-D only)`);
    const [batch, channels, height, width] = x.shape as [number, number, number, number];
    const size = n.int('size', 0);
    if (!(size > 0)) throw n.invalid('size is missing');
    const scalar = (v: number) => n.scalar(x.dataType, v);
    const squares = n.builder.reshape(n.builder.mul(x, x), [batch, 1, channels, height * width]);
    const before = Math.floor((size - 1) / 2);
    const padded = n.builder.pad(squares, [0, 0, before, 0], [0, 0, size - 1 - before, 0]);
    const mean = n.builder.reshape(n.builder.averagePool2d(padded, { windowDimensions: [size, 1] }), [...x.shape]);
    const base = n.builder.add(scalar(n.float('bias', 1)), n.builder.mul(scalar(n.float('alpha', 1e-4)), mean));
    return n.builder.div(x, n.builder.pow(base, scalar(n.float('beta', 0.75))));
  },
};

export const LINEAR_CONVERTERS: ConverterTable = [
  ['LRN', lrn],
  ['Gemm', gemm],
  ['MatMul', matMul],
  ['BatchNormalization', batchNormalization],
  ['InstanceNormalization', instanceNormalization],
  ['LayerNormalization', layerNormalization],
];
