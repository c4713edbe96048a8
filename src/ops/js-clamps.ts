/**
 * clamp, hardSigmoid and hardSwish of float32 as one kernel of ours each on wasm and cpu. TF.js composes them of two
 * to four kernels, and wasm's Maximum and Minimum are not XNNPACK's but a plain loop that, when an operand is
 * broadcast, allocates index vectors for every element: measured in Chromium, a clamp by scalar bounds of 9216 values
 * took 76 us there, 14 us here, of 230400 values 3.3 ms and 1.7 ms; a hardSigmoid 103 / 19 us and 1.9 / 0.5 ms. One
 * loop over the values, each step rounded to float32 as the composed kernels round it, gives the same values.
 * Math.max and Math.min keep NaN and compile without branches (on random signs, branches cost more than the
 * arithmetic). On wasm the same steps run in our SIMD kernels, four values at a time (runtime/wasm-simd-kernels.ts).
 */
import type { LowerEnv, Tensor } from './registry.js';
import { type JsKernel, runJsKernel, runsSimdKernels } from '../runtime/js-kernels.js';
import { float32OnJsKernels } from './js-kernel-env.js';

const f32 = Math.fround;

const clampKernel: JsKernel = {
  name: 'WebNNClamp',
  compute: ({ x }, output, attrs) => {
    const lo = attrs['lo'] as number;
    const hi = attrs['hi'] as number;
    const input = x!;
    for (let i = 0; i < input.length; i++) output[i] = Math.min(Math.max(input[i]!, lo), hi);
  },
  simd: (kernels, { x }, output, size, attrs) => kernels.clamp(x!, output, size, attrs['lo'] as number, attrs['hi'] as number),
};

/** clamp(alpha * x + beta, 0, 1), the product and the sum each rounded to float32. */
const hardSigmoidKernel: JsKernel = {
  name: 'WebNNHardSigmoid',
  compute: ({ x }, output, attrs) => {
    const alpha = attrs['alpha'] as number;
    const beta = attrs['beta'] as number;
    const input = x!;
    for (let i = 0; i < input.length; i++) output[i] = Math.min(Math.max(f32(f32(alpha * input[i]!) + beta), 0), 1);
  },
  simd: (kernels, { x }, output, size, attrs) =>
    kernels.hardSigmoid(x!, output, size, attrs['alpha'] as number, attrs['beta'] as number),
};

/**
 * x * clamp(x + 3, 0, 6) / 6, each step rounded to float32; `divisor` 1 leaves out the division (hardSwish.timesSix,
 * whose reader divides).
 */
const hardSwishKernel: JsKernel = {
  name: 'WebNNHardSwish',
  compute: ({ x }, output, attrs) => {
    const divisor = attrs['divisor'] as number;
    const input = x!;
    for (let i = 0; i < input.length; i++) {
      const v = input[i]!;
      const gate = Math.min(Math.max(f32(v + 3), 0), 6);
      output[i] = divisor === 1 ? v * gate : f32(v * gate) / divisor;
    }
  },
  simd: (kernels, { x }, output, size, attrs) => {
    const divisor = attrs['divisor'] as number;
    if (divisor === 1) kernels.hardSwishTimesSix(x!, output, size, 0);
    else kernels.hardSwish(x!, output, size, divisor);
  },
};

/** clamp(x, lo, hi) of float32 as our kernel where the backend runs it; null elsewhere. */
export function clampKernelOf(x: Tensor, lo: number, hi: number, env: LowerEnv): Tensor | null {
  return float32OnJsKernels(env) ? runJsKernel(clampKernel, { x }, { lo: f32(lo), hi: f32(hi) }) : null;
}

export function hardSigmoidKernelOf(x: Tensor, alpha: number, beta: number, env: LowerEnv): Tensor | null {
  return float32OnJsKernels(env) ? runJsKernel(hardSigmoidKernel, { x }, { alpha: f32(alpha), beta: f32(beta) }) : null;
}

/**
 * The most elements wasm computes a hardSwish of with our JavaScript loop, where our SIMD kernels cannot run: its own
 * four kernels (XNNPACK's, vectorized) cost less beyond. Measured in Chromium, TF.js / ours: 200 elements 53 / 2 us,
 * 9216 22 / 18 us, 38400 53 / 112 us. (Our SIMD kernel, in Node: 38400 elements in 7 us, 5.5 without the division.)
 */
const WASM_HARD_SWISH_MAX_SIZE = 16384;

/** hardSwish (divisor 6) or 6 * hardSwish (divisor 1) of float32 as our kernel where the backend runs it; else null. */
export function hardSwishKernelOf(x: Tensor, divisor: 1 | 6, env: LowerEnv): Tensor | null {
  if (!float32OnJsKernels(env)) return null;
  if (env.backend === 'wasm' && x.size > WASM_HARD_SWISH_MAX_SIZE && !runsSimdKernels()) return null;
  return runJsKernel(hardSwishKernel, { x }, { divisor });
}
