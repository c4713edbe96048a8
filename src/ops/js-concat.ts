/**
 * concat of float32 along an inner axis, on wasm, as one kernel of ours. TF.js's wasm Concat copies each input's part
 * of each outer row through a subarray made for it: 4 x [1, 80, 80, 24] along the channels (how an NCHW graph's
 * concatenation runs once the layout pass holds its data NHWC) makes 25600 of them, 0.95 ms in Node, where the same
 * tensors along their second axis take 0.06 ms. Ours copies the rows in our SIMD kernels (runtime/wasm-simd-kernels.ts).
 */
import type { LowerEnv, Tensor } from './registry.js';
import { type JsKernel, runJsKernel, runsSimdKernels } from '../runtime/js-kernels.js';
import { float32OnJsKernels } from './js-kernel-env.js';
import { elementCountOf } from './shape.js';

/** Inputs x0, x1, ...: `rows` rows each, of `widths[i]` values; out rows of their sum. Only where our SIMD kernels run. */
const concatKernel: JsKernel = {
  name: 'WebNNConcat',
  simd: (kernels, inputs, output, _size, attrs) => {
    const widths = attrs['widths'] as number[];
    const rows = attrs['rows'] as number;
    const total = widths.reduce((s, w) => s + w, 0);
    let offset = 0;
    widths.forEach((w, i) => {
      kernels.copyRows(inputs[`x${i}`]!, output + offset * 4, rows, w * 4, total * 4);
      offset += w;
    });
  },
};

/** The concatenation of `inputs` along `axis` as our kernel where it copies rows on wasm's SIMD kernels; else null. */
export function concatKernelOf(inputs: readonly Tensor[], axis: number, env: LowerEnv): Tensor | null {
  const first = inputs[0]!;
  const rows = elementCountOf(first.shape.slice(0, axis));
  if (inputs.length < 2 || rows < 2 || env.backend !== 'wasm' || !float32OnJsKernels(env)) return null;
  if (inputs.some((t) => t.dtype !== 'float32') || !runsSimdKernels()) return null;
  const named: Record<string, Tensor> = {};
  inputs.forEach((t, i) => {
    named[`x${i}`] = t;
  });
  const outputShape = [...first.shape];
  outputShape[axis] = inputs.reduce((s, t) => s + t.shape[axis]!, 0);
  return runJsKernel(concatKernel, named, { widths: inputs.map((t) => elementCountOf(t.shape.slice(axis))), rows, outputShape });
}
