import { defineOp, flattened, FLOAT_TYPES, limit, MAX_FLAT_RANK, type Tensor, type TF } from './registry.js';
import { keepNaN, selectSameShape, wrapInteger } from './elementwise-binary.js';
import type { HostLowering, LowerEnv } from './registry.js';
import { integerUnaryOnHost } from './host-kernels.js';
import type { MLOperandDataType } from '../types/data-type.js';
import { elementwiseRule } from './layout-rules.js';
import { erf, erfKernelOf, ERF_SCALARS } from './erf.js';

// abs, neg and sign also take the signed integers the backends hold exactly, and int64 on the host.
const SIGNED: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8'];
const ANY: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const HOST_TYPES: readonly MLOperandDataType[] = ['uint32', 'int64', 'uint64'];

/** `given`: the node's inputs after x, the build-time scalars some kernels read (activations.ts's ACTIVATION_SCALARS). */
type UnaryKernel = (tf: TF, x: Tensor, env: LowerEnv, given: readonly (Tensor | null)[]) => Tensor;

function unary(name: string, dataTypes: readonly MLOperandDataType[], kernel: UnaryKernel,
  lowerHost?: HostLowering<Record<string, never>>): void {
  defineOp({
    name,
    method: {
      length: 1,
      optionsIndex: 1,
      build: (call, input) => {
        const x = call.operand('input', input, 'input');
        return call.emitOne([x], {}, { dataType: x.dataType, shape: x.shape });
      },
    },
    limits: { input: limit(dataTypes, 0, MAX_FLAT_RANK), output: limit(dataTypes, 0, MAX_FLAT_RANK) },
    lower: flattened(([x, ...given], _attrs, env) => kernel(env.tf, x!, env, given)),
    layout: elementwiseRule<Record<string, never>>(),
    ...(lowerHost ? { lowerHost } : {}),
  });
}

const outputType = (env: LowerEnv) => env.outputs[0]!.dataType;
const isFloat = (t: string) => t === 'float32' || t === 'float16';

/**
 * Round half to even. The cpu and webgl kernels return +0 for -0.5 (the tie is rounded up to zero): a zero result
 * takes the input's sign there, as wasm's does.
 */
function roundEven(tf: TF, x: Tensor, env: LowerEnv): Tensor {
  const r = tf.round(x);
  if (env.backend === 'wasm') return r;
  return selectSameShape(tf, tf.equal(r, 0), tf.mul(x, 0), r);
}

/** Integer negation and absolute value in integer arithmetic: TF.js's Abs (cpu, wasm) and Neg (wasm) go through float32. */
function negate(tf: TF, x: Tensor, env: LowerEnv): Tensor {
  if (isFloat(outputType(env))) return tf.neg(x);
  return wrapInteger(tf, tf.sub(tf.scalar(0, 'int32'), x), outputType(env));
}

function absolute(tf: TF, x: Tensor, env: LowerEnv): Tensor {
  if (isFloat(outputType(env))) return tf.abs(x);
  // -(-128) and -(-2^31) wrap back to the minimum, which max() then keeps, as two's complement abs does.
  return wrapInteger(tf, tf.maximum(x, tf.sub(tf.scalar(0, 'int32'), x)), outputType(env));
}

/** wasm's Sign returns 0 for |x| below about 1e-6; there the sign comes from two comparisons. */
function sign(tf: TF, x: Tensor, env: LowerEnv): Tensor {
  if (env.backend !== 'wasm') return tf.sign(x);
  return tf.sub(tf.cast(tf.greater(x, 0), x.dtype), tf.cast(tf.less(x, 0), x.dtype));
}

// int64 on the host: -(-2^63) and |-2^63| wrap back to -2^63.
unary('abs', [...SIGNED, 'int64'], absolute, integerUnaryOnHost((x) => (x < 0n ? -x : x)));
unary('neg', [...SIGNED, 'int64'], negate, integerUnaryOnHost((x) => -x));
unary('sign', [...SIGNED, 'int64'], sign, integerUnaryOnHost((x) => (x > 0n ? 1n : x < 0n ? -1n : 0n)));
unary('identity', [...ANY, ...HOST_TYPES], (tf, x) => tf.clone(x), ([x]) => x!.clone());
unary('ceil', FLOAT_TYPES, (tf, x) => tf.ceil(x));
unary('floor', FLOAT_TYPES, (tf, x) => tf.floor(x));
unary('roundEven', FLOAT_TYPES, roundEven);
/**
 * sin, cos and tan from float32 multiplies and adds, for webgl and webgpu: GPU trigonometry (SwiftShader's at least) is off by up
 * to ~4e-4. The argument is reduced by the nearest multiple k of pi/2 with pi/2 split in three parts (Cody and Waite;
 * k * part1 is exact while |k| < 2^16, i.e. |x| < ~1e5, which covers float16), then minimax polynomials of sin and cos
 * on [-pi/4, pi/4] (as in Cephes' sinf/cosf) are picked and signed by the quadrant k mod 4.
 */
function polynomialTrig(tf: TF, x: Tensor, fn: 'sin' | 'cos' | 'tan'): Tensor {
  const k = tf.round(tf.mul(x, 2 / Math.PI));
  let r = tf.sub(x, tf.mul(k, 1.5703125));
  r = tf.sub(r, tf.mul(k, 4.837512969970703125e-4));
  r = tf.sub(r, tf.mul(k, 7.549789954891882e-8));
  const z = tf.mul(r, r);
  const sinR = tf.add(r, tf.mul(tf.mul(r, z),
    tf.add(-1.6666654611e-1, tf.mul(z, tf.add(8.3321608736e-3, tf.mul(z, -1.9515295891e-4))))));
  const cosR = tf.add(tf.sub(1, tf.mul(z, 0.5)), tf.mul(tf.mul(z, z),
    tf.add(4.166664568298827e-2, tf.mul(z, tf.add(-1.388731625493765e-3, tf.mul(z, 2.443315711809948e-5))))));
  const quadrant = tf.mod(k, 4); // floor modulo: 0..3 for negative k too
  const odd = tf.equal(tf.mod(quadrant, 2), 1);
  let result: Tensor;
  if (fn === 'tan') {
    result = selectSameShape(tf, odd, tf.neg(tf.div(cosR, sinR)), tf.div(sinR, cosR));
  } else {
    // sin: quadrants 0..3 give s, c, -s, -c; cos: c, -s, -c, s.
    const shifted = fn === 'sin' ? quadrant : tf.mod(tf.add(quadrant, 1), 4);
    const value = fn === 'sin' ? selectSameShape(tf, odd, cosR, sinR) : selectSameShape(tf, odd, sinR, cosR);
    result = tf.mul(value, tf.sub(1, tf.mul(tf.cast(tf.greaterEqual(shifted, 2), 'float32'), 2)));
  }
  // Zeros keep their sign (sin and tan are odd functions); cos(0) is 1 either way.
  return fn === 'cos' ? result : selectSameShape(tf, tf.equal(x, 0), x, result);
}

const trig = (fn: 'sin' | 'cos' | 'tan'): UnaryKernel => (tf, x, env) =>
  (env.backend === 'webgl' || env.backend === 'webgpu' ? polynomialTrig(tf, x, fn) : tf[fn](x));

unary('cos', FLOAT_TYPES, trig('cos'));
unary('sin', FLOAT_TYPES, trig('sin'));
unary('tan', FLOAT_TYPES, trig('tan'));
unary('erf', FLOAT_TYPES,
  (tf, x, env, given) => erfKernelOf('erf', x, env) ?? erf(tf, x, (i) => given[i] ?? tf.scalar(ERF_SCALARS[i]!)));
// WebGPU's exp and log give Infinity and 89 for NaN, and its log -88 for zeros.
unary('exp', FLOAT_TYPES, (tf, x, env) => keepNaN(tf, x, tf.exp(x), env.backend, ['webgpu']));
unary('log', FLOAT_TYPES, (tf, x, env) => {
  const y = tf.log(x);
  if (env.backend !== 'webgpu') return y;
  return selectSameShape(tf, tf.equal(x, 0), tf.fill(x.shape, -Infinity), keepNaN(tf, x, y, env.backend, ['webgpu']));
});
unary('sqrt', FLOAT_TYPES, (tf, x) => tf.sqrt(x));
unary('reciprocal', FLOAT_TYPES, (tf, x) => tf.reciprocal(x));
