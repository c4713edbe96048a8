/** reverse: the input with the order of its entries reversed along some axes. */
import { toDictionary, toUnsignedLongSequence } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit, type Tensor, type TF } from './registry.js';
import { byPositions } from './host-kernels.js';
import { checkAxes, range } from './shape.js';

interface ReverseAttrs {
  readonly axes: readonly number[];
}

function buildReverse(call: OpCall, inputArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const o = toDictionary<{ axes: unknown }>(call.where, 'options', options);
  const rank = input.shape.length;
  const axes = o.axes === undefined ? range(rank) : toUnsignedLongSequence(call.where, 'options.axes', o.axes);
  checkAxes(call, axes, rank, 'options.axes');
  return call.emitOne([input], { axes }, { dataType: input.dataType, shape: input.shape });
}

/**
 * The same reversal on fewer dimensions: size-1 axes are dropped, and neighbouring axes that are both reversed (or
 * both kept) merge into one, since reversing a run of adjacent axes reverses their flattened extent.
 */
function mergedView(shape: readonly number[], axes: readonly number[]): { shape: number[]; reversed: boolean[] } {
  const merged: number[] = [];
  const reversed: boolean[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const r = axes.includes(i);
    if (reversed.length > 0 && reversed[reversed.length - 1] === r) merged[merged.length - 1]! *= d;
    else {
      merged.push(d);
      reversed.push(r);
    }
  });
  return { shape: merged, reversed };
}

/** WebGL's Reverse handles rank <= 4. */
const MAX_KERNEL_RANK = 4;

export function reverseAxes(tf: TF, x: Tensor, axes: readonly number[]): Tensor {
  const view = mergedView(x.shape, axes);
  const reversedAxes = range(view.shape.length).filter((i) => view.reversed[i]);
  if (reversedAxes.length === 0) return x;
  let y = tf.reshape(x, view.shape);
  if (view.shape.length <= MAX_KERNEL_RANK) {
    y = tf.reverse(y, reversedAxes);
  } else {
    // Alternating reversed and kept axes: one axis at a time, each reversal merged down to at most rank 3.
    for (const axis of reversedAxes) {
      const before = view.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const after = view.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      y = tf.reshape(tf.reverse(tf.reshape(y, [before, view.shape[axis]!, after]), [1]), view.shape);
    }
  }
  return tf.reshape(y, x.shape);
}

defineOp<ReverseAttrs>({
  name: 'reverse',
  method: { length: 1, optionsIndex: 1, build: (call, input, options) => buildReverse(call, input, options) },
  limits: { input: limit(ALL_TYPES), output: limit(ALL_TYPES) },
  lowerHost: byPositions('reverse', [0]),
  lower: ([x], { axes }, { tf }) => reverseAxes(tf, x!, axes),
});
