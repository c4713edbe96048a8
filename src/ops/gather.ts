import { toDictionary, toUnsignedLong } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, INDEX_TYPES, defineOp, limit, type TF, type Tensor } from './registry.js';
import { buildTensor } from './build-tensor.js';
import { byPositions, positionsInRange } from './host-kernels.js';
import { physicalAxis, withoutAxes } from './layout-rules.js';

interface GatherAttrs {
  readonly axis: number;
}

/** An int32 index vector known when the graph is built (gatherND's dimensions), folded once at build(). */
export function indexVector(call: OpCall, values: readonly number[]): MLOperand {
  return buildTensor(call, values, [values.length], 'int32');
}

/** An int32 index vector of `length` positions, `at(i)` each, computed when the plan folds it (pad, strided slice). */
export function indexVectorOf(call: OpCall, length: number, at: (i: number) => number): MLOperand {
  return buildTensor(call, () => {
    const values = new Int32Array(length);
    for (let i = 0; i < length; i++) values[i] = at(i);
    return values;
  }, [length], 'int32');
}

function int32(tf: TF, value: number): Tensor {
  return tf.scalar(value, 'int32');
}

/**
 * Negative indices count from the end; anything still outside [0, size) is clamped into it. cpu and wasm GatherV2
 * throw on such indices and webgl reads 0, and nothing may read out of bounds. Built from kernels that are exact for
 * int32 on every backend (wasm ClipByValue and Select are not).
 */
defineOp<{ readonly size: number }>({
  name: 'gatherIndicesInRange',
  lower: ([indices], { size }, { tf }) => {
    const idx = indices!;
    const negative = tf.cast(tf.less(idx, int32(tf, 0)), 'int32');
    const wrapped = tf.add(idx, tf.mul(negative, int32(tf, size)));
    return tf.minimum(tf.maximum(wrapped, int32(tf, 0)), int32(tf, size - 1));
  },
  lowerHost: ([indices], { size }, { outputs }) => positionsInRange(indices!, outputs[0]!, () => size),
});

/** Records a gather of `indices` (already in range) along `axis`; shared with pad and slice. */
export function gatherInRange(call: OpCall, input: MLOperand, indices: MLOperand, axis: number): MLOperand {
  const shape = [...input.shape.slice(0, axis), ...indices.shape, ...input.shape.slice(axis + 1)];
  return call.emitOne([input, indices], { axis }, { dataType: input.dataType, shape }, 'gather');
}

function buildGather(call: OpCall, inputArg: unknown, indicesArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const indices = call.operand('indices', indicesArg, 'indices');
  const o = toDictionary<{ axis: unknown }>(call.where, 'options', options);
  const axis = o.axis === undefined ? 0 : toUnsignedLong(call.where, 'options.axis', o.axis);
  const rank = input.shape.length;
  if (axis >= rank) call.fail(`options.axis (${axis}) must be less than the input rank ${rank}`);
  const outputShape = [...input.shape.slice(0, axis), ...indices.shape, ...input.shape.slice(axis + 1)];
  const output = { dataType: input.dataType, shape: outputShape };
  call.checkOutput(output);
  const size = input.shape[axis]!;
  const inRange = call.emitOne([indices], { size }, { dataType: 'int32', shape: indices.shape }, 'gatherIndicesInRange');
  return call.emitOne([input, inRange], { axis }, output);
}

defineOp<GatherAttrs>({
  name: 'gather',
  // With scalar or 1-D indices the gathered axis goes away or keeps its place.
  layout: {
    dataInputs: [0],
    permute: ({ axis }, perm, { inputs }) => {
      const indicesRank = inputs[1]!.shape.length;
      if (indicesRank > 1) return null;
      return { attrs: { axis: physicalAxis(perm, axis) }, outputPerms: [indicesRank === 1 ? perm : withoutAxes(perm, [axis])] };
    },
  },
  method: { length: 2, optionsIndex: 2, build: (call, input, indices, options) => buildGather(call, input, indices, options) },
  limits: { input: limit(ALL_TYPES, 1), indices: limit(INDEX_TYPES), output: limit(ALL_TYPES) },
  lowerHost: byPositions('gather', [0]),
  lower: ([input, indices], { axis }, { tf }) => tf.gather(input!, indices!, axis),
  int32InputsArePositions: true,
});
