import { toDictionary, toUnsignedLongSequence } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { BackendName } from '../runtime/backends.js';
import { isFloatType, type MLOperandDataType } from '../types/data-type.js';
import { gatherInRange, indexVectorOf } from './gather.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit } from './registry.js';
import { byPositions } from './host-kernels.js';
import { range } from './shape.js';
import { permuteList } from './layout-rules.js';

interface SliceAttrs {
  readonly starts: readonly number[];
  readonly sizes: readonly number[];
  /** Present when some stride is not 1 and the StridedSlice kernel is used. */
  readonly strides?: readonly number[];
}

/**
 * StridedSlice is wrong on wasm for int32 (it returns the int bits as float32), on webgl and webgpu for rank 5 (its shader
 * indexes the ivec5 struct) and everywhere beyond rank 5 (the result keeps every element of the range); there strided
 * axes are gathered with constant index vectors instead.
 */
function stridedSliceKernelWorks(backend: BackendName, dataType: MLOperandDataType, rank: number): boolean {
  if (rank > 5) return false;
  if (backend === 'wasm') return isFloatType(dataType);
  if (backend === 'webgl' || backend === 'webgpu') return rank <= 4;
  return true;
}

export function buildSlice(call: OpCall, inputArg: unknown, startsArg: unknown, sizesArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const starts = toUnsignedLongSequence(call.where, 'starts', startsArg);
  const sizes = toUnsignedLongSequence(call.where, 'sizes', sizesArg);
  const o = toDictionary<{ strides: unknown }>(call.where, 'options', options);
  const strides = o.strides === undefined ? null : toUnsignedLongSequence(call.where, 'options.strides', o.strides);
  const zero = sizes.indexOf(0);
  if (zero >= 0) call.fail(`sizes[${zero}] is 0`);
  const rank = input.shape.length;
  if (starts.length !== rank || sizes.length !== rank) {
    call.fail(`starts (${starts.length} values) and sizes (${sizes.length} values) must both have the input rank ${rank}`);
  }
  if (strides && strides.length !== rank) call.fail(`options.strides has ${strides.length} values, the input rank is ${rank}`);
  const shape = range(rank).map((d) => {
    const dim = input.shape[d]!;
    const stride = strides ? strides[d]! : 1;
    if (stride < 1) call.fail(`options.strides[${d}] is 0`);
    if (starts[d]! >= dim) call.fail(`starts[${d}] (${starts[d]}) is out of range for dimension ${d} of size ${dim}`);
    if (starts[d]! + sizes[d]! > dim) {
      call.fail(`starts[${d}] + sizes[${d}] (${starts[d]! + sizes[d]!}) exceeds dimension ${d} of size ${dim}`);
    }
    return Math.ceil(sizes[d]! / stride);
  });
  const output = { dataType: input.dataType, shape };
  const strided = strides !== null && strides.some((s, d) => s !== 1 && shape[d]! > 1);
  // Strides only of axes that keep one element: a plain slice of that element.
  if (!strided) return call.emitOne([input], { starts, sizes: shape }, output);
  if (stridedSliceKernelWorks(call.backend, input.dataType, rank)) {
    return call.emitOne([input], { starts, sizes, strides }, output);
  }
  // A plain slice of the covered range, then one gather per strided axis.
  let result = call.emitOne([input], { starts, sizes }, { dataType: input.dataType, shape: sizes });
  for (let d = 0; d < rank; d++) {
    if (strides[d] === 1 || shape[d] === 1) continue;
    const stride = strides[d]!;
    result = gatherInRange(call, result, indexVectorOf(call, shape[d]!, (i) => i * stride), d);
  }
  return result;
}

defineOp<SliceAttrs>({
  name: 'slice',
  layout: {
    permute: ({ starts, sizes, strides }, perm) => ({
      attrs: {
        starts: permuteList(starts, perm), sizes: permuteList(sizes, perm),
        ...(strides ? { strides: permuteList(strides, perm) } : {}),
      },
      outputPerms: [perm],
    }),
  },
  method: {
    length: 3, optionsIndex: 3,
    build: (call, input, starts, sizes, options) => buildSlice(call, input, starts, sizes, options),
  },
  limits: { input: limit(ALL_TYPES), output: limit(ALL_TYPES) },
  lowerHost: byPositions('slice', [0]),
  lower: ([x], { starts, sizes, strides }, { tf }) => {
    if (starts.length === 0) return x!;
    if (!strides) return tf.slice(x!, [...starts], [...sizes]);
    return tf.stridedSlice(x!, [...starts], starts.map((s, d) => s + sizes[d]!), [...strides]);
  },
});
