import { toUnsignedLongSequence } from '../webidl.js';
import { elementCount } from '../graph/ir.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit, MAX_FLAT_RANK } from './registry.js';
import { byPositions } from './host-kernels.js';

interface ReshapeAttrs {
  readonly shape: readonly number[];
}

export function buildReshape(call: OpCall, inputArg: unknown, newShapeArg: unknown) {
  const input = call.operand('input', inputArg, 'input');
  const newShape = toUnsignedLongSequence(call.where, 'newShape', newShapeArg);
  const output = { dataType: input.dataType, shape: newShape };
  for (const [i, d] of newShape.entries()) {
    if (d === 0) call.fail(`newShape[${i}] is 0, which is not a valid dimension`);
  }
  call.checkOutput(output);
  const inputCount = elementCount(input.shape);
  const outputCount = elementCount(newShape);
  if (outputCount !== inputCount) {
    call.fail(`newShape [${newShape.join(', ')}] has ${outputCount} elements, the input has ${inputCount}`);
  }
  return call.emitOne([input], { shape: newShape }, output);
}

defineOp<ReshapeAttrs>({
  name: 'reshape',
  method: { length: 2, optionsIndex: 2, build: (call, input, newShape) => buildReshape(call, input, newShape) },
  // Only the shape changes: any rank.
  limits: { input: limit(ALL_TYPES, 0, MAX_FLAT_RANK), output: limit(ALL_TYPES, 0, MAX_FLAT_RANK) },
  lowerHost: byPositions('reshape', [0]),
  lower: ([x], { shape }, { tf }) => tf.reshape(x!, [...shape]),
});
