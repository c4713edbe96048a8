/**
 * scatterElements and scatterND: TensorScatterUpdate (not ScatterNd, which sums into zeros) over indices made safe
 * first, so no update lands outside the output.
 *
 * Duplicate indices (the spec leaves their result open): the last update in row-major order of the indices wins.
 *
 * TF.js's webgl TensorScatterUpdate is wrong and never runs: it adds up the updates aimed at one position and blends
 * the old value in (measured on SwiftShader: Infinity or NaN overwritten gives NaN, 1e8 overwritten by 1 gives 0).
 * These steps read int32 indices, so a webgl context runs them on the cpu backend, where it keeps int32 values.
 */
import type { MLOperand } from './builder-internals.js';
import { checkElementsIndicesShape, elementOffsets, elementsAxis } from './gather-elements.js';
import { coordinatesInRange, sliceShapeND } from './gather-nd.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, INDEX_TYPES, defineOp, limit, type TF, type Tensor } from './registry.js';
import { byPositions } from './host-kernels.js';

/**
 * TensorScatterUpdate's `tensor` argument. The cpu kernel writes the updates into that tensor's own buffer and hands
 * the buffer out as its result, which would change a graph input or constant in place; there it gets a fresh copy
 * (x * 1 keeps -0, NaN and the infinities).
 */
function scatterTarget(tf: TF, x: Tensor): Tensor {
  if (tf.getBackend() !== 'cpu') return x;
  return tf.mul(x, tf.scalar(1, x.dtype));
}

function scatterOperands(call: OpCall, inputArg: unknown, indicesArg: unknown, updatesArg: unknown) {
  const input = call.operand('input', inputArg, 'input');
  const indices = call.operand('indices', indicesArg, 'indices');
  const updates = call.operand('updates', updatesArg, 'updates');
  if (updates.dataType !== input.dataType) {
    call.fail(`updates (${updates.dataType}) must have the input's data type (${input.dataType})`);
  }
  return { input, indices, updates };
}

function checkUpdatesShape(call: OpCall, updates: MLOperand, expected: readonly number[]): void {
  if (updates.shape.length !== expected.length || updates.shape.some((d, i) => d !== expected[i])) {
    call.fail(`updates shape [${updates.shape.join(', ')}] must be [${expected.join(', ')}]`);
  }
}

function buildScatterElements(call: OpCall, inputArg: unknown, indicesArg: unknown, updatesArg: unknown,
  options: unknown): MLOperand {
  const { input, indices, updates } = scatterOperands(call, inputArg, indicesArg, updatesArg);
  if (indices.shape.length !== input.shape.length) {
    call.fail(`indices rank ${indices.shape.length} must equal the input rank ${input.shape.length}`);
  }
  const axis = elementsAxis(call, options, input.shape.length);
  checkElementsIndicesShape(call, input.shape, indices.shape, axis);
  checkUpdatesShape(call, updates, indices.shape);
  const output = { dataType: input.dataType, shape: input.shape };
  call.checkOutput(output);
  return call.emitOne([input, elementOffsets(call, indices, input.shape, axis), updates], {}, output);
}

defineOp<Record<string, never>>({
  name: 'scatterElements',
  method: {
    length: 3,
    optionsIndex: 3,
    build: (call, input, indices, updates, options) => buildScatterElements(call, input, indices, updates, options),
  },
  limits: {
    input: limit(ALL_TYPES, 1), indices: limit(INDEX_TYPES, 1), updates: limit(ALL_TYPES, 1), output: limit(ALL_TYPES, 1),
  },
  lowerHost: byPositions('scatterElements', [0, 2]),
  lower: ([input, offsets, updates], _attrs, { tf }) => {
    const target = scatterTarget(tf, tf.reshape(input!, [input!.size]));
    const flat = tf.tensorScatterUpdate(target, tf.reshape(offsets!, [offsets!.size, 1]),
      tf.reshape(updates!, [updates!.size]));
    return tf.reshape(flat, input!.shape);
  },
});

function buildScatterND(call: OpCall, inputArg: unknown, indicesArg: unknown, updatesArg: unknown): MLOperand {
  const { input, indices, updates } = scatterOperands(call, inputArg, indicesArg, updatesArg);
  checkUpdatesShape(call, updates, sliceShapeND(call, input.shape, indices.shape));
  const output = { dataType: input.dataType, shape: input.shape };
  call.checkOutput(output);
  return call.emitOne([input, coordinatesInRange(call, indices, input.shape), updates], {}, output);
}

defineOp<Record<string, never>>({
  name: 'scatterND',
  staticLastDimension: { argument: 1, name: 'indices' },
  method: {
    length: 3,
    optionsIndex: 3,
    build: (call, input, indices, updates) => buildScatterND(call, input, indices, updates),
  },
  limits: {
    input: limit(ALL_TYPES, 1), indices: limit(INDEX_TYPES, 1), updates: limit(ALL_TYPES), output: limit(ALL_TYPES, 1),
  },
  lowerHost: byPositions('scatterND', [0, 2]),
  lower: ([input, coordinates, updates], _attrs, { tf }) => {
    const k = coordinates!.shape[coordinates!.rank - 1]!;
    const count = coordinates!.size / k;
    // One row per update: TensorScatterUpdate takes no rank-0 updates (indices of shape [k]).
    return tf.tensorScatterUpdate(scatterTarget(tf, input!), tf.reshape(coordinates!, [count, k]),
      tf.reshape(updates!, [count, ...input!.shape.slice(k)]));
  },
});
