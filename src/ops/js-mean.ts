/**
 * reduceMean over a run of axes followed by others, of float32 (global average pooling of NHWC data: over height and
 * width), as one kernel of ours on wasm and cpu. TF.js's Mean moves the reduced axes to the end first, a transpose
 * element by element, then sums one value at a time: in Node, [1, 2, 96, 200] over its middle axes took 45 us on wasm
 * and 2.1 ms on cpu; ours adds whole rows, four lanes at a time on wasm: 4 us. The sums add in TF.js's order.
 */
import type { LowerEnv, Tensor } from './registry.js';
import { type JsKernel, runJsKernel, runsSimdKernels } from '../runtime/js-kernels.js';
import { float32OnJsKernels } from './js-kernel-env.js';
import { elementCountOf } from './shape.js';

/** x as [batches, rows, cols]: the mean over rows, as [batches, cols]. */
const meanOfRowsKernel: JsKernel = {
  name: 'WebNNMeanOfRows',
  compute: ({ x }, output, attrs) => {
    const [batches, rows, cols] = attrs['dims'] as [number, number, number];
    const input = x!;
    output.fill(0);
    for (let b = 0; b < batches; b++) {
      const o = b * cols;
      for (let r = 0, i = b * rows * cols; r < rows; r++, i += cols) {
        for (let c = 0; c < cols; c++) output[o + c] += input[i + c]!;
      }
      for (let c = 0; c < cols; c++) output[o + c] /= rows;
    }
  },
  simd: (kernels, { x }, output, _size, attrs) => {
    const [batches, rows, cols] = attrs['dims'] as [number, number, number];
    kernels.meanOfRows(x!, output, batches, rows, cols);
  },
};

/**
 * The mean of `x` over `axes` (ascending) as our kernel, where they are consecutive and not the last, x is float32 and
 * the backend runs our kernels (on wasm, their SIMD form: a JavaScript loop is no faster than TF.js there); else null.
 */
export function meanOfRowsOf(x: Tensor, axes: readonly number[], keep: boolean, env: LowerEnv): Tensor | null {
  const first = axes[0];
  const last = axes[axes.length - 1];
  const consecutive = first !== undefined && last === first + axes.length - 1 && last < x.rank - 1;
  if (!consecutive || !float32OnJsKernels(env) || (env.backend === 'wasm' && !runsSimdKernels())) return null;
  const dims = [x.shape.slice(0, first), x.shape.slice(first, last + 1), x.shape.slice(last + 1)].map(elementCountOf);
  const outputShape = keep ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
  return runJsKernel(meanOfRowsKernel, { x }, { dims, outputShape });
}
