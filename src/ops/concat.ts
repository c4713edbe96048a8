import { toSequence, toUnsignedLong } from '../webidl.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit, type Tensor } from './registry.js';
import { byPositions } from './host-kernels.js';
import { axisRule } from './layout-rules.js';
import { concatKernelOf } from './js-concat.js';

/** The spec's "valid tensor count". */
export const MAX_TENSOR_COUNT = 8192;

interface ConcatAttrs {
  readonly axis: number;
}

function buildConcat(call: OpCall, inputsArg: unknown, axisArg: unknown) {
  const inputs = toSequence(call.where, 'inputs', inputsArg, (item, i) => call.operand(`inputs[${i}]`, item, 'inputs'));
  const axis = toUnsignedLong(call.where, 'axis', axisArg);
  if (inputs.length === 0 || inputs.length > MAX_TENSOR_COUNT) {
    call.fail(`inputs has ${inputs.length} operands; it must have 1 to ${MAX_TENSOR_COUNT}`);
  }
  const first = inputs[0]!;
  const rank = first.shape.length;
  if (axis >= rank) call.fail(`axis (${axis}) must be less than the input rank ${rank}`);
  const shape = [...first.shape];
  for (const [i, input] of inputs.entries()) {
    if (i === 0) continue;
    if (input.dataType !== first.dataType) {
      call.fail(`inputs[${i}] data type ${input.dataType} differs from inputs[0] data type ${first.dataType}`);
    }
    if (input.shape.length !== rank) call.fail(`inputs[${i}] rank ${input.shape.length} differs from inputs[0] rank ${rank}`);
    for (let d = 0; d < rank; d++) {
      if (d !== axis && input.shape[d] !== first.shape[d]) {
        call.fail(`inputs[${i}] shape [${input.shape.join(', ')}] differs from inputs[0] shape ` +
          `[${first.shape.join(', ')}] outside axis ${axis}`);
      }
    }
    shape[axis]! += input.shape[axis]!;
  }
  return call.emitOne(inputs, { axis }, { dataType: first.dataType, shape });
}

defineOp<ConcatAttrs>({
  name: 'concat',
  layout: axisRule(),
  method: { length: 2, optionsIndex: 2, build: (call, inputs, axis) => buildConcat(call, inputs, axis) },
  limits: { inputs: limit(ALL_TYPES, 1), output: limit(ALL_TYPES, 1) },
  lowerHost: byPositions('concat', 'all'),
  lower: (inputs, { axis }, env) => (inputs.length === 1 ? inputs[0]!
    : concatKernelOf(inputs as Tensor[], axis, env) ?? env.tf.concat(inputs as Tensor[], axis)),
});
