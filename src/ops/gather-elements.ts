import { toDictionary, toUnsignedLong } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import { buildTensor } from './build-tensor.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, INDEX_TYPES, defineOp, limit } from './registry.js';
import { byPositions } from './host-kernels.js';

/** offsets = base + indices * stride: the flat input position of every element of an indices tensor. */
defineOp<{ readonly stride: number }>({
  name: 'elementOffsets',
  lower: ([indices, base], { stride }, { tf }) => tf.add(base!, tf.mul(indices!, tf.scalar(stride, 'int32'))),
});

/** The axis option of gatherElements and scatterElements, checked against the input rank. */
export function elementsAxis(call: OpCall, options: unknown, rank: number): number {
  const o = toDictionary<{ axis: unknown }>(call.where, 'options', options);
  const axis = o.axis === undefined ? 0 : toUnsignedLong(call.where, 'options.axis', o.axis);
  if (axis >= rank) call.fail(`options.axis (${axis}) must be less than the input rank ${rank}`);
  return axis;
}

/** The spec's shape check: indices has the input's shape except along the axis. */
export function checkElementsIndicesShape(call: OpCall, inputShape: readonly number[], indicesShape: readonly number[],
  axis: number): void {
  const expected = inputShape.map((d, i) => (i === axis ? indicesShape[axis] : d));
  if (indicesShape.length !== inputShape.length || expected.some((d, i) => d !== indicesShape[i])) {
    call.fail(`indices shape [${indicesShape.join(', ')}] must equal the input shape [${inputShape.join(', ')}] ` +
      `except along axis ${axis}`);
  }
}

/**
 * The flat position in the input of every element of `indices` taken along `axis`: the coordinates of the element
 * itself, with the (negative-wrapped, clamped) index in place of the axis coordinate. The part that does not depend
 * on the index values is a tensor computed here, once, when the graph is built.
 */
export function elementOffsets(call: OpCall, indices: MLOperand, inputShape: readonly number[], axis: number): MLOperand {
  const shape = indices.shape;
  const inputStrides = new Array<number>(inputShape.length);
  for (let d = inputShape.length - 1, acc = 1; d >= 0; d--) {
    inputStrides[d] = acc;
    acc *= inputShape[d]!;
  }
  // Computed when the plan folds the node: its size is that of the indices, which a symbolic graph's build-time
  // trials make large.
  const base = (): Int32Array => {
    const count = shape.reduce((a, b) => a * b, 1);
    const offsets = new Int32Array(count);
    const coords = new Array<number>(shape.length).fill(0);
    for (let p = 0; p < count; p++) {
      let offset = 0;
      for (let d = 0; d < shape.length; d++) if (d !== axis) offset += coords[d]! * inputStrides[d]!;
      offsets[p] = offset;
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++coords[d]! < shape[d]!) break;
        coords[d] = 0;
      }
    }
    return offsets;
  };
  const inRange = call.emitOne([indices], { size: inputShape[axis]! }, { dataType: 'int32', shape },
    'gatherIndicesInRange');
  const baseTensor = buildTensor(call, base, shape, 'int32');
  return call.emitOne([inRange, baseTensor], { stride: inputStrides[axis]! }, { dataType: 'int32', shape },
    'elementOffsets');
}

function buildGatherElements(call: OpCall, inputArg: unknown, indicesArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const indices = call.operand('indices', indicesArg, 'indices');
  if (indices.shape.length !== input.shape.length) {
    call.fail(`indices rank ${indices.shape.length} must equal the input rank ${input.shape.length}`);
  }
  const axis = elementsAxis(call, options, input.shape.length);
  checkElementsIndicesShape(call, input.shape, indices.shape, axis);
  // The output has the indices' shape (the spec's "copy of input" is an error: the examples show indices' shape).
  const output = { dataType: input.dataType, shape: indices.shape };
  call.checkOutput(output);
  return call.emitOne([input, elementOffsets(call, indices, input.shape, axis)], {}, output);
}

defineOp<Record<string, never>>({
  name: 'gatherElements',
  method: {
    length: 2,
    optionsIndex: 2,
    build: (call, input, indices, options) => buildGatherElements(call, input, indices, options),
  },
  limits: { input: limit(ALL_TYPES, 1), indices: limit(INDEX_TYPES, 1), output: limit(ALL_TYPES, 1) },
  lowerHost: byPositions('gatherElements', [0]),
  lower: ([input, offsets], _attrs, { tf }) => tf.gather(tf.reshape(input!, [input!.size]), offsets!, 0),
});
