/**
 * batchNormalization: output = (input - mean) * scale / sqrt(variance + epsilon) + bias along `axis`.
 *
 * tf.batchNorm broadcasts its parameters only along the last axis on cpu and wasm, so the op is composed with the
 * parameters reshaped to [1, .., C, .., 1]. The per-channel factor scale / sqrt(variance + epsilon) is its own
 * node: for constant parameters the plan computes it once at build, leaving a subtract, a multiply and an add.
 */
import { toDictionary, toFiniteDouble, toUnsignedLong } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import { castNumber } from '../types/cast-number.js';
import type { OpCall } from './op-call.js';
import { defineOp, FLOAT_TYPES, limit, MAX_RANK, type Tensor, type TF } from './registry.js';
import { axisRule } from './layout-rules.js';

interface BatchNormalizationOptions {
  scale: unknown; bias: unknown; axis: unknown; epsilon: unknown;
}

function buildBatchNormalization(call: OpCall, inputArg: unknown, meanArg: unknown, varianceArg: unknown,
  optionsArg: unknown): MLOperand {
  const options = toDictionary<BatchNormalizationOptions>(call.where, 'options', optionsArg);
  const axis = options.axis === undefined ? 1 : toUnsignedLong(call.where, 'options.axis', options.axis);
  const epsilonOption = toFiniteDouble(call.where, 'options.epsilon', options.epsilon, 1e-5);
  const input = call.operand('input', inputArg, 'input');
  const rank = input.shape.length;
  if (axis >= rank) call.fail(`options.axis (${axis}) must be less than the input rank (${rank})`);
  const channels = input.shape[axis]!;
  const parameter = (value: unknown, member: string, label: string): MLOperand | null => {
    const operand = call.optionalOperand(label, value, member);
    if (!operand) return null;
    if (operand.dataType !== input.dataType) {
      call.fail(`${label} data type ${operand.dataType} does not match input data type ${input.dataType}`);
    }
    if (operand.shape.length !== 1 || operand.shape[0] !== channels) {
      call.fail(`${label} shape [${operand.shape.join(', ')}] must be [${channels}] (input dimension ${axis})`);
    }
    return operand;
  };
  const mean = parameter(meanArg, 'mean', 'mean');
  if (!mean) call.fail('mean is not an MLOperand');
  const variance = parameter(varianceArg, 'variance', 'variance');
  if (!variance) call.fail('variance is not an MLOperand');
  const epsilon = castNumber(epsilonOption, input.dataType);
  const scale = parameter(options.scale, 'scale', 'options.scale');
  const bias = parameter(options.bias, 'bias', 'options.bias');
  const output = { dataType: input.dataType, shape: input.shape };
  call.checkOutput(output);
  const factor = call.emitOne([variance, scale], { epsilon }, { dataType: input.dataType, shape: [channels] },
    'batchNormalization.factor');
  return call.emitOne([input, mean, factor, bias], { axis }, output);
}

defineOp<{ epsilon: number }>({
  name: 'batchNormalization.factor',
  lower([variance, scale], { epsilon }, { tf }) {
    const deviation = tf.sqrt(tf.add(variance!, epsilon));
    return scale ? tf.div(scale, deviation) : tf.reciprocal(deviation);
  },
});

/**
 * For the folding pass (graph/passes/normalization-folding.ts), on constants, so computed once at build: weights
 * (a filter, a matrix) times a per-output-channel factor reshaped to `shape`, which lines it up with the weights'
 * output-channel axes.
 */
defineOp<{ shape: readonly number[] }>({
  name: 'batchNormalization.scaledWeights',
  lower: ([weights, factor], { shape }, { tf }) => tf.mul(weights!, tf.reshape(factor!, [...shape])),
});

/** (bias - mean) * factor + shift over [C] vectors, an absent one counting as 0 (factor: 1): the folded bias. */
defineOp({
  name: 'batchNormalization.foldedBias',
  lower([bias, mean, factor, shift], _attrs, { tf, outputs }) {
    let y: Tensor = bias ?? tf.zeros([...outputs[0]!.shape]);
    if (mean) y = tf.sub(y, mean);
    if (factor) y = tf.mul(y, factor);
    return shift ? tf.add(y, shift) : y;
  },
});

/** A [C] parameter shaped to broadcast along `axis` of a rank-`rank` tensor. */
function alongAxis(tf: TF, p: Tensor, axis: number, rank: number): Tensor {
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = p.shape[0]!;
  return tf.reshape(p, shape);
}

defineOp<{ axis: number }>({
  name: 'batchNormalization',
  layout: axisRule([0]),
  method: { length: 3, optionsIndex: 3, build: buildBatchNormalization },
  limits: {
    input: limit(FLOAT_TYPES, 1, MAX_RANK), mean: limit(FLOAT_TYPES, 1, 1), variance: limit(FLOAT_TYPES, 1, 1),
    scale: limit(FLOAT_TYPES, 1, 1), bias: limit(FLOAT_TYPES, 1, 1), output: limit(FLOAT_TYPES, 1, MAX_RANK),
  },
  lower([input, mean, factor, bias], { axis }, { tf }) {
    const rank = input!.rank;
    const centered = tf.sub(input!, alongAxis(tf, mean!, axis, rank));
    const scaled = tf.mul(centered, alongAxis(tf, factor!, axis, rank));
    return bias ? tf.add(scaled, alongAxis(tf, bias, axis, rank)) : scaled;
  },
});
