/**
 * matmul of float32 activations on wasm as our SIMD kernel (runtime/wasm-simd-kernels.ts). TF.js's wasm BatchMatMul
 * sets up an XNNPACK operator, packing b, for every call: attention's products, whose operands are both computed,
 * pay that each time. Measured in Node, ours / TF.js's: [8, 40, 40] x [8, 40, 15] 27 / 136 us, [8, 40, 15] x
 * [8, 15, 40] 12 / 219 us, 64 x 64 x 64 17 / 56 us, 256 x 256 x 256 1.3 / 1.06 ms; same sums, in the same order.
 */
import type { LowerEnv, Tensor } from './registry.js';
import { type JsKernel, runJsKernel, runsSimdKernels } from '../runtime/js-kernels.js';
import { float32OnJsKernels } from './js-kernel-env.js';
import { elementCountOf } from './shape.js';

/** The most multiply-adds per matrix product ours runs: beyond, XNNPACK's packed kernels are faster. */
const MAX_MULTIPLY_ADDS = 1 << 21;

/** a [batches or 1, m, k] x b [batches or 1, k, n]. Only where our SIMD kernels run. */
const productKernel: JsKernel = {
  name: 'WebNNBatchMatMul',
  simd: (kernels, { a, b }, output, _size, attrs) => {
    const [batches, m, k, n] = attrs['dims'] as [number, number, number, number];
    kernels.matmul(a!, b!, output, batches, m, k, n, attrs['aBatched'] ? m * k * 4 : 0, attrs['bBatched'] ? k * n * 4 : 0);
  },
};

/**
 * a x b (no transposes; each side's batch shape either the output's or all ones) as our kernel on wasm where our SIMD
 * kernels run and the products are small enough; else null.
 */
export function simdProductOf(a: Tensor, b: Tensor, outputShape: readonly number[], env: LowerEnv): Tensor | null {
  if (env.backend !== 'wasm' || !float32OnJsKernels(env) || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const batchShape = outputShape.slice(0, -2);
  const batches = elementCountOf(batchShape);
  const sideOf = (t: Tensor) => {
    const batch = t.shape.slice(0, -2);
    const count = elementCountOf(batch);
    const aligned = batch.length <= batchShape.length && batch.every((d, i) => d === batchShape[batchShape.length - batch.length + i]);
    return count === 1 ? 'single' : aligned && count === batches ? 'batched' : null;
  };
  const aSide = sideOf(a);
  const bSide = sideOf(b);
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.rank - 1]!;
  if (!aSide || !bSide || m * k * n > MAX_MULTIPLY_ADDS || !runsSimdKernels()) return null;
  return runJsKernel(productKernel, { a, b }, {
    dims: [batches, m, k, n], aBatched: aSide === 'batched', bBatched: bSide === 'batched', outputShape: [...outputShape],
  });
}
