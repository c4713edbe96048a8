import { toDictionary, toEnum, toMLNumber, toUnsignedLongSequence } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import type { BackendName } from '../runtime/backends.js';
import { castNumber, castNumberExact } from '../types/cast-number.js';
import { isFloatType } from '../types/data-type.js';
import { gatherInRange, indexVectorOf } from './gather.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit, type TF, type Tensor } from './registry.js';
import { byPositions } from './host-kernels.js';
import { permuteList } from './layout-rules.js';

type PaddingMode = 'constant' | 'edge' | 'reflection';
const MODES: readonly PaddingMode[] = ['constant', 'edge', 'reflection'];

type PadAttrs = {
  readonly mode: 'constant' | 'reflection';
  readonly beginning: readonly number[];
  readonly ending: readonly number[];
  readonly value: number;
  /** Pad one axis at a time by concatenating filled blocks instead of running PadV2. */
  readonly byConcat: boolean;
  /** The value exactly, for uint32, int64 and uint64 (a bigint for the 64-bit types). */
  readonly exactValue: number | bigint;
};

/** The input index output position o along one axis reads, for edge and reflection padding. */
function paddedIndex(mode: 'edge' | 'reflection', size: number, before: number, o: number): number {
  const i = o - before;
  if (mode === 'edge') return Math.min(Math.max(i, 0), size - 1);
  return i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i;
}

/**
 * webgl's and webgpu's PadV2 and MirrorPad shaders handle at most rank 4; wasm's PadV2 passes the value through float32, so
 * int32 values float32 cannot hold come out wrong.
 */
function padKernelWorks(backend: BackendName, rank: number, intValue?: number): boolean {
  if (backend === 'webgl' || backend === 'webgpu') return rank <= 4;
  if (backend === 'wasm' && intValue !== undefined) return Math.fround(intValue) === intValue;
  return true;
}

export function buildPad(call: OpCall, inputArg: unknown, beginningArg: unknown, endingArg: unknown, options: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const beginning = toUnsignedLongSequence(call.where, 'beginningPadding', beginningArg);
  const ending = toUnsignedLongSequence(call.where, 'endingPadding', endingArg);
  const o = toDictionary<{ mode: unknown; value: unknown }>(call.where, 'options', options);
  const mode = toEnum(call.where, 'options.mode', o.mode, MODES, 'constant');
  const rawValue = o.value === undefined ? 0 : toMLNumber(call.where, 'options.value', o.value);
  const rank = input.shape.length;
  if (beginning.length !== rank || ending.length !== rank) {
    call.fail(`beginningPadding (${beginning.length} values) and endingPadding (${ending.length} values) must both ` +
      `have the input rank ${rank}`);
  }
  const shape = input.shape.map((size, d) => {
    if (mode === 'reflection' && (beginning[d]! >= size || ending[d]! >= size)) {
      call.fail(`reflection padding of dimension ${d} must be less than its size ${size} ` +
        `(beginningPadding ${beginning[d]}, endingPadding ${ending[d]})`);
    }
    return beginning[d]! + size + ending[d]!;
  });
  const value = castNumber(rawValue, input.dataType);
  const output = { dataType: input.dataType, shape };
  // Before edge padding builds an index per output position.
  call.checkOutput(output);
  const intValue = isFloatType(input.dataType) ? undefined : value;
  const padded = beginning.some((p, d) => p > 0 || ending[d]! > 0);
  if (!padded || mode === 'constant' || (mode === 'reflection' && padKernelWorks(call.backend, rank))) {
    const byConcat = mode === 'constant' && !padKernelWorks(call.backend, rank, intValue);
    const attrs: PadAttrs = {
      mode: mode === 'reflection' ? mode : 'constant', beginning, ending, value, byConcat,
      exactValue: castNumberExact(rawValue, input.dataType),
    };
    return call.emitOne([input], attrs, output);
  }
  // Edge padding has no kernel: each padded axis is a gather with a constant index vector.
  let result = input;
  for (let d = 0; d < rank; d++) {
    if (beginning[d] === 0 && ending[d] === 0) continue;
    const size = input.shape[d]!;
    const indices = indexVectorOf(call, shape[d]!, (o) => paddedIndex(mode, size, beginning[d]!, o));
    result = gatherInRange(call, result, indices, d);
  }
  return result;
}

function padByConcat(tf: TF, x: Tensor, attrs: PadAttrs): Tensor {
  let result = x;
  attrs.beginning.forEach((before, d) => {
    const after = attrs.ending[d]!;
    if (before === 0 && after === 0) return;
    const block = (n: number) => {
      const shape = [...result.shape];
      shape[d] = n;
      return tf.fill(shape, attrs.value, result.dtype);
    };
    const parts = [...(before > 0 ? [block(before)] : []), result, ...(after > 0 ? [block(after)] : [])];
    result = tf.concat(parts, d);
  });
  return result;
}

defineOp<PadAttrs>({
  name: 'pad',
  layout: {
    permute: (attrs, perm) => ({
      attrs: { ...attrs, beginning: permuteList(attrs.beginning, perm), ending: permuteList(attrs.ending, perm) },
      outputPerms: [perm],
    }),
  },
  method: {
    length: 3, optionsIndex: 3,
    build: (call, input, beginning, ending, options) => buildPad(call, input, beginning, ending, options),
  },
  limits: { input: limit(ALL_TYPES), output: limit(ALL_TYPES) },
  // uint32, int64, uint64: the positions padded with -1 (cpu PadV2 is exact for int32), which take the exact value.
  lowerHost: byPositions<PadAttrs>('pad', [0], {
    attrs: (attrs) => ({ ...attrs, value: -1, byConcat: false }),
    value: (attrs) => attrs.exactValue,
  }),
  lower: ([x], attrs, { tf }) => {
    if (attrs.beginning.every((p, d) => p === 0 && attrs.ending[d] === 0)) return x!;
    if (attrs.byConcat) return padByConcat(tf, x!, attrs);
    const paddings = attrs.beginning.map((p, d): [number, number] => [p, attrs.ending[d]!]);
    if (attrs.mode === 'reflection') return tf.mirrorPad(x!, paddings, 'reflect');
    return tf.pad(x!, paddings, attrs.value);
  },
});
