import { toDictionary, toUnsignedLong, toUnsignedLongSequence } from '../webidl.js';
import { MAX_TENSOR_COUNT } from './concat.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit } from './registry.js';
import { byPositions } from './host-kernels.js';
import { axisRule } from './layout-rules.js';

interface SplitAttrs {
  readonly sizes: readonly number[];
  readonly axis: number;
}

/**
 * The (unsigned long or sequence<unsigned long>) union: an object with an @@iterator is the sequence; any other value,
 * objects included, converts to the number.
 */
function toSplits(call: OpCall, value: unknown): number | number[] {
  const isObject = (value !== null && typeof value === 'object') || typeof value === 'function';
  const iterator = isObject ? (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] : undefined;
  if (iterator !== undefined && iterator !== null) return toUnsignedLongSequence(call.where, 'splits', value);
  return toUnsignedLong(call.where, 'splits', value);
}

export function buildSplit(call: OpCall, inputArg: unknown, splitsArg: unknown, options: unknown) {
  const input = call.operand('input', inputArg, 'input');
  const splits = toSplits(call, splitsArg);
  const o = toDictionary<{ axis: unknown }>(call.where, 'options', options);
  const axis = o.axis === undefined ? 0 : toUnsignedLong(call.where, 'options.axis', o.axis);
  const rank = input.shape.length;
  if (axis >= rank) call.fail(`options.axis (${axis}) must be less than the input rank ${rank}`);
  const dim = input.shape[axis]!;
  let sizes: number[];
  if (typeof splits === 'number') {
    if (splits === 0 || splits > MAX_TENSOR_COUNT) call.fail(`splits (${splits}) must be 1 to ${MAX_TENSOR_COUNT}`);
    if (dim % splits !== 0) call.fail(`splits (${splits}) does not divide the input dimension ${dim} along axis ${axis}`);
    sizes = new Array<number>(splits).fill(dim / splits);
  } else {
    if (splits.length === 0 || splits.length > MAX_TENSOR_COUNT) {
      call.fail(`splits has ${splits.length} sizes; it must have 1 to ${MAX_TENSOR_COUNT}`);
    }
    const zero = splits.indexOf(0);
    if (zero >= 0) call.fail(`splits[${zero}] is 0`);
    const sum = splits.reduce((a, b) => a + b, 0);
    if (sum !== dim) call.fail(`splits sum to ${sum}, not to the input dimension ${dim} along axis ${axis}`);
    sizes = splits;
  }
  const outputs = sizes.map((size) => {
    const shape = [...input.shape];
    shape[axis] = size;
    return { dataType: input.dataType, shape };
  });
  return call.emit([input], { sizes, axis }, outputs);
}

defineOp<SplitAttrs>({
  name: 'split',
  layout: axisRule([0]),
  method: { length: 2, optionsIndex: 2, build: (call, input, splits, options) => buildSplit(call, input, splits, options) },
  limits: { input: limit(ALL_TYPES, 1), outputs: limit(ALL_TYPES, 1) },
  lowerHost: byPositions('split', [0]),
  lower: ([x], { sizes, axis }, { tf }) => (sizes.length === 1 ? [x!] : tf.split(x!, [...sizes], axis)),
});
