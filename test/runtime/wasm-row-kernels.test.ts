/**
 * runtime/wasm-row-kernels.ts: a product's bias and activation, and layer normalization with its activation, in the
 * wasm backend's memory, give to the last bit what float64 arithmetic written here gives when rounded to float32 where
 * each value is stored (NaN, infinities and signed zeros included), and write nothing outside their output.
 */
import { BACKENDS } from '../util/harness.js';
import { wasmKernels } from '../util/wasm-kernels.js';
import { tf } from '../../src/runtime/backends.js';
import { ACTIVATION_CODES } from '../../src/runtime/wasm-row-kernels.js';

const f = Math.fround;
const SPECIAL = [Number.NaN, Infinity, -Infinity, 0, -0, -3, 3, 7, -7, 1e-30, -1e-30, 6, -6, 0.5, -100, 100];

function valuesOf(size: number, seed: number, special = true): Float32Array {
  const data = Float32Array.from({ length: size }, (_, i) => f(Math.sin(seed * 12.9898 + i * 78.233) * 9));
  if (special) SPECIAL.forEach((v, i) => { if (i < size) data[(i * 7) % size] = v; });
  return data;
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** The activations, each step in float64 and rounded to float32 when stored. */
function activated(kind: string, y: number, alpha: number, slope: number): number {
  switch (kind) {
    case 'relu': return y < 0 ? 0 : y;
    case 'relu6': return y < 0 ? 0 : y > 6 ? 6 : y;
    case 'leakyrelu': return y < 0 ? f(alpha * y) : y;
    case 'prelu': return y < 0 ? f(slope * y) : y;
    case 'elu': return y < 0 ? f(alpha * Math.expm1(y)) : y;
    case 'sigmoid': return f(1 / (1 + Math.exp(-y)));
    default: return y;
  }
}

const KINDS = Object.keys(ACTIVATION_CODES);

if (BACKENDS.includes('wasm')) {
  describe('our row kernels in the wasm backend\'s memory', () => {
    const wasm = wasmKernels();
    const { on, address } = wasm;

    /** Runs `write` on an output of `size` values with four guards each side; returns the values, guards checked. */
    function written(size: number, initial: Float32Array | null, write: (out: number) => void): Float32Array {
      const out = tf.tensor1d([7, 7, 7, 7, ...(initial ?? new Float32Array(size)), 7, 7, 7, 7]);
      try {
        write(address(out) + 16);
        const got = out.dataSync() as Float32Array;
        for (let i = 0; i < 4; i++) check(got[i] === 7 && got[size + 4 + i] === 7, 'wrote outside the output');
        return got.slice(4, 4 + size);
      } finally {
        out.dispose();
      }
    }

    for (const kind of KINDS) {
      for (const [rows, columns, withBias] of [[1, 32, true], [4, 3, true], [3, 1, false], [2, 17, true]] as const) {
        it(`biasActivation ${kind} of [${rows}, ${columns}]${withBias ? ' plus a bias' : ''}`, () => on(() => {
          const size = rows * columns;
          const data = valuesOf(size, columns + rows);
          const biasData = valuesOf(columns, 3, false);
          const slopeData = valuesOf(columns, 5, false);
          const alpha = kind === 'elu' ? 1 : 0.1;
          const bias = tf.tensor1d(biasData);
          const slope = tf.tensor1d(slopeData);
          try {
            const got = written(size, data, (out) => wasm.kernels.biasActivation(out, withBias ? address(bias) : 0,
              kind === 'prelu' ? address(slope) : 0, size, columns, ACTIVATION_CODES[kind]!, alpha));
            for (let i = 0; i < size; i++) {
              const y = withBias ? f(data[i]! + biasData[i % columns]!) : data[i]!;
              const want = activated(kind, y, alpha, slopeData[i % columns]!);
              check(same(got[i]!, want), `${kind} at ${i} of ${data[i]}: ${got[i]}, want ${want}`);
            }
          } finally {
            tf.dispose([bias, slope]);
          }
        }));
      }
    }

    for (const kind of ['linear', 'relu', 'sigmoid', 'leakyrelu']) {
      for (const [rows, n, withScale, withBias] of [
        [1, 32, true, true], [3, 5, true, false], [2, 7, false, true], [4, 1, false, false], [2, 96, true, true],
      ] as const) {
        const parts = [withScale && 'scale', withBias && 'bias'].filter(Boolean).join(' and ') || 'no parameters';
        it(`normalizeRows ${kind} of ${rows} rows of ${n}, ${parts}`, () => on(() => {
          const size = rows * n;
          const data = valuesOf(size, n + rows, false);
          if (rows > 2) data[n + 1] = Number.NaN; // one row of NaN
          const scaleData = valuesOf(n, 11, false);
          const biasData = valuesOf(n, 13, false);
          const epsilon = f(1e-5);
          const x = tf.tensor1d(data);
          const scale = tf.tensor1d(scaleData);
          const bias = tf.tensor1d(biasData);
          try {
            const got = written(size, null, (out) => wasm.kernels.normalizeRows(address(x), out, withScale ? address(scale) : 0,
              withBias ? address(bias) : 0, size, n, epsilon, ACTIVATION_CODES[kind]!, 0.1));
            for (let row = 0; row < size; row += n) {
              let sum = 0;
              for (let i = 0; i < n; i++) sum += data[row + i]!;
              const mean = sum / n;
              let squares = 0;
              for (let i = 0; i < n; i++) squares += (data[row + i]! - mean) ** 2;
              const reciprocal = 1 / Math.sqrt(squares / n + epsilon);
              for (let i = 0; i < n; i++) {
                let v = (data[row + i]! - mean) * reciprocal;
                if (withScale) v *= scaleData[i]!;
                if (withBias) v += biasData[i]!;
                const want = activated(kind, f(v), 0.1, 0);
                check(same(got[row + i]!, want), `row ${row / n}, ${i}: ${got[row + i]}, want ${want}`);
              }
            }
          } finally {
            tf.dispose([x, scale, bias]);
          }
        }));
      }
    }
  });
}
