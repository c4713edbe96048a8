/** tile: the input repeated along each dimension (TF.js Tile). */
import { toSequence, toUnsignedLongModulo } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit } from './registry.js';
import { byPositions } from './host-kernels.js';

interface TileAttrs {
  readonly repetitions: readonly number[];
}

export function buildTile(call: OpCall, inputArg: unknown, repetitionsArg: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const repetitions = toSequence(call.where, 'repetitions', repetitionsArg,
    (item, i) => toUnsignedLongModulo(call.where, `repetitions[${i}]`, item));
  const rank = input.shape.length;
  if (repetitions.length !== rank) call.fail(`repetitions has ${repetitions.length} values, the input rank is ${rank}`);
  const zero = repetitions.indexOf(0);
  if (zero >= 0) call.fail(`repetitions[${zero}] is 0`);
  const shape = input.shape.map((d, i) => d * repetitions[i]!);
  return call.emitOne([input], { repetitions }, { dataType: input.dataType, shape });
}

defineOp<TileAttrs>({
  name: 'tile',
  method: { length: 2, optionsIndex: 2, build: (call, input, repetitions) => buildTile(call, input, repetitions) },
  limits: { input: limit(ALL_TYPES), output: limit(ALL_TYPES) },
  lowerHost: byPositions('tile', [0]),
  lower: ([x], { repetitions }, { tf }) => (repetitions.every((r) => r === 1) ? x! : tf.tile(x!, [...repetitions])),
});
