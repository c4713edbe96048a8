/**
 * runtime/wasm-simd-kernels.ts: our SIMD kernels in the wasm backend's memory give, value for value, what float32
 * arithmetic written here gives (NaN, infinities and signed zeros included, in the four-lane part and in the last
 * values), the mean of rows what TF.js's Mean gives, to the last bit, and copied rows land where they should and
 * nothing else is written.
 */
import { BACKENDS } from '../util/harness.js';
import { wasmKernels } from '../util/wasm-kernels.js';
import { tf } from '../../src/runtime/backends.js';
import type { SimdKernels } from '../../src/runtime/wasm-simd-kernels.js';

const f = Math.fround;
const SPECIAL = [Number.NaN, Infinity, -Infinity, 0, -0, -3, 3, 2.9999998, -2.9999998, 1e-30, -1e-30, 6, -6, 0.5];

/** Values with the special ones first and last (so some land in the one-at-a-time tail). */
function valuesOf(size: number, seed: number): Float32Array {
  const data = Float32Array.from({ length: size }, (_, i) => f(Math.sin(seed * 12.9898 + i * 78.233) * 9));
  SPECIAL.forEach((v, i) => {
    if (i < size) data[i] = v;
    if (size - 1 - i >= 0) data[size - 1 - i] = v;
  });
  return data;
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

interface Elementwise {
  readonly name: string;
  readonly run: (k: SimdKernels, x: number, out: number, size: number) => void;
  /** Each step rounded to float32, as the kernels the SIMD ones replace round it. */
  readonly ref: (x: number) => number;
}

const ELEMENTWISE: readonly Elementwise[] = [
  { name: 'clamp(-1, 2.5)', run: (k, x, o, n) => k.clamp(x, o, n, -1, 2.5), ref: (x) => Math.min(Math.max(x, -1), 2.5) },
  { name: 'clamp(0, 6)', run: (k, x, o, n) => k.clamp(x, o, n, 0, 6), ref: (x) => Math.min(Math.max(x, 0), 6) },
  { name: 'clamp(-0, Infinity)', run: (k, x, o, n) => k.clamp(x, o, n, -0, Infinity), ref: (x) => Math.max(x, -0) },
  {
    name: 'hardSigmoid(0.2, 0.5)', run: (k, x, o, n) => k.hardSigmoid(x, o, n, f(0.2), 0.5),
    ref: (x) => Math.min(Math.max(f(f(f(0.2) * x) + 0.5), 0), 1),
  },
  {
    name: 'hardSwish', run: (k, x, o, n) => k.hardSwish(x, o, n, 6),
    ref: (x) => f(f(x * Math.min(Math.max(f(x + 3), 0), 6)) / 6),
  },
  {
    name: 'hardSwishTimesSix', run: (k, x, o, n) => k.hardSwishTimesSix(x, o, n, 0),
    ref: (x) => f(x * Math.min(Math.max(f(x + 3), 0), 6)),
  },
];

if (BACKENDS.includes('wasm')) {
  describe('our SIMD kernels in the wasm backend\'s memory', () => {
    const wasm = wasmKernels();
    const { on, address } = wasm;

    for (const c of ELEMENTWISE) {
      for (const size of [0, 1, 3, 4, 5, 14, 15, 16, 17, 1001]) {
        it(`${c.name} of ${size} values`, () => on(() => {
          const data = valuesOf(size, size + 1);
          const x = tf.tensor1d(data);
          // Guards around the output: nothing beyond `size` values may be written.
          const out = tf.fill([size + 8], 7);
          try {
            c.run(wasm.kernels, address(x), address(out) + 16, size);
            const got = out.dataSync();
            for (let i = 0; i < 4; i++) check(got[i] === 7 && got[size + 4 + i] === 7, `${c.name}: wrote outside the output`);
            data.forEach((v, i) => {
              const want = c.ref(v);
              check(same(got[i + 4]!, want), `${c.name}(${v}) at ${i}: ${got[i + 4]}, want ${want}`);
            });
          } finally {
            x.dispose();
            out.dispose();
          }
        }));
      }
    }

    for (const [batches, m, k, n, aBatched, bBatched] of [
      [1, 1, 1, 1, true, true], [2, 3, 5, 7, true, true], [3, 4, 6, 17, false, true], [2, 5, 3, 33, true, false],
      [1, 2, 9, 16, true, true], [4, 6, 2, 20, true, true], [1, 3, 0, 5, true, true], [2, 2, 8, 117, true, false],
    ] as const) {
      it(`matmul of ${batches} x [${m}, ${k}] x [${k}, ${n}] (a ${aBatched ? 'per product' : 'shared'}, b ${bBatched ? 'per product' : 'shared'}): float32 sums in order`, () => on(() => {
        const aData = valuesOf((aBatched ? batches : 1) * m * k, k + 1);
        const bData = valuesOf((bBatched ? batches : 1) * k * n, n + 2).map((v) => (Number.isFinite(v) ? v : 0.25));
        const a = tf.tensor1d(aData);
        const b = tf.tensor1d(bData);
        const size = batches * m * n;
        const out = tf.fill([size + 8], 7);
        try {
          wasm.kernels.matmul(address(a), address(b), address(out) + 16, batches, m, k, n,
            aBatched ? m * k * 4 : 0, bBatched ? k * n * 4 : 0);
          const got = out.dataSync();
          for (let i = 0; i < 4; i++) check(got[i] === 7 && got[size + 4 + i] === 7, 'wrote outside the output');
          for (let batch = 0; batch < batches; batch++) {
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) {
                let sum32 = 0;
                let sum64 = 0;
                for (let p = 0; p < k; p++) {
                  const x = aData[(aBatched ? batch * m * k : 0) + i * k + p]!;
                  const y = bData[(bBatched ? batch * k * n : 0) + p * n + j]!;
                  sum32 = f(sum32 + f(x * y));
                  sum64 += x * y;
                }
                const v = got[4 + (batch * m + i) * n + j]!;
                check(same(v, sum32), `[${batch}, ${i}, ${j}]: ${v}, float32 in order ${sum32}`);
                const close = same(v, sum64) || Math.abs(v - sum64) <= 1e-5 * Math.max(1, Math.abs(sum64));
                check(close, `[${batch}, ${i}, ${j}]: ${v}, float64 ${sum64}`);
              }
            }
          }
        } finally {
          tf.dispose([a, b, out]);
        }
      }));
    }

    for (const [rows, rowValues, gap] of [[3, 5, 2], [4, 8, 0], [2, 1, 7], [6400, 24, 72], [1, 0, 3]] as const) {
      it(`copyRows: ${rows} rows of ${rowValues} values, ${gap} apart, bits as they are`, () => on(() => {
        const data = valuesOf(rows * rowValues, rowValues + 3);
        const x = tf.tensor1d(data);
        const stride = rowValues + gap;
        const out = tf.fill([rows * stride + 8], 7);
        try {
          wasm.kernels.copyRows(address(x), address(out) + 16, rows, rowValues * 4, stride * 4);
          const got = out.dataSync();
          for (let i = 0; i < got.length; i++) {
            const at = i - 4;
            const row = Math.floor(at / stride);
            const column = at - row * stride;
            const copied = at >= 0 && row < rows && column < rowValues;
            const want = copied ? data[row * rowValues + column]! : 7;
            check(same(got[i]!, want), `at ${at}: ${got[i]}, want ${want}`);
          }
        } finally {
          x.dispose();
          out.dispose();
        }
      }));
    }

    for (const [batches, rows, cols] of [[1, 192, 200], [3, 35, 7], [2, 1, 1], [1, 5, 3], [4, 9, 16]] as const) {
      it(`meanOfRows of [${batches}, ${rows}, ${cols}]: float64 means, and TF.js's Mean to the last bit`, () => on(() => {
        const data = valuesOf(batches * rows * cols, cols);
        data[rows * cols - 1] = Number.NaN; // the last column of the first batch
        const x = tf.tensor3d(data, [batches, rows, cols]);
        const out = tf.fill([batches * cols + 8], 7);
        const tfMean = tf.mean(x, 1);
        try {
          wasm.kernels.meanOfRows(address(x), address(out) + 16, batches, rows, cols);
          const got = out.dataSync().subarray(4, 4 + batches * cols);
          const all = out.dataSync();
          for (let i = 0; i < 4; i++) check(all[i] === 7 && all[batches * cols + 4 + i] === 7, 'wrote outside the output');
          const bitwise = tfMean.dataSync();
          for (let b = 0; b < batches; b++) {
            for (let c = 0; c < cols; c++) {
              let sum = 0;
              for (let r = 0; r < rows; r++) sum += data[(b * rows + r) * cols + c]!;
              const want = sum / rows;
              const v = got[b * cols + c]!;
              const close = same(v, want) || Math.abs(v - want) <= 1e-5 * Math.max(1, Math.abs(want));
              check(close, `[${b}, ${c}]: ${v}, want ${want}`);
              check(same(v, bitwise[b * cols + c]!), `[${b}, ${c}]: ${v}, TF.js's Mean ${bitwise[b * cols + c]}`);
            }
          }
        } finally {
          tf.dispose([x, out, tfMean]);
        }
      }));
    }
  });
}
