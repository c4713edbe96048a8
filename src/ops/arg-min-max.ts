/**
 * argMin / argMax: the index of the smallest / largest value along one axis. Ties go to the first index (the spec
 * leaves them to the implementation); the ArgMin and ArgMax kernels of every backend keep the first one.
 */
import { toBoolean, toDataType, toDictionary, toUnsignedLong } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { MLOperandDataType } from '../types/data-type.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit } from './registry.js';
import { argOnHost, int32OutputsWidened } from './host-kernels.js';
import { isHostType } from '../types/host-tensor.js';

interface ArgMinMaxAttrs {
  readonly axis: number;
}

/** int64 indices are computed on the host (widened from int32 for TF.js inputs). */
const OUTPUT_TYPES: readonly MLOperandDataType[] = ['int32', 'int64'];
const INT32_MAX = 2147483647;

function buildArgMinMax(call: OpCall, inputArg: unknown, axisArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const axis = toUnsignedLong(call.where, 'axis', axisArg);
  const o = toDictionary<{ keepDimensions: unknown; outputDataType: unknown }>(call.where, 'options', options);
  const keepDimensions = toBoolean(o.keepDimensions, false);
  const outputDataType = o.outputDataType === undefined
    ? 'int32' : toDataType(call.where, 'options.outputDataType', o.outputDataType);
  const rank = input.shape.length;
  if (axis >= rank) call.fail(`axis (${axis}) must be less than the input rank ${rank}`);
  if (!OUTPUT_TYPES.includes(outputDataType)) {
    call.fail(`options.outputDataType ${outputDataType} is not supported (supported: ${OUTPUT_TYPES.join(', ')})`);
  }
  if (input.shape[axis]! > INT32_MAX) call.fail(`input dimension ${axis} has more entries than ${outputDataType} can index`);
  const shape = keepDimensions
    ? input.shape.map((d, i) => (i === axis ? 1 : d))
    : input.shape.filter((_, i) => i !== axis);
  const output = { dataType: outputDataType, shape };
  call.checkOutput(output);
  return call.emitOne([input], { axis }, output);
}

for (const [name, kernel] of [['argMin', 'argMin'], ['argMax', 'argMax']] as const) {
  defineOp<ArgMinMaxAttrs>({
    name,
    method: {
      length: 2, optionsIndex: 2,
      build: (call, input, axis, options) => buildArgMinMax(call, input, axis, options),
    },
    limits: { input: limit(ALL_TYPES, 1), output: limit(OUTPUT_TYPES) },
    // keepDimensions only restores a size-1 axis: a reshape to the inferred output shape.
    lower: ([x], { axis }, { tf, outputs }) => tf.reshape(tf[kernel](x!, axis), [...outputs[0]!.shape]),
    // Integer inputs held on the host compare exactly there; TF.js inputs (floats with their NaN rules) use the kernel.
    lowerHost: (inputs, attrs, env) => (isHostType(inputs[0]!.dataType)
      ? argOnHost(inputs[0]!, attrs.axis, env.outputs[0]!, kernel === 'argMax')
      : int32OutputsWidened<ArgMinMaxAttrs>(name)(inputs, attrs, env)),
  });
}
