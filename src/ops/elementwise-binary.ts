import { defineOp, limit, MAX_FLAT_RANK, type Lowering, type Tensor, type TensorLimit, type TF } from './registry.js';
import { anyRank } from './broadcast-rank.js';
import { integerBinaryOnHost } from './host-kernels.js';
import type { OpCall } from './op-call.js';
import { broadcastShapes } from './shape.js';
import type { BackendName } from '../runtime/backends.js';
import type { MLOperandDataType } from '../types/data-type.js';
import { elementwiseRule } from './layout-rules.js';

const ALL: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const HOST_TYPES: readonly MLOperandDataType[] = ['uint32', 'int64', 'uint64'];

function binaryLimits(types: readonly MLOperandDataType[]): Record<string, TensorLimit> {
  return { a: limit(types, 0, MAX_FLAT_RANK), b: limit(types, 0, MAX_FLAT_RANK), output: limit(types, 0, MAX_FLAT_RANK) };
}

function buildBinary(call: OpCall, a: unknown, b: unknown) {
  const x = call.operand('a', a, 'a');
  const y = call.operand('b', b, 'b');
  if (x.dataType !== y.dataType) call.fail(`a (${x.dataType}) and b (${y.dataType}) must have the same data type`);
  const shape = broadcastShapes(call, x.shape, y.shape);
  return call.emitOne([x, y], {}, { dataType: x.dataType, shape });
}

const isFloat = (dataType: string) => dataType === 'float32' || dataType === 'float16';

/**
 * Integer results wrap to the WebNN type's width, as two's complement hardware does. int32 storage wraps by itself on
 * cpu and wasm; int8/uint8 values are re-wrapped with a floor modulo, exact for any stored value.
 */
export function wrapInteger(tf: TF, x: Tensor, dataType: string): Tensor {
  if (dataType !== 'int8' && dataType !== 'uint8') return x;
  // No intermediate beyond |x|: webgl holds int32 in float32, exact only up to 2^24.
  const low = tf.mod(x, tf.scalar(256, 'int32'));
  if (dataType === 'uint8') return low;
  return tf.sub(low, tf.mul(tf.cast(tf.greaterEqual(low, tf.scalar(128, 'int32')), 'int32'), tf.scalar(256, 'int32')));
}

const int = (tf: TF, value: number) => tf.scalar(value, 'int32');

/**
 * tf.where for operands of one shape. WebGL's Select handles rank <= 4 only, so higher ranks go through a free
 * reshape to one dimension.
 */
/**
 * y with x's NaNs put back, on the GPU backends whose shaders lose them (a comparison with NaN picks a branch; WebGPU's
 * exp and log on SwiftShader give Infinity and 89 for NaN); elsewhere y as it is.
 */
export function keepNaN(tf: TF, x: Tensor, y: Tensor, backend: BackendName, on: readonly BackendName[] = ['webgl', 'webgpu']): Tensor {
  return on.includes(backend) ? selectSameShape(tf, tf.isNaN(x), x, y) : y;
}

export function selectSameShape(tf: TF, condition: Tensor, a: Tensor, b: Tensor): Tensor {
  if (a.rank <= 4) return tf.where(condition, a, b);
  const flat = [a.size];
  return tf.reshape(tf.where(tf.reshape(condition, flat), tf.reshape(a, flat), tf.reshape(b, flat)), a.shape);
}

/**
 * int32 product modulo 2^32. wasm multiplies int32 natively with wrap-around; the cpu backend multiplies in double
 * and loses the low bits once |a*b| > 2^53, so there the operands are split into 16-bit halves whose partial
 * products are all exact in double (each term stays below 2^48).
 */
export function mulInt32(tf: TF, a: Tensor, b: Tensor, backend: BackendName): Tensor {
  if (backend !== 'cpu') return tf.mul(a, b);
  const base = int(tf, 65536);
  const aLow = tf.mod(a, base);
  const aHigh = tf.floorDiv(a, base);
  const bLow = tf.mod(b, base);
  const bHigh = tf.floorDiv(b, base);
  const cross = tf.add(tf.mul(aHigh, bLow), tf.mul(aLow, bHigh));
  return tf.add(tf.mul(aLow, bLow), tf.mul(cross, base));
}

/** The product of two integer tensors of `dataType`, wrapped to its width. */
export function mulInteger(tf: TF, a: Tensor, b: Tensor, dataType: string, backend: BackendName): Tensor {
  return dataType === 'int32' ? mulInt32(tf, a, b, backend) : wrapInteger(tf, tf.mul(a, b), dataType);
}

/** float32 -> int32, truncating toward zero; values beyond the int32 range saturate (f32 has no 2^31 - 1). */
function truncToInt32(tf: TF, x: Tensor): Tensor {
  return tf.cast(tf.clipByValue(x, -2147483648, 2147483520), 'int32');
}

/**
 * Integer division truncating toward zero, exact for every int32 pair (b != 0) on every backend. The quotient is
 * estimated in float32 (off by at most a few units), refined once from the exact remainder a - q*b, and a last
 * integer step moves it by one when the remainder is still out of [0, |b|) in the direction of a's sign.
 * FloorDiv is not used: wasm computes it through float32 and is wrong above 2^24.
 */
export function divTruncInteger(tf: TF, a: Tensor, b: Tensor, backend: BackendName): Tensor {
  const fb = tf.cast(b, 'float32');
  let q = truncToInt32(tf, tf.div(tf.cast(a, 'float32'), fb));
  let r = tf.sub(a, mulInt32(tf, q, b, backend));
  q = tf.add(q, truncToInt32(tf, tf.div(tf.cast(r, 'float32'), fb)));
  r = tf.sub(a, mulInt32(tf, q, b, backend));
  // Magnitudes compared as negatives: -|x| exists for every int32, |x| does not for -2^31.
  const negAbsR = tf.minimum(r, tf.neg(r));
  const negAbsB = tf.minimum(b, tf.neg(b));
  const signA = tf.sign(a);
  const signR = tf.sign(r);
  const direction = tf.mul(signA, tf.sign(b));
  const tooSmall = tf.logicalAnd(tf.lessEqual(negAbsR, negAbsB), tf.equal(signR, signA));
  const tooLarge = tf.logicalAnd(tf.notEqual(r, int(tf, 0)), tf.notEqual(signR, signA));
  const step = tf.sub(tf.cast(tooSmall, 'int32'), tf.cast(tooLarge, 'int32'));
  return tf.add(q, tf.mul(step, direction));
}

const EXPONENT_BITS: Record<string, number> = { int32: 31, int8: 7, uint8: 8 };

/**
 * Integer power by square-and-multiply with a wrapping product, so every result is the exact power modulo the
 * type's width. Negative exponents truncate toward zero: 1 for a = 1, +-1 for a = -1, 0 otherwise.
 */
export function powInteger(tf: TF, a: Tensor, e: Tensor, dataType: string, backend: BackendName): Tensor {
  const zero = int(tf, 0);
  const one = int(tf, 1);
  const two = int(tf, 2);
  const exponent = tf.maximum(e, zero);
  let base = a;
  let result: Tensor = tf.onesLike(tf.add(a, e));
  const bits = EXPONENT_BITS[dataType] ?? 31;
  for (let k = 0; k < bits; k++) {
    // Bit k from an integer modulo (exact on every backend; wasm's FloorDiv goes through float32).
    const low = k + 1 < 31 ? tf.mod(exponent, int(tf, 2 ** (k + 1))) : exponent;
    const bit = tf.cast(tf.greaterEqual(low, int(tf, 2 ** k)), 'int32');
    // result * (bit ? base : 1), written without a select: 1 + bit * (base - 1) is base or 1 modulo 2^32.
    result = mulInteger(tf, result, tf.add(one, tf.mul(bit, tf.sub(base, one))), dataType, backend);
    if (k + 1 < bits) base = mulInteger(tf, base, base, dataType, backend);
  }
  const oddExponent = tf.mod(e, two);
  const negativeResult = tf.add(
    tf.cast(tf.equal(a, one), 'int32'),
    tf.mul(tf.cast(tf.equal(a, int(tf, -1)), 'int32'), tf.sub(one, tf.mul(two, oddExponent))));
  const isNegative = tf.cast(tf.less(e, zero), 'int32');
  return tf.add(tf.mul(result, tf.sub(one, isNegative)), tf.mul(negativeResult, isNegative));
}

/**
 * Float division. WebGL's RealDiv returns 1 whenever a == b, so 0/0 and +-Infinity/+-Infinity give 1 there instead of
 * NaN; a * (1/b) is NaN for exactly the pairs whose quotient is NaN and supplies those NaNs.
 */
export function divideFloat(tf: TF, a: Tensor, b: Tensor, backend: BackendName): Tensor {
  const quotient = tf.div(a, b);
  if (backend !== 'webgl') return quotient;
  const product = tf.mul(a, tf.reciprocal(b));
  return selectSameShape(tf, tf.isNaN(product), product, quotient);
}

/**
 * Float power. WebGL's and WebGPU's Pow give NaN for a zero base with a negative exponent, whose power is +Infinity (or the
 * reciprocal of the signed zero for odd exponents): there the result is taken as 1 / 0^-b. It also turns a NaN
 * exponent into +-Infinity.
 */
export function powFloat(tf: TF, a: Tensor, b: Tensor, backend: BackendName): Tensor {
  const power = tf.pow(a, b);
  if (backend !== 'webgl' && backend !== 'webgpu') return power;
  const zeroBaseNegativeExponent = tf.logicalAnd(tf.equal(a, 0), tf.less(b, 0));
  const fixed = selectSameShape(tf, zeroBaseNegativeExponent, tf.reciprocal(tf.pow(a, tf.neg(b))), power);
  // A NaN exponent gives +-Infinity there too; b + zeros(a) is that NaN at the output shape.
  const nanExponent = tf.add(b, tf.zerosLike(a));
  return selectSameShape(tf, tf.isNaN(nanExponent), nanExponent, fixed);
}

type Kernel = (tf: TF, a: Tensor, b: Tensor, dataType: string, backend: BackendName) => Tensor;

function binary(name: string, kernel: Kernel, onHost: (x: bigint, y: bigint) => bigint) {
  const lower: Lowering<Record<string, never>> = ([a, b], _attrs, env) =>
    kernel(env.tf, a!, b!, env.outputs[0]!.dataType, env.backend);
  defineOp({
    name,
    method: { length: 2, optionsIndex: 2, build: (call, a, b) => buildBinary(call, a, b) },
    limits: binaryLimits([...ALL, ...HOST_TYPES]),
    lower: anyRank(lower),
    layout: elementwiseRule<Record<string, never>>(),
    // uint32, int64 and uint64: BigInt arithmetic on the host, wrapped to the type.
    lowerHost: integerBinaryOnHost(onHost),
  });
}

/**
 * Integer power modulo 2^64 by square-and-multiply (the caller wraps to the type); negative exponents truncate
 * toward zero as in powInteger.
 */
function powBigInt(a: bigint, e: bigint): bigint {
  if (e < 0n) return a === 1n ? 1n : a === -1n ? (e % 2n === 0n ? 1n : -1n) : 0n;
  let result = 1n;
  let base = BigInt.asUintN(64, a);
  for (let rest = e; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = BigInt.asUintN(64, result * base);
    base = BigInt.asUintN(64, base * base);
  }
  return result;
}

binary('add', (tf, a, b, t) => wrapInteger(tf, tf.add(a, b), t), (x, y) => x + y);
binary('sub', (tf, a, b, t) => wrapInteger(tf, tf.sub(a, b), t), (x, y) => x - y);
binary('mul', (tf, a, b, t, backend) => (isFloat(t) ? tf.mul(a, b) : mulInteger(tf, a, b, t, backend)), (x, y) => x * y);
// Integer division truncates toward zero (spec); -128 / -1 wraps like every other int8 overflow. On the host a
// division by zero (left to the implementation) gives 0.
binary('div', (tf, a, b, t, backend) =>
  (isFloat(t) ? divideFloat(tf, a, b, backend) : wrapInteger(tf, divTruncInteger(tf, a, b, backend), t)),
(x, y) => (y === 0n ? 0n : x / y));
binary('max', (tf, a, b) => tf.maximum(a, b), (x, y) => (x > y ? x : y));
binary('min', (tf, a, b) => tf.minimum(a, b), (x, y) => (x < y ? x : y));
binary('pow', (tf, a, b, t, backend) => (isFloat(t) ? powFloat(tf, a, b, backend) : powInteger(tf, a, b, t, backend)),
  powBigInt);
