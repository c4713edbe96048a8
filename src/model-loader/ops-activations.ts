/** Activations WebNN has no single operation for (Mish, Celu, Selu, ThresholdedRelu), Mod and Hardmax, composed. */
import type { Converter, ConverterTable } from './converter.js';
import type { OperandDataType } from './webnn-types.js';

const isFloat = (dataType: OperandDataType) => dataType === 'float32' || dataType === 'float16';

/** x * tanh(softplus(x)). */
const mish: Converter = {
  minOpset: 18,
  convert(n) {
    const x = n.operand(0);
    return n.builder.mul(x, n.builder.tanh(n.builder.softplus(x)));
  },
};

/** max(0, x) + min(0, alpha * (exp(x / alpha) - 1)). */
const celu: Converter = {
  minOpset: 12,
  convert(n) {
    const x = n.operand(0);
    const alpha = n.float('alpha', 1);
    const c = (v: number) => n.scalar(x.dataType, v);
    const negative = n.builder.mul(c(alpha), n.builder.sub(n.builder.exp(n.builder.div(x, c(alpha))), c(1)));
    return n.builder.add(n.builder.relu(x), n.builder.min(negative, c(0)));
  },
};

/** The float32 values ONNX gives as Selu's defaults. */
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

/** gamma * elu(x, alpha). */
const selu: Converter = {
  minOpset: 6,
  convert(n) {
    const x = n.operand(0);
    const elu = n.builder.elu(x, { alpha: n.float('alpha', SELU_ALPHA) });
    return n.builder.mul(elu, n.scalar(x.dataType, n.float('gamma', SELU_GAMMA)));
  },
};

/** x where x > alpha, 0 elsewhere. */
const thresholdedRelu: Converter = {
  minOpset: 10,
  convert(n) {
    const x = n.operand(0);
    const above = n.builder.greater(x, n.scalar(x.dataType, n.float('alpha', 1)));
    return n.builder.where(above, x, n.scalar(x.dataType, 0));
  },
};

/**
 * Mod: fmod 1 is C's fmod (the remainder takes the dividend's sign), fmod 0 the integer remainder that takes the
 * divisor's sign (floating point inputs require fmod 1 in ONNX). Integers: a - (a / b) * b with WebNN's division, which
 * truncates integers; floats: a - trunc(a / b) * b, trunc written as sign * floor(|q|).
 */
const mod: Converter = {
  minOpset: 10,
  convert(n) {
    const a = n.operand(0);
    const b = n.operand(1);
    const fmod = n.int('fmod', 0) === 1;
    const builder = n.builder;
    if (isFloat(a.dataType)) {
      if (!fmod) throw n.invalid('fmod = 0 is defined for integer inputs only');
      const q = builder.div(a, b);
      const truncated = builder.mul(builder.sign(q), builder.floor(builder.abs(q)));
      return builder.sub(a, builder.mul(truncated, b));
    }
    const remainder = builder.sub(a, builder.mul(builder.div(a, b), b));
    if (fmod) return remainder;
    const zero = n.scalar(a.dataType, 0);
    const signsDiffer = builder.logicalXor(builder.lesser(remainder, zero), builder.lesser(b, zero));
    const shift = builder.logicalAnd(builder.logicalNot(builder.equal(remainder, zero)), signsDiffer);
    return builder.add(remainder, builder.where(shift, b, zero));
  },
};

/**
 * Hardmax: 1 at the first maximum along the axis, 0 elsewhere. The first maximum is where x equals the axis's maximum
 * and the running count of such places is one (WebNN's argMax leaves ties to the implementation). Before opset 13 the
 * input is taken as 2-D, the axes from `axis` on flattened into one.
 */
const hardmax: Converter = {
  minOpset: 1,
  convert(n) {
    const input = n.operand(0);
    const rank = input.shape.length;
    const builder = n.builder;
    let x = input;
    let axis: number;
    if (n.opset < 13) {
      const from = n.axis(n.int('axis', 1), rank === 0 ? 1 : rank);
      const outer = input.shape.slice(0, from).reduce((p, d) => p * d, 1);
      x = builder.reshape(input, [outer, input.shape.slice(from).reduce((p, d) => p * d, 1)]);
      axis = 1;
    } else {
      axis = n.axis(n.int('axis', -1), rank);
    }
    const isMax = builder.equal(x, builder.reduceMax(x, { axes: [axis], keepDimensions: true }));
    const count = builder.cumulativeSum(builder.cast(isMax, 'int32'), axis);
    const first = builder.logicalAnd(isMax, builder.equal(count, n.scalar('int32', 1)));
    const y = builder.cast(first, input.dataType);
    return y.shape.join() === input.shape.join() ? y : builder.reshape(y, [...input.shape]);
  },
};

export const ACTIVATION_CONVERTERS: ConverterTable = [
  ['Mish', mish],
  ['Celu', celu],
  ['Selu', selu],
  ['ThresholdedRelu', thresholdedRelu],
  ['Mod', mod],
  ['Hardmax', hardmax],
];
