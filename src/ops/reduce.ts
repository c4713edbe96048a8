import { toBoolean, toDictionary, toUnsignedLongSequence } from '../webidl.js';
import type { BackendName } from '../runtime/backends.js';
import type { MLOperandDataType } from '../types/data-type.js';
import type { OpCall } from './op-call.js';
import {
  defineOp, FLOAT_TYPES, limit, type LowerEnv, NUMERIC_TYPES, type TensorLimit, type TF, type Tensor,
} from './registry.js';
import { meanOfRowsOf } from './js-mean.js';
import { checkAxes, range } from './shape.js';
import { reduceOnHost } from './host-kernels.js';
import { physicalAxis, withoutAxes } from './layout-rules.js';

interface ReduceAttrs {
  /** The reduced axes, resolved (all axes when the option is absent); may be empty. */
  readonly axes: readonly number[];
  readonly keepDimensions: boolean;
}

interface ReduceContext {
  readonly tf: TF;
  readonly backend: BackendName;
  readonly isInt: boolean;
  readonly env: LowerEnv;
}

/** A reduction: over `axes` (non-empty), and its value for a single element (what reducing no axis gives). */
interface Reduction {
  readonly over: (x: Tensor, axes: number[], keep: boolean, ctx: ReduceContext) => Tensor;
  readonly single: (x: Tensor, ctx: ReduceContext) => Tensor;
}

const int32 = (tf: TF, value: number) => tf.scalar(value, 'int32');

/** |x| that is exact for every int32: TF.js Abs goes through float32 on cpu and wasm (abs(123456789) = 123456792). */
function absolute(x: Tensor, { tf, isInt }: ReduceContext): Tensor {
  return isInt ? tf.mul(x, tf.sign(x)) : tf.abs(x);
}

/**
 * x*x, wrapping like int32 hardware. wasm multiplies int32 natively; cpu multiplies in float64 (Square even in
 * float32), so there the square is assembled from 16-bit halves whose products stay below 2^53:
 * x = hi*2^16 + lo  =>  x*x = lo*lo + hi*lo*2^17 (mod 2^32).
 */
function square(x: Tensor, { tf, backend, isInt }: ReduceContext): Tensor {
  if (!isInt) return tf.square(x);
  if (backend !== 'cpu') return tf.mul(x, x);
  const hi = tf.floorDiv(x, int32(tf, 65536));
  const lo = tf.sub(x, tf.mul(hi, int32(tf, 65536)));
  return tf.add(tf.mul(lo, lo), tf.mul(tf.mul(hi, lo), int32(tf, 131072)));
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * log(sum(exp(x - max))) + max. The max subtracted is clamped to finite, so an infinite max makes no Inf - Inf;
 * the max added back is not, so all -Inf gives -Inf even where log(0) is finite (webgl).
 */
function logSumExp(x: Tensor, axes: number[], keep: boolean, tf: TF): Tensor {
  const max = tf.max(x, axes, true);
  const sum = tf.sum(tf.exp(tf.sub(x, tf.clipByValue(max, -FLOAT32_MAX, FLOAT32_MAX))), axes, true);
  const result = tf.add(tf.log(sum), max);
  return keep ? result : tf.squeeze(result, axes);
}

const REDUCTIONS: Record<string, Reduction> = {
  reduceL1: {
    over: (x, axes, keep, ctx) => ctx.tf.sum(absolute(x, ctx), axes, keep),
    single: (x, ctx) => absolute(x, ctx),
  },
  reduceL2: {
    over: (x, axes, keep, ctx) => ctx.tf.sqrt(ctx.tf.sum(ctx.tf.square(x), axes, keep)),
    single: (x, { tf }) => tf.abs(x),
  },
  reduceLogSum: {
    over: (x, axes, keep, { tf }) => tf.log(tf.sum(x, axes, keep)),
    single: (x, { tf }) => tf.log(x),
  },
  reduceLogSumExp: {
    over: (x, axes, keep, { tf }) => logSumExp(x, axes, keep, tf),
    single: (x) => x,
  },
  reduceMax: {
    over: (x, axes, keep, { tf }) => tf.max(x, axes, keep),
    single: (x) => x,
  },
  reduceMean: {
    over: (x, axes, keep, { tf, env }) => meanOfRowsOf(x, axes, keep, env) ?? tf.mean(x, axes, keep),
    single: (x) => x,
  },
  reduceMin: {
    over: (x, axes, keep, { tf }) => tf.min(x, axes, keep),
    single: (x) => x,
  },
  reduceProduct: {
    over: (x, axes, keep, { tf }) => tf.prod(x, axes, keep),
    single: (x) => x,
  },
  reduceSum: {
    over: (x, axes, keep, { tf }) => tf.sum(x, axes, keep),
    single: (x) => x,
  },
  reduceSumSquare: {
    over: (x, axes, keep, ctx) => ctx.tf.sum(square(x, ctx), axes, keep),
    single: (x, ctx) => square(x, ctx),
  },
};

const HOST_INTEGERS: readonly MLOperandDataType[] = ['uint32', 'int64', 'uint64'];
const SUM_TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', ...HOST_INTEGERS];

const abs = (v: bigint) => (v < 0n ? -v : v);
const same = (v: bigint) => v;
/** uint32, int64 and uint64 reductions on the host, in BigInt: [element map, combining step]. */
const HOST_REDUCTIONS: Record<string, readonly [(v: bigint) => bigint, (acc: bigint, v: bigint) => bigint]> = {
  reduceL1: [abs, (a, v) => a + v],
  reduceMax: [same, (a, v) => (v > a ? v : a)],
  reduceMin: [same, (a, v) => (v < a ? v : a)],
  reduceProduct: [same, (a, v) => BigInt.asUintN(64, a * v)],
  reduceSum: [same, (a, v) => a + v],
  reduceSumSquare: [(v) => BigInt.asUintN(64, v * v), (a, v) => a + v],
};

/**
 * Supported input types. Integer sums are exact (wrapping) on cpu and wasm (a webgl context computes int32 on the cpu
 * backend). int32 products are not exact on cpu (float64 products lose low bits), and are not required, so
 * reduceProduct takes no int32; uint32, int64 and uint64 reduce exactly on the host.
 */
const TYPES: Record<string, readonly MLOperandDataType[]> = {
  reduceL1: SUM_TYPES,
  reduceL2: FLOAT_TYPES,
  reduceLogSum: FLOAT_TYPES,
  reduceLogSumExp: FLOAT_TYPES,
  reduceMax: [...NUMERIC_TYPES, ...HOST_INTEGERS],
  reduceMean: FLOAT_TYPES,
  reduceMin: [...NUMERIC_TYPES, ...HOST_INTEGERS],
  reduceProduct: [...FLOAT_TYPES, ...HOST_INTEGERS],
  reduceSum: SUM_TYPES,
  reduceSumSquare: SUM_TYPES,
};

function buildReduce(call: OpCall, inputArg: unknown, options: unknown) {
  const input = call.operand('input', inputArg, 'input');
  const o = toDictionary<{ axes: unknown; keepDimensions: unknown }>(call.where, 'options', options);
  const rank = input.shape.length;
  const axes = o.axes === undefined ? range(rank) : toUnsignedLongSequence(call.where, 'options.axes', o.axes);
  const keepDimensions = toBoolean(o.keepDimensions, false);
  checkAxes(call, axes, rank, 'options.axes');
  const shape = keepDimensions
    ? input.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : input.shape.filter((_, i) => !axes.includes(i));
  return call.emitOne([input], { axes, keepDimensions }, { dataType: input.dataType, shape });
}

for (const [name, reduction] of Object.entries(REDUCTIONS)) {
  const types = TYPES[name]!;
  const limits: Record<string, TensorLimit> = { input: limit(types), output: limit(types) };
  defineOp<ReduceAttrs>({
    name,
    method: { length: 1, optionsIndex: 1, build: (call, input, options) => buildReduce(call, input, options) },
    limits,
    layout: {
      permute: ({ axes, keepDimensions }, perm) => ({
        attrs: { axes: axes.map((a) => physicalAxis(perm, a)).sort((a, b) => a - b), keepDimensions },
        outputPerms: [keepDimensions ? perm : withoutAxes(perm, axes)],
      }),
    },
    lower: ([x], { axes, keepDimensions }, env) => {
      const ctx: ReduceContext = { tf: env.tf, backend: env.backend, isInt: !FLOAT_TYPES.includes(env.inputs[0]!.dataType), env };
      return axes.length === 0 ? reduction.single(x!, ctx) : reduction.over(x!, [...axes], keepDimensions, ctx);
    },
    ...(HOST_REDUCTIONS[name] ? {
      lowerHost: ([x], { axes }, { outputs }) => reduceOnHost(x!, axes, outputs[0]!, ...HOST_REDUCTIONS[name]!),
    } : {}),
  });
}
