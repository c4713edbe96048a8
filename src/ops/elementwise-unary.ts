import { defineOp, FLOAT_TYPES, limit, type Tensor, type TF } from './registry.js';
import { selectSameShape, wrapInteger } from './elementwise-binary.js';
import type { LowerEnv } from './registry.js';
import type { MLOperandDataType } from '../types/data-type.js';

// abs, neg and sign also take the signed integers the backends hold exactly (int64 is not a storage type here).
const SIGNED: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8'];
const ANY: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];

type UnaryKernel = (tf: TF, x: Tensor, env: LowerEnv) => Tensor;

function unary(name: string, dataTypes: readonly MLOperandDataType[], kernel: UnaryKernel): void {
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
    limits: { input: limit(dataTypes), output: limit(dataTypes) },
    lower: ([x], _attrs, env) => kernel(env.tf, x!, env),
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

unary('abs', SIGNED, absolute);
unary('neg', SIGNED, negate);
unary('sign', SIGNED, sign);
unary('identity', ANY, (tf, x) => tf.clone(x));
unary('ceil', FLOAT_TYPES, (tf, x) => tf.ceil(x));
unary('floor', FLOAT_TYPES, (tf, x) => tf.floor(x));
unary('roundEven', FLOAT_TYPES, roundEven);
unary('cos', FLOAT_TYPES, (tf, x) => tf.cos(x));
unary('sin', FLOAT_TYPES, (tf, x) => tf.sin(x));
unary('tan', FLOAT_TYPES, (tf, x) => tf.tan(x));
// WebGL's Erf multiplies by sign(x), which is 0 for -0: zeros pass through as they are.
unary('erf', FLOAT_TYPES, (tf, x, env) =>
  (env.backend === 'webgl' ? selectSameShape(tf, tf.equal(x, 0), x, tf.erf(x)) : tf.erf(x)));
unary('exp', FLOAT_TYPES, (tf, x) => tf.exp(x));
unary('log', FLOAT_TYPES, (tf, x) => tf.log(x));
unary('sqrt', FLOAT_TYPES, (tf, x) => tf.sqrt(x));
unary('reciprocal', FLOAT_TYPES, (tf, x) => tf.reciprocal(x));
