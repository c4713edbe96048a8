/** expand: unidirectional broadcast of the input to a new shape (TF.js broadcastTo, a Tile). */
import { toUnsignedLongSequence } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit } from './registry.js';
import { byPositions } from './host-kernels.js';
import { broadcastsTo } from './shape.js';

interface ExpandAttrs {
  readonly shape: readonly number[];
}

export function buildExpand(call: OpCall, inputArg: unknown, newShapeArg: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const newShape = toUnsignedLongSequence(call.where, 'newShape', newShapeArg);
  // The spec's "unidirectionally broadcast the shapes": the output shape is newShape itself.
  if (!broadcastsTo(input.shape, newShape)) {
    call.fail(`input shape [${input.shape.join(', ')}] cannot be broadcast to newShape [${newShape.join(', ')}]`);
  }
  const output = { dataType: input.dataType, shape: newShape };
  call.checkOutput(output);
  return call.emitOne([input], { shape: newShape }, output);
}

defineOp<ExpandAttrs>({
  name: 'expand',
  method: { length: 2, optionsIndex: 2, build: (call, input, newShape) => buildExpand(call, input, newShape) },
  limits: { input: limit(ALL_TYPES), output: limit(ALL_TYPES) },
  lowerHost: byPositions('expand', [0]),
  lower: ([x], { shape }, { tf }) => tf.broadcastTo(x!, [...shape]),
});
