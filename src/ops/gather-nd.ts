import type { MLOperand } from './builder-internals.js';
import { indexVector } from './gather.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, INDEX_TYPES, defineOp, limit } from './registry.js';
import { positionsInRange } from './host-kernels.js';
import { byPositions } from './host-kernels.js';

/**
 * Coordinates (the last axis of `indices`) made safe for the dimensions they index, `dims` (an int32 vector of that
 * axis's length): negative values count from the end, anything still outside [0, dim) is clamped into it. wasm
 * GatherNd reads out of bounds without a word and cpu TensorScatterUpdate throws; nothing may touch memory outside
 * a tensor. Max/Min/Mul/Add/Less only: they are exact for int32 on every backend.
 */
defineOp<Record<string, never>>({
  name: 'coordinatesInRange',
  lower: ([indices, dims], _attrs, { tf }) => {
    const zero = tf.scalar(0, 'int32');
    const negative = tf.cast(tf.less(indices!, zero), 'int32');
    const wrapped = tf.add(indices!, tf.mul(negative, dims!));
    return tf.minimum(tf.maximum(wrapped, zero), tf.sub(dims!, tf.scalar(1, 'int32')));
  },
  lowerHost: ([indices, dims], _attrs, { outputs }) => {
    const k = dims!.size;
    return positionsInRange(indices!, outputs[0]!, (i) => dims!.values[i % k] as number);
  },
});

/** Records the in-range form of `indices`, whose last axis holds coordinates into the leading axes of `shape`. */
export function coordinatesInRange(call: OpCall, indices: MLOperand, shape: readonly number[]): MLOperand {
  const k = indices.shape[indices.shape.length - 1]!;
  const dims = indexVector(call, shape.slice(0, k));
  return call.emitOne([indices, dims], {}, { dataType: 'int32', shape: indices.shape }, 'coordinatesInRange');
}

/**
 * The spec's check shared by gatherND and scatterND: the coordinate length (last dimension of indices) is at most
 * the input rank. Returns indices.shape[:-1] + input.shape[k:], the shape of the gathered (or scattered) values.
 */
export function sliceShapeND(call: OpCall, inputShape: readonly number[], indicesShape: readonly number[]): number[] {
  const k = indicesShape[indicesShape.length - 1]!;
  if (k > inputShape.length) {
    call.fail(`indices' last dimension (${k}) must not exceed the input rank ${inputShape.length}`);
  }
  return [...indicesShape.slice(0, -1), ...inputShape.slice(k)];
}

function buildGatherND(call: OpCall, inputArg: unknown, indicesArg: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const indices = call.operand('indices', indicesArg, 'indices');
  const output = { dataType: input.dataType, shape: sliceShapeND(call, input.shape, indices.shape) };
  call.checkOutput(output);
  return call.emitOne([input, coordinatesInRange(call, indices, input.shape)], {}, output);
}

defineOp<Record<string, never>>({
  name: 'gatherND',
  method: { length: 2, optionsIndex: 2, build: (call, input, indices) => buildGatherND(call, input, indices) },
  staticLastDimension: { argument: 1, name: 'indices' },
  limits: { input: limit(ALL_TYPES, 1), indices: limit(INDEX_TYPES, 1), output: limit(ALL_TYPES) },
  lowerHost: byPositions('gatherND', [0]),
  lower: ([input, indices], _attrs, { tf }) => tf.gatherND(input!, indices!),
});
