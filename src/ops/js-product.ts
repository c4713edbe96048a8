/**
 * Float32 matrix products as one kernel of ours: on wasm the small ones, on cpu all. TF.js's wasm product costs about
 * 5 us whatever its size (its arguments marshalled onto the wasm stack, an XNNPACK operator set up and run) and takes
 * rank-3 operands, so a [1, 32] x [32, 32] product with a bias and a relu is three kernels; ours is one, whose
 * arithmetic takes under a microsecond. TF.js's cpu product is about three times slower than ours at every size
 * measured. Sums are made in float64 and rounded once; on wasm, where our SIMD kernels run, in float32 as TF.js's are
 * (runtime/wasm-simd-kernels.ts), four to sixteen columns at a time.
 *
 * Measured in Node, one product [m, k] x [k, n] with a bias and a relu through TF.js's engine, TF.js's kernel (with
 * the reshape it needs) / ours, in us: wasm 1x32x32 20 / 7.5, 1x64x64 10.4 / 9.9, 1x128x128 10.2 / 18.9, 1x2400x32
 * 11 / 59; cpu 1x32x32 23 / 7.9, 1x2400x32 151 / 55, 256x256x256 41 000 / 12 600.
 */
import type { FusedActivation } from './conv-util.js';
import { activateInPlace } from './js-activations.js';
import { type JsKernel, runJsKernel, runsSimdKernels, type WasmHeap } from '../runtime/js-kernels.js';
import { ACTIVATION_CODES } from '../runtime/wasm-row-kernels.js';
import type { SimdKernels } from '../runtime/wasm-simd-kernels.js';
import { float32OnJsKernels } from './js-kernel-env.js';
import type { LowerEnv, Tensor } from './registry.js';

/** The most multiply-adds a product runs as our kernel on wasm: there ours and TF.js's cost about the same. */
const WASM_MAX_MULTIPLY_ADDS = 4096;
/** Beyond that, where our SIMD kernels run: products of at most this many rows and multiply-adds. */
const WASM_SIMD_MAX_ROWS = 8;
const WASM_SIMD_MAX_MULTIPLY_ADDS = 1 << 18;

/** What a product of ours reads: a is [..., rows, inner] (the rows of all its matrices, stacked), b one matrix. */
export interface JsProduct {
  readonly a: Tensor;
  readonly b: Tensor;
  readonly transposeB: boolean;
  /** Rank-1, one value per column, or absent. */
  readonly bias: Tensor | null;
  readonly activation: FusedActivation | undefined;
  /** prelu's slope, rank-1, one value per column. */
  readonly slope: Tensor | null;
  readonly outputShape: readonly number[];
}

/** Whether the product of a and b runs as our kernel in `env`. */
export function runsAsJsProduct(env: LowerEnv, a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): boolean {
  if (!float32OnJsKernels(env) || transposeA) return false;
  const inner = a.shape[a.rank - 1]!;
  const columns = b.shape[b.rank - (transposeB ? 2 : 1)]!;
  // b holds one matrix (after leading 1s): a's matrices are then one stack of rows.
  if (b.size !== inner * columns) return false;
  const multiplyAdds = a.size * columns;
  if (env.backend === 'cpu' || multiplyAdds <= WASM_MAX_MULTIPLY_ADDS) return true;
  // Our SIMD form beats XNNPACK's on a few rows ([1, 2400] x [2400, 32] in Node: 5 us, XNNPACK's kernel 16).
  return !transposeB && a.size / inner <= WASM_SIMD_MAX_ROWS && multiplyAdds <= WASM_SIMD_MAX_MULTIPLY_ADDS && runsSimdKernels();
}

export function jsProduct(p: JsProduct): Tensor {
  const inputs: Record<string, Tensor> = { a: p.a, b: p.b };
  if (p.bias) inputs['bias'] = p.bias;
  if (p.slope) inputs['slope'] = p.slope;
  const inner = p.a.shape[p.a.rank - 1]!;
  const activation = p.activation?.kind ?? 'linear';
  // TF.js's fused elu has alpha 1.
  const alpha = p.activation?.kind === 'leakyrelu' ? p.activation.alpha : p.activation?.kind === 'elu' ? 1 : 0;
  return runJsKernel(productKernel, inputs, {
    inner, columns: p.outputShape[p.outputShape.length - 1]!, transposeB: p.transposeB, activation, alpha,
    outputShape: [...p.outputShape],
  });
}

/** Float64 sums of one row of products, reused (a kernel runs to its end before another starts). */
let sums = new Float64Array(64);

const productKernel: JsKernel = {
  name: 'WebNNMatMul',
  compute: ({ a, b, bias, slope }, output, attrs) => {
    const inner = attrs['inner'] as number;
    const columns = attrs['columns'] as number;
    if (output.length === 0) return;
    if (sums.length < columns) sums = new Float64Array(columns);
    const rows = output.length / columns;
    const transposeB = attrs['transposeB'] as boolean;
    for (let r = 0; r < rows; r++) {
      const row = r * inner;
      if (transposeB) dotRows(a!, row, b!, inner, columns);
      else dotColumns(a!, row, b!, inner, columns);
      const start = r * columns;
      const rowSums = sums;
      if (bias) for (let j = 0; j < columns; j++) output[start + j] = rowSums[j]! + bias[j]!;
      else for (let j = 0; j < columns; j++) output[start + j] = rowSums[j]!;
    }
    activateInPlace(output, attrs['activation'] as string, attrs['alpha'] as number, slope ?? null, columns);
  },
  // On wasm, where our SIMD kernels run: the product in float32 sums, as TF.js's, then the bias and the activation.
  simd: (kernels, inputs, output, size, attrs) => {
    if (attrs['transposeB']) return false;
    const inner = attrs['inner'] as number;
    const columns = attrs['columns'] as number;
    kernels.matmul(inputs['a']!, inputs['b']!, output, 1, size / columns, inner, columns, 0, 0);
    biasAndActivation(kernels, inputs, output, size, attrs);
  },
  simdOverConstants: (_kernels, constants, attrs, heap) => {
    const b = constants['b'];
    const inner = attrs['inner'] as number;
    const columns = attrs['columns'] as number;
    if (b === undefined || attrs['transposeB'] || inner * columns < PACKED_MIN_ELEMENTS || columns < PACKED_COLUMNS) return null;
    const packed = packColumns(heap, b, inner, columns);
    const full = columns - (columns % PACKED_COLUMNS);
    const tail = packed + full * inner * 4;
    return {
      run: (kernels, inputs, output, size) => {
        const rows = size / columns;
        for (let r = 0; r < rows; r++) {
          const a = inputs['a']! + r * inner * 4;
          const row = output + r * columns * 4;
          for (let j = 0; j < full; j += PACKED_COLUMNS) {
            kernels.matmul(a, packed + j * inner * 4, row + j * 4, 1, 1, inner, PACKED_COLUMNS, 0, 0);
          }
          if (full < columns) kernels.matmul(a, tail, row + full * 4, 1, 1, inner, columns - full, 0, 0);
        }
        biasAndActivation(kernels, inputs, output, size, attrs);
      },
      dispose: () => heap._free(packed),
    };
  },
};

/**
 * A constant b of at least this many values is read by replays from a copy laid out in blocks of PACKED_COLUMNS
 * columns, each block's rows one after another: a product's pass over a block then reads memory in order, where over
 * b as it is it reads every row's part of it, a row apart. b is then often out of the caches, its values last read a
 * whole run before (ONNX Runtime's keyword head, [1, 2400] x [2400, 32] inside its runs: 2-3 us less of 13; in
 * Node, with the caches flushed, 16-23 us against 22-29); the sums are the same, in the same order.
 */
const PACKED_MIN_ELEMENTS = 1 << 14;
/** The columns our SIMD product computes together (runtime/wasm-simd-kernels.ts). */
const PACKED_COLUMNS = 16;

/**
 * A copy of b [inner, columns] at heap address `b`, in new heap memory: the columns in blocks of PACKED_COLUMNS, each
 * [inner, PACKED_COLUMNS], then the remaining columns [inner, rest].
 */
function packColumns(heap: WasmHeap, b: number, inner: number, columns: number): number {
  const packed = heap._malloc(inner * columns * 4);
  // After the allocation, which may have grown the heap (and replaced its views).
  const values = heap.HEAPF32;
  const full = columns - (columns % PACKED_COLUMNS);
  const rest = columns - full;
  let to = packed >> 2;
  for (let j = 0; j < full; j += PACKED_COLUMNS) {
    for (let k = 0; k < inner; k++, to += PACKED_COLUMNS) {
      const from = (b >> 2) + k * columns + j;
      values.copyWithin(to, from, from + PACKED_COLUMNS);
    }
  }
  for (let k = 0; k < inner && rest > 0; k++, to += rest) {
    const from = (b >> 2) + k * columns + full;
    values.copyWithin(to, from, from + rest);
  }
  return packed;
}

/** The bias added to, then the activation applied over, a product computed at `output` in the heap. */
function biasAndActivation(kernels: SimdKernels, { bias, slope }: Readonly<Record<string, number>>, output: number,
  size: number, attrs: Readonly<Record<string, unknown>>): void {
  const activation = ACTIVATION_CODES[attrs['activation'] as string] ?? 0;
  if (bias === undefined && activation === 0) return;
  kernels.biasActivation(output, bias ?? 0, slope ?? 0, size, attrs['columns'] as number, activation, attrs['alpha'] as number);
}

/**
 * sums[j] = a[row, :] . b[j, :] for b stored [columns, inner]. Four columns at a time: four independent sums keep the
 * processor busy where one sum waits on each addition.
 */
function dotRows(a: Float32Array, row: number, b: Float32Array, inner: number, columns: number): void {
  const out = sums;
  let j = 0;
  for (; j + 4 <= columns; j += 4) {
    const b0 = j * inner;
    const b1 = b0 + inner;
    const b2 = b1 + inner;
    const b3 = b2 + inner;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let p = 0; p < inner; p++) {
      const f = a[row + p]!;
      s0 += f * b[b0 + p]!;
      s1 += f * b[b1 + p]!;
      s2 += f * b[b2 + p]!;
      s3 += f * b[b3 + p]!;
    }
    out[j] = s0;
    out[j + 1] = s1;
    out[j + 2] = s2;
    out[j + 3] = s3;
  }
  for (; j < columns; j++) {
    const start = j * inner;
    let s = 0;
    for (let p = 0; p < inner; p++) s += a[row + p]! * b[start + p]!;
    out[j] = s;
  }
}

/** sums[j] = a[row, :] . b[:, j] for b stored [inner, columns], four columns at a time as in dotRows. */
function dotColumns(a: Float32Array, row: number, b: Float32Array, inner: number, columns: number): void {
  const out = sums;
  let j = 0;
  for (; j + 4 <= columns; j += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let p = 0, q = j; p < inner; p++, q += columns) {
      const f = a[row + p]!;
      s0 += f * b[q]!;
      s1 += f * b[q + 1]!;
      s2 += f * b[q + 2]!;
      s3 += f * b[q + 3]!;
    }
    out[j] = s0;
    out[j + 1] = s1;
    out[j + 2] = s2;
    out[j + 3] = s3;
  }
  for (; j < columns; j++) {
    let s = 0;
    for (let p = 0, q = j; p < inner; p++, q += columns) s += a[row + p]! * b[q]!;
    out[j] = s;
  }
}
