/**
 * cumulativeSum: running sums along one axis, inclusive or exclusive, forward or reversed. TF.js's Cumsum has the
 * same two switches. int32 sums wrap on cpu and wasm like two's complement hardware.
 */
import { toBoolean, toDictionary, toUnsignedLongModulo } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { MLOperandDataType } from '../types/data-type.js';
import type { OpCall } from './op-call.js';
import { defineOp, limit } from './registry.js';
import { cumulativeSumOnHost } from './host-kernels.js';

interface CumulativeSumAttrs {
  readonly axis: number;
  readonly exclusive: boolean;
  readonly reversed: boolean;
}

/** uint32, int64 and uint64 sum exactly (wrapping) on the host. */
const TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64'];

function buildCumulativeSum(call: OpCall, inputArg: unknown, axisArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const axis = toUnsignedLongModulo(call.where, 'axis', axisArg);
  const o = toDictionary<{ exclusive: unknown; reversed: unknown }>(call.where, 'options', options);
  const exclusive = toBoolean(o.exclusive, false);
  const reversed = toBoolean(o.reversed, false);
  const rank = input.shape.length;
  if (axis >= rank) call.fail(`axis (${axis}) must be less than the input rank ${rank}`);
  return call.emitOne([input], { axis, exclusive, reversed }, { dataType: input.dataType, shape: input.shape });
}

defineOp<CumulativeSumAttrs>({
  name: 'cumulativeSum',
  method: {
    length: 2, optionsIndex: 2,
    build: (call, input, axis, options) => buildCumulativeSum(call, input, axis, options),
  },
  limits: { input: limit(TYPES, 1), output: limit(TYPES, 1) },
  /**
   * WebGL's Cumsum handles rank <= 4 only, so the tensor is viewed as [outer, axis, inner] (or [outer, axis] when
   * the axis is the innermost, which spares the kernel a transpose). WebGPU's sums reversed wrongly: there the axis is
   * reversed around a forward sum.
   */
  lower: ([x], { axis, exclusive, reversed }, { tf, backend }) => {
    const shape = x!.shape;
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const view = inner === 1 ? [outer, shape[axis]!] : [outer, shape[axis]!, inner];
    const viewed = tf.reshape(x!, view);
    const sums = reversed && backend === 'webgpu' ? tf.reverse(tf.cumsum(tf.reverse(viewed, 1), 1, exclusive), 1)
      : tf.cumsum(viewed, 1, exclusive, reversed);
    return tf.reshape(sums, shape);
  },
  lowerHost: ([x], { axis, exclusive, reversed }, { outputs }) => cumulativeSumOnHost(x!, axis, exclusive, reversed, outputs[0]!),
});
