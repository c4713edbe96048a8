import { toDictionary, toUnsignedLongSequence } from '../webidl.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit } from './registry.js';
import { byPositions } from './host-kernels.js';
import { checkAxes, range } from './shape.js';

interface TransposeAttrs {
  readonly permutation: readonly number[];
}

function buildTranspose(call: OpCall, inputArg: unknown, options: unknown) {
  const input = call.operand('input', inputArg, 'input');
  const o = toDictionary<{ permutation: unknown }>(call.where, 'options', options);
  const rank = input.shape.length;
  let permutation: number[];
  if (o.permutation === undefined) {
    permutation = range(rank).reverse();
  } else {
    permutation = toUnsignedLongSequence(call.where, 'options.permutation', o.permutation);
    if (permutation.length !== rank) {
      call.fail(`options.permutation has ${permutation.length} values, the input rank is ${rank}`);
    }
    checkAxes(call, permutation, rank, 'options.permutation');
  }
  // The spec copies the input descriptor here; the output shape is the permuted input shape.
  const shape = permutation.map((axis) => input.shape[axis]!);
  return call.emitOne([input], { permutation }, { dataType: input.dataType, shape });
}

defineOp<TransposeAttrs>({
  name: 'transpose',
  method: { length: 1, optionsIndex: 1, build: (call, input, options) => buildTranspose(call, input, options) },
  limits: { input: limit(ALL_TYPES), output: limit(ALL_TYPES) },
  lowerHost: byPositions('transpose', [0]),
  lower: ([x], { permutation }, { tf }) => tf.transpose(x!, [...permutation]),
});
