/**
 * modulusFloor and modulusTruncate (dynamic-shape proposal): the remainder of a division rounded down (sign of b, as
 * Python's %) or toward zero (sign of a, as C's fmod). Integer division by zero gives 0, float division by zero NaN.
 */
import type { MLOperand } from './builder-internals.js';
import type { BackendName } from '../runtime/backends.js';
import { isFloatType } from '../types/data-type.js';
import { divTruncInteger, mulInt32 } from './elementwise-binary.js';
import { integerBinaryOnHost } from './host-kernels.js';
import type { OpCall } from './op-call.js';
import { ALL_TYPES, defineOp, limit, MAX_FLAT_RANK, type Tensor, type TF } from './registry.js';
import { anyRank } from './broadcast-rank.js';
import { broadcastShapes } from './shape.js';

type Rounding = 'floor' | 'truncate';

function buildModulus(call: OpCall, aArg: unknown, bArg: unknown): MLOperand {
  const a = call.operand('a', aArg, 'a');
  const b = call.operand('b', bArg, 'b');
  if (a.dataType !== b.dataType) call.fail(`a (${a.dataType}) and b (${b.dataType}) must have the same data type`);
  const shape = broadcastShapes(call, a.shape, b.shape);
  return call.emitOne([a, b], {}, { dataType: a.dataType, shape });
}

/** r + b where r is a non-zero remainder whose sign differs from b's: the floor remainder from the truncated one. */
function towardB(tf: TF, r: Tensor, b: Tensor): Tensor {
  const zero = tf.zerosLike(r);
  const differ = tf.logicalAnd(tf.notEqual(r, zero), tf.notEqual(tf.less(r, zero), tf.less(b, tf.zerosLike(b))));
  return tf.add(r, tf.mul(tf.cast(differ, r.dtype), b));
}

/**
 * Floats: the truncated remainder is sign(a) * (|a| mod |b|), where TF.js's floor modulo of non-negative operands is
 * the truncated one (exact on the cpu backend, JavaScript's %). NaN operands and b = 0 give NaN through the modulo.
 */
function floatModulus(tf: TF, a: Tensor, b: Tensor, rounding: Rounding): Tensor {
  const magnitude = tf.mod(tf.abs(a), tf.abs(b));
  // sign(a) is 0 for a = 0: 0 * NaN keeps b = 0's NaN, 0 * finite is the right 0.
  const truncated = tf.mul(tf.sign(a), magnitude);
  return rounding === 'truncate' ? truncated : towardB(tf, truncated, b);
}

/**
 * int32, int8 and uint8 (int32 storage): a - trunc(a / b) * b from the exact truncating division, which wraps to the
 * right remainder even for -2^31 / -1. A zero divisor is replaced by 1 and its result masked to 0. The remainder lies
 * between -|b| and |b|, so it needs no re-wrap to the type.
 */
function integerModulus(tf: TF, a: Tensor, b: Tensor, rounding: Rounding, backend: BackendName): Tensor {
  const isZero = tf.cast(tf.equal(b, tf.scalar(0, 'int32')), 'int32');
  const nonZero = tf.sub(tf.scalar(1, 'int32'), isZero);
  const divisor = tf.add(b, isZero);
  const quotient = divTruncInteger(tf, a, divisor, backend);
  const truncated = tf.sub(a, mulInt32(tf, quotient, divisor, backend));
  const r = rounding === 'truncate' ? truncated : towardB(tf, truncated, divisor);
  return tf.mul(r, nonZero);
}

function hostModulus(rounding: Rounding) {
  return (x: bigint, y: bigint): bigint => {
    if (y === 0n) return 0n;
    const r = x % y;
    return rounding === 'floor' && r !== 0n && (r < 0n) !== (y < 0n) ? r + y : r;
  };
}

function modulus(name: string, rounding: Rounding): void {
  defineOp<Record<string, never>>({
    name,
    proposal: 'dynamic-shapes',
    method: { length: 2, optionsIndex: 2, build: (call, a, b) => buildModulus(call, a, b) },
    limits: { a: limit(ALL_TYPES, 0, MAX_FLAT_RANK), b: limit(ALL_TYPES, 0, MAX_FLAT_RANK), output: limit(ALL_TYPES, 0, MAX_FLAT_RANK) },
    lower: anyRank(([a, b], _attrs, { tf, backend, outputs }) => (isFloatType(outputs[0]!.dataType)
      ? floatModulus(tf, a!, b!, rounding) : integerModulus(tf, a!, b!, rounding, backend))),
    lowerHost: integerBinaryOnHost(hostModulus(rounding)),
  });
}

modulus('modulusFloor', 'floor');
modulus('modulusTruncate', 'truncate');
