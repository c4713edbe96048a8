import {
  defineOp, flattened, FLOAT_TYPES, limit, MAX_FLAT_RANK, type HostLowering, type LowerEnv, type Tensor, type TensorLimit, type TF,
} from './registry.js';
import { integerBinaryOnHost, integerUnaryOnHost } from './host-kernels.js';
import type { OpCall } from './op-call.js';
import { divideFloat, keepNaN, mulInteger } from './elementwise-binary.js';
import type { BackendName } from '../runtime/backends.js';
import { broadcastShapes } from './shape.js';
import { toDictionary, toFiniteDouble, toMLNumber } from '../webidl.js';
import { castNumber, castNumberExact } from '../types/cast-number.js';
import type { MLOperandDataType } from '../types/data-type.js';
import { elementwiseRule } from './layout-rules.js';
import { ERF_SCALARS, erfKernelOf, gelu } from './erf.js';
import { anyRank } from './broadcast-rank.js';
import { clampKernelOf, hardSigmoidKernelOf, hardSwishKernelOf } from './js-clamps.js';

const SIGNED: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8'];
const ANY: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const INT_MIN: Partial<Record<MLOperandDataType, number>> = { int32: -2147483648, int8: -128, uint8: 0 };
const INT_MAX: Partial<Record<MLOperandDataType, number>> = { int32: 2147483647, int8: 127, uint8: 255 };

const flatLimit = (types: readonly MLOperandDataType[]) => limit(types, 0, MAX_FLAT_RANK);
const single = (types: readonly MLOperandDataType[]): Record<string, TensorLimit> =>
  ({ input: flatLimit(types), output: flatLimit(types) });
const isFloat = (t: string) => t === 'float32' || t === 'float16';
const dtypeOf = (env: LowerEnv) => env.outputs[0]!.dataType;

/** Scalar of the storage dtype of the node's output. */
const scalar = (tf: TF, value: number, env: LowerEnv) => tf.scalar(value, isFloat(dtypeOf(env)) ? 'float32' : 'int32');

type Attrs = Record<string, number>;

/**
 * Build-time values a lowering turns into scalar tensors, listed per operation: graph/passes/scalar-constants.ts
 * appends them to the node's inputs as constants, so that they are uploaded once at build instead of at every run.
 * A lowering reads the i-th of them with scalarAt(given, i, ...), `given` being its inputs after its own.
 */
export const ACTIVATION_SCALARS: Readonly<Record<string, (attrs: Readonly<Record<string, unknown>>) => readonly number[]>> = {
  clamp: (a) => [a['minValue'] as number, a['maxValue'] as number],
  hardSigmoid: (a) => [a['alpha'] as number, a['beta'] as number, 0, 1],
  hardSwish: () => [3, 6],
  'hardSwish.timesSix': () => [3],
  linear: (a) => [a['alpha'] as number, a['beta'] as number],
  softsign: () => [1],
  gelu: () => ERF_SCALARS,
  erf: () => ERF_SCALARS,
  prelu: () => [0],
};

type Given = readonly (Tensor | null | undefined)[];

/** The i-th build-time scalar of the node (see ACTIVATION_SCALARS), made now when the node has none. */
const scalarAt = (given: Given, index: number, value: number, env: LowerEnv): Tensor =>
  given[index] ?? scalar(env.tf, value, env);

/**
 * An activation with one input whose output copies the input's descriptor. `options` converts the op's dictionary
 * members (WebIDL) and casts them to the input's data type, as the spec's steps do.
 */
function activation(name: string, types: readonly MLOperandDataType[],
  lower: (tf: TF, x: Tensor, attrs: Attrs, env: LowerEnv, given: Given) => Tensor,
  options?: (call: OpCall, dict: Record<string, unknown>, dataType: MLOperandDataType) => Attrs,
  lowerHost?: HostLowering<Attrs>): void {
  defineOp<Attrs>({
    name,
    method: {
      length: 1,
      optionsIndex: 1,
      build: (call, input, rawOptions) => {
        const x = call.operand('input', input, 'input');
        const dict = toDictionary<Record<string, unknown>>(call.where, 'options', rawOptions) as Record<string, unknown>;
        const attrs = options ? options(call, dict, x.dataType) : {};
        return call.emitOne([x], attrs, { dataType: x.dataType, shape: x.shape });
      },
    },
    limits: single(types),
    lower: flattened(([x, ...given], attrs, env) => lower(env.tf, x!, attrs, env, given)),
    layout: elementwiseRule(),
    ...(lowerHost ? { lowerHost } : {}),
  });
}

/** A `double` option with its IDL default, cast to the input's data type. */
function doubleOption(call: OpCall, dict: Record<string, unknown>, member: string, fallback: number, dataType: MLOperandDataType) {
  return castNumber(toFiniteDouble(call.where, `options.${member}`, dict[member], fallback), dataType);
}

/** max(x, lo) then min(., hi), x first: wasm's Maximum/Minimum keep a NaN only in their first operand. */
function clampTensor(tf: TF, x: Tensor, lo: number, hi: number, env: LowerEnv, given: Given = []): Tensor {
  let y = x;
  if (lo !== -Infinity && lo !== INT_MIN[dtypeOf(env)]) y = tf.maximum(y, scalarAt(given, 0, lo, env));
  if (hi !== Infinity && hi !== INT_MAX[dtypeOf(env)]) y = tf.minimum(y, scalarAt(given, 1, hi, env));
  return y === x ? tf.clone(x) : y;
}

/** max(x, 0). WebGL's packed Relu multiplies by a 0/1 mask (-Infinity becomes NaN); its Maximum does not. */
function relu(tf: TF, x: Tensor, backend: BackendName): Tensor {
  return backend === 'webgl' ? tf.maximum(x, tf.scalar(0, x.dtype)) : tf.relu(x);
}


// int64 on the host.
activation('relu', [...SIGNED, 'int64'], (tf, x, _attrs, env) => relu(tf, x, env.backend), undefined,
  integerUnaryOnHost((v) => (v > 0n ? v : 0n)));

// The spec's steps default minValue to Infinity and maxValue to -Infinity, which would reject every clamp() without
// bounds: the intended defaults are -Infinity and +Infinity (no clamping). A NaN bound clamps nothing either.
interface ClampAttrs {
  readonly minValue: number;
  readonly maxValue: number;
  /** The bounds exactly, for uint32, int64 and uint64 (bigints for the 64-bit types); fuse.ts reads the numbers. */
  readonly exactMin: number | bigint;
  readonly exactMax: number | bigint;
}

defineOp<ClampAttrs>({
  name: 'clamp',
  layout: elementwiseRule(),
  method: {
    length: 1,
    optionsIndex: 1,
    build: (call, input, rawOptions) => {
      const x = call.operand('input', input, 'input');
      const dict = toDictionary<Record<string, unknown>>(call.where, 'options', rawOptions) as Record<string, unknown>;
      const dataType = x.dataType;
      const given = (member: string) => (dict[member] === undefined ? null : toMLNumber(call.where, `options.${member}`, dict[member]));
      const bound = (value: number | bigint | null, fallback: number) => {
        if (value === null) return fallback;
        const cast = castNumber(value, dataType);
        return Number.isNaN(cast) ? fallback : cast;
      };
      const rawMin = given('minValue');
      const rawMax = given('maxValue');
      const minValue = bound(rawMin, -Infinity);
      const maxValue = bound(rawMax, Infinity);
      const exactMin = castNumberExact(rawMin ?? -Infinity, dataType);
      const exactMax = castNumberExact(rawMax ?? Infinity, dataType);
      if (minValue > maxValue || exactMin > exactMax) {
        call.fail(`options.minValue (${exactMin}) is greater than options.maxValue (${exactMax})`);
      }
      const attrs: ClampAttrs = { minValue, maxValue, exactMin, exactMax };
      return call.emitOne([x], { ...attrs }, { dataType, shape: x.shape });
    },
  },
  limits: single([...ANY, 'uint32', 'int64', 'uint64']),
  lower: flattened(([x, ...given], { minValue, maxValue }, env) =>
    clampKernelOf(x!, minValue, maxValue, env) ?? clampTensor(env.tf, x!, minValue, maxValue, env, given)),
  // uint32, int64, uint64: bounds cast exactly to the type (absent ones are the type's own range).
  lowerHost: (inputs, attrs, env) => {
    const lo = BigInt(attrs.exactMin);
    const hi = BigInt(attrs.exactMax);
    return integerUnaryOnHost<ClampAttrs>((v) => (v < lo ? lo : v > hi ? hi : v))(inputs, attrs, env);
  },
});

// WebGPU's Sigmoid gives 0 for NaN (its exp gives Infinity).
activation('sigmoid', FLOAT_TYPES, (tf, x, _attrs, env) => keepNaN(tf, x, tf.sigmoid(x), env.backend, ['webgpu']));
activation('tanh', FLOAT_TYPES, (tf, x) => tf.tanh(x));

// WebGL's packed LeakyRelu multiplies by a mask too (+Infinity becomes NaN): there the spec's formula is used.
activation('leakyRelu', FLOAT_TYPES, (tf, x, { alpha }, env) => (env.backend === 'webgl'
  ? tf.add(relu(tf, x, env.backend), tf.mul(tf.minimum(x, 0), alpha!)) : tf.leakyRelu(x, alpha!)),
  (call, dict, t) => ({ alpha: doubleOption(call, dict, 'alpha', 0.01, t) }));

activation('hardSigmoid', FLOAT_TYPES,
  (tf, x, { alpha, beta }, env, given) => hardSigmoidKernelOf(x, alpha!, beta!, env) ?? clampTensor(tf,
    tf.add(tf.mul(x, scalarAt(given, 0, alpha!, env)), scalarAt(given, 1, beta!, env)), 0, 1, env, given.slice(2)),
  (call, dict, t) => ({ alpha: doubleOption(call, dict, 'alpha', 0.2, t), beta: doubleOption(call, dict, 'beta', 0.5, t) }));

// x * clamp(x + 3, 0, 6) / 6 with Relu6 as the clamp (one kernel, not two): where Relu6 loses a NaN (wasm), x is NaN
// and so is the product.
activation('hardSwish', FLOAT_TYPES, (tf, x, _attrs, env, given) => hardSwishKernelOf(x, 6, env) ??
  tf.div(tf.mul(x, tf.relu6(tf.add(x, scalarAt(given, 0, 3, env)))), scalarAt(given, 1, 6, env)));

/** 6 * hardSwish(x), for a reader that divides by 6 itself (graph/passes/hard-swish-scaling.ts). */
defineOp({
  name: 'hardSwish.timesSix',
  lower: ([x, three], _attrs, env) => hardSwishKernelOf(x!, 1, env) ??
    env.tf.mul(x!, env.tf.relu6(env.tf.add(x!, scalarAt([three], 0, 3, env)))),
  layout: elementwiseRule(),
});

// max(0, x) + alpha * (exp(min(0, x)) - 1); TF.js's Elu is the alpha = 1 case.
activation('elu', FLOAT_TYPES, (tf, x, { alpha }, env) => keepNaN(tf, x, alpha === 1 ? tf.elu(x)
  : tf.add(relu(tf, x, env.backend), tf.mul(tf.sub(tf.exp(tf.minimum(x, 0)), 1), alpha!)), env.backend),
(call, dict, t) => ({ alpha: doubleOption(call, dict, 'alpha', 1, t) }));

activation('linear', FLOAT_TYPES,
  (tf, x, { alpha, beta }, env, given) => tf.add(tf.mul(x, scalarAt(given, 0, alpha!, env)), scalarAt(given, 1, beta!, env)),
  (call, dict, t) => ({ alpha: doubleOption(call, dict, 'alpha', 1, t), beta: doubleOption(call, dict, 'beta', 0, t) }));

// TF.js's Softplus switches to x or exp(x) at the tails, where log(1 + exp(x)) would overflow or lose digits.
activation('softplus', FLOAT_TYPES, (tf, x, _attrs, env) => keepNaN(tf, x, tf.softplus(x), env.backend));
activation('softsign', FLOAT_TYPES,
  (tf, x, _attrs, env, given) => divideFloat(tf, x, tf.add(tf.abs(x), scalarAt(given, 0, 1, env)), env.backend));
activation('gelu', FLOAT_TYPES,
  (tf, x, _attrs, env, given) => erfKernelOf('gelu', x, env) ?? gelu(tf, x, (i) => scalarAt(given, i, ERF_SCALARS[i]!, env)));

// prelu: max(0, x) + slope * min(0, x) with bidirectional broadcasting. TF.js's Prelu keeps x's shape and its wasm
// kernel is wrong for int32, so it is composed; integer products wrap.
defineOp({
  name: 'prelu',
  layout: elementwiseRule(),
  method: {
    length: 2,
    optionsIndex: 2,
    build: (call, input, slope) => {
      const x = call.operand('input', input, 'input');
      const s = call.operand('slope', slope, 'slope');
      if (s.dataType !== x.dataType) call.fail(`slope (${s.dataType}) must have the data type of input (${x.dataType})`);
      const shape = broadcastShapes(call, s.shape, x.shape, 'slope and input');
      return call.emitOne([x, s], {}, { dataType: x.dataType, shape });
    },
  },
  limits: { input: flatLimit([...SIGNED, 'int64']), slope: flatLimit([...SIGNED, 'int64']), output: flatLimit([...SIGNED, 'int64']) },
  // int64: x, or slope * x wrapped, on the host.
  lowerHost: ([x, slope], _attrs, env) => integerBinaryOnHost((v, k) => (v >= 0n ? v : k * v))([x, slope], {}, env),
  lower: anyRank(([x, slope, ...given], _attrs, env) => {
    const { tf } = env;
    const t = dtypeOf(env);
    const negative = tf.minimum(x!, scalarAt(given, 0, 0, env));
    const positive = relu(tf, x!, env.backend);
    if (isFloat(t)) return tf.add(positive, tf.mul(slope!, negative));
    // One of the two terms is zero, so only the product can overflow; mulInteger wraps it.
    return tf.add(positive, mulInteger(tf, slope!, negative, t, env.backend));
  }),
});
