/**
 * erf and gelu accurate to float32 from TF.js's elementwise kernels, on every backend. TF.js's Erf is Abramowitz and
 * Stegun's 7.1.26, whose absolute error of about 1e-7 is hundreds of ulps for small |x|, and whose 1 + erf(x) in gelu
 * loses every digit for negative x.
 *
 * For |x| < 0.5, erf(x) = x * S(x^2); further out, erfc(a) = exp(-a^2) * L(t) with t = 1 / (1 + 0.4 a). S and L are
 * polynomials fitted here for relative error (3e-11 and 4e-9, below float32's 6e-8). gelu takes its tail from
 * erfc(-x / sqrt 2) directly, with exp(-x^2 / 2) made from x. Measured: erf within 2 ulps on cpu and wasm, gelu within
 * 5; on WebGL, whose exp is within 3 ulps, a few more.
 *
 * On wasm and cpu, float32 erf and gelu are one kernel of ours each instead of about sixty TF.js kernels: the same
 * polynomials evaluated in float64 in JavaScript (runtime/js-kernels.ts), with the exponential of JavaScript.
 */
import { selectSameShape } from './elementwise-binary.js';
import type { LowerEnv, Tensor, TF } from './registry.js';
import { type JsKernel, runJsKernel } from '../runtime/js-kernels.js';
import { float32OnJsKernels } from './js-kernel-env.js';

const SMALL = [1.12837923, -0.376126379, 0.112837739, -0.0268631205, 0.00520031434, -0.00076929474];
const LARGE = [1.09902464e-6, 0.225653931, 0.225816801, 0.207663521, 0.166030034, 0.15584141, -0.0410391316,
  0.215200856, -0.213882715, 0.0587253496];
/** |x| beyond which exp(-x^2 / 2) is 0 in float32: larger values are clamped to it (infinities too). */
const LIMIT = 16;

// Positions of the scalars in ERF_SCALARS.
const ONE = 0;
const HALF = 1;
const TWO = 2;
const MINUS_ONE = 3;
const MINUS_HALF = 4;
const SIXTY_FOUR = 5;
const ONE_64TH = 6;
const TAIL_SCALE = 7;
const CLAMP = 8;
const SQRT1_2 = 9;
const ZERO = 10;
const LOG2E = 11;
const LN2_HIGH = 12;
const LN2_LOW = 13;
const SMALL_AT = 14;
const LARGE_AT = SMALL_AT + SMALL.length;

/**
 * The scalars the erf and gelu lowerings read, in order: made constant inputs of their nodes at build
 * (activations.ts's ACTIVATION_SCALARS), so that a run makes no scalar tensors.
 */
export const ERF_SCALARS: readonly number[] = [
  1, 0.5, 2, -1, -0.5, 64, 1 / 64, 0.4, LIMIT, Math.SQRT1_2, 0, Math.LOG2E, 0.693145751953125, 1.428606765330187e-6,
  ...SMALL, ...LARGE,
];

/** The i-th of ERF_SCALARS as a float32 scalar tensor. */
export type ErfScalar = (index: number) => Tensor;

function polynomial(tf: TF, t: Tensor, first: number, count: number, s: ErfScalar): Tensor {
  let r = tf.mul(t, s(first + count - 1));
  for (let k = count - 2; k > 0; k--) r = tf.mul(tf.add(r, s(first + k)), t);
  return tf.add(r, s(first));
}

/**
 * exp(scale * v^2) for v >= 0, scale (the scalar at scaleAt) -1 or -1/2. v^2 is split into z^2, exact with z = v
 * rounded to 1/64, and (v - z)(v + z): rounding v^2 itself would cost up to v^2 ulps. The exponent is then
 * n ln 2 + r with an integer n and ln 2 in two parts (n times the first is exact), and the result 2^n exp(r) with
 * |r| <= ln 2 / 2: WebGL's exp of a large argument loses about its size in ulps (its exp2(a * log2 e) rounds the
 * product), 50 ulps at -50.
 */
function expOfScaledSquare(tf: TF, v: Tensor, scaleAt: number, s: ErfScalar): Tensor {
  const z = tf.mul(tf.round(tf.mul(v, s(SIXTY_FOUR))), s(ONE_64TH));
  const large = tf.mul(tf.mul(z, z), s(scaleAt));
  const small = tf.mul(tf.mul(tf.sub(v, z), tf.add(v, z)), s(scaleAt));
  const n = tf.round(tf.mul(tf.add(large, small), s(LOG2E)));
  const r = tf.add(tf.sub(tf.sub(large, tf.mul(n, s(LN2_HIGH))), tf.mul(n, s(LN2_LOW))), small);
  return tf.mul(tf.exp(r), tf.pow(s(TWO), n));
}

/** erfc(a) for a >= 0.5, given e = exp(-a^2). */
function erfcTail(tf: TF, a: Tensor, e: Tensor, s: ErfScalar): Tensor {
  const t = tf.reciprocal(tf.add(tf.mul(a, s(TAIL_SCALE)), s(ONE)));
  return tf.mul(e, polynomial(tf, t, LARGE_AT, LARGE.length, s));
}

/** x * S(x^2): erf(x) for |x| < 0.5, zeros keeping their sign. */
function erfNearZero(tf: TF, x: Tensor, s: ErfScalar): Tensor {
  return tf.mul(x, polynomial(tf, tf.mul(x, x), SMALL_AT, SMALL.length, s));
}

export function erf(tf: TF, x: Tensor, s: ErfScalar): Tensor {
  const a = tf.abs(x);
  // minimum(a, limit) with a first keeps NaN on every backend.
  const clamped = tf.minimum(a, s(CLAMP));
  const tail = erfcTail(tf, clamped, expOfScaledSquare(tf, clamped, MINUS_ONE, s), s);
  const far = tf.mul(tf.sign(x), tf.sub(s(ONE), tail));
  return selectSameShape(tf, tf.less(a, s(HALF)), erfNearZero(tf, x, s), far);
}

/** gelu(x) = x / 2 * (1 + erf(x / sqrt 2)), where 1 + erf(y) is erfc(-y) for |y| >= 0.5. */
export function gelu(tf: TF, x: Tensor, s: ErfScalar): Tensor {
  const y = tf.mul(x, s(SQRT1_2));
  const clamped = tf.minimum(tf.abs(x), s(CLAMP));
  const tail = erfcTail(tf, tf.mul(clamped, s(SQRT1_2)), expOfScaledSquare(tf, clamped, MINUS_HALF, s), s);
  const far = selectSameShape(tf, tf.less(x, s(ZERO)), tail, tf.sub(s(TWO), tail));
  const near = tf.add(s(ONE), erfNearZero(tf, y, s));
  const factor = selectSameShape(tf, tf.less(tf.abs(y), s(HALF)), near, far);
  return tf.mul(tf.mul(x, s(HALF)), factor);
}

/** Horner's rule over `coefficients`, lowest degree first. */
function evaluate(coefficients: readonly number[], t: number): number {
  let r = 0;
  for (let k = coefficients.length - 1; k >= 0; k--) r = r * t + coefficients[k]!;
  return r;
}

/** erfc(a) for a >= 0.5 (NaN stays NaN, infinity gives 0). */
const erfcTailOf = (a: number) => Math.exp(-a * a) * evaluate(LARGE, 1 / (1 + 0.4 * a));

function erfOf(x: number): number {
  const a = Math.abs(x);
  if (a < 0.5) return x * evaluate(SMALL, x * x);
  const far = 1 - erfcTailOf(a);
  return x < 0 ? -far : far;
}

function geluOf(x: number): number {
  const y = x * Math.SQRT1_2;
  const a = Math.abs(y);
  if (a < 0.5) return x * 0.5 * (1 + y * evaluate(SMALL, y * y));
  const tail = erfcTailOf(a);
  return x * 0.5 * (x < 0 ? tail : 2 - tail);
}

const jsKernel = (name: string, f: (x: number) => number): JsKernel => ({
  name,
  compute: ({ x }, output) => {
    const input = x!;
    for (let i = 0; i < input.length; i++) output[i] = f(input[i]!);
  },
});

const ERF_KERNEL = jsKernel('WebNNErf', erfOf);
const GELU_KERNEL = jsKernel('WebNNGelu', geluOf);

/** erf or gelu of float32 `x` as one kernel of ours, where the backend runs them; null elsewhere. */
export function erfKernelOf(op: 'erf' | 'gelu', x: Tensor, env: LowerEnv): Tensor | null {
  if (!float32OnJsKernels(env)) return null;
  return runJsKernel(op === 'erf' ? ERF_KERNEL : GELU_KERNEL, { x }, {});
}
