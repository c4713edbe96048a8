/**
 * The webgpu backend in Chromium started with --enable-unsafe-webgpu (karma.conf.cjs): on this machine a SwiftShader
 * adapter, correct but slow. Small graphs of each kind of kernel (elementwise, convolution, matrix product, reduction,
 * int32 arithmetic, casts) against float64 references computed here. webgpu is chosen only when asked for by name.
 */
import { assertClose, runGraph, type TensorValue } from '../util/harness.js';
import type { MLGraphBuilder, MLOperand } from '../../src/index.js';
import { backendOf, ml, newContext } from '../api/api-util.js';
import { tf } from '../../src/runtime/backends.js';
import { seededRandom } from '../util/seeded-random.js';

type Ops = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;
type Build = (b: Ops, x: Record<string, MLOperand>) => Record<string, MLOperand>;

const float32 = (shape: number[], data: number[]): TensorValue => ({ dataType: 'float32', shape, data });
const int32 = (shape: number[], data: number[]): TensorValue => ({ dataType: 'int32', shape, data });

function run(inputs: Record<string, TensorValue>, build: Build) {
  return runGraph('webgpu', inputs, (b, x) => build(b as Ops, x));
}

function randoms(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Math.fround(random() * 2 - 1));
}

const wrap32 = (x: bigint): number => Number(BigInt.asIntN(32, x));

describe('webgpu backend [webgpu]', function () {
  // SwiftShader compiles every shader on the CPU: the first graphs take seconds.
  this.timeout(120000);

  before(function () {
    if (!('gpu' in navigator)) throw new Error('navigator.gpu is absent: Chromium was started without --enable-unsafe-webgpu');
  });

  it('is used only when asked for by name, and reports itself accelerated', async () => {
    const context = await newContext('webgpu');
    if (backendOf(context) !== 'webgpu') throw new Error(`context on ${backendOf(context)}`);
    if (!context.accelerated) throw new Error('a webgpu context is not accelerated');
    for (const options of [{}, { powerPreference: 'high-performance' as const }, { deviceType: 'gpu' as const }]) {
      const other = await ml().createContext(options);
      if (backendOf(other) === 'webgpu') throw new Error(`${JSON.stringify(options)} chose webgpu, which is opt-in`);
      other.destroy();
    }
    context.destroy();
  });

  it("leaves TF.js's own choice of backend (for an app's TF.js code) on webgl, as before webgpu was carried", () => {
    const sorted = (tf.engine() as unknown as { getSortedBackends(): string[] }).getSortedBackends();
    if (sorted.indexOf('webgpu') < sorted.indexOf('webgl')) throw new Error(`TF.js ranks ${sorted.join(', ')}`);
  });

  it('add, with broadcasting', async () => {
    const a = randoms(12, 1);
    const b = randoms(4, 2);
    const result = await run({ a: float32([3, 4], a), b: float32([4], b) }, (g, x) => ({ out: g.add(x['a'], x['b']) }));
    assertClose(result['out']!, { shape: [3, 4], data: a.map((v, i) => v + b[i % 4]!) });
  });

  it('conv2d (nhwc, ohwi, padding, strides, bias)', async () => {
    const [n, h, w, c, o, k] = [1, 5, 6, 3, 4, 3];
    const x = randoms(n * h * w * c, 3);
    const filter = randoms(o * k * k * c, 4);
    const bias = randoms(o, 5);
    const [pad, stride] = [1, 2];
    const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
    const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
    const expected: number[] = [];
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        for (let oc = 0; oc < o; oc++) {
          let sum = bias[oc]!;
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const iy = y * stride + ky - pad;
              const ix = xx * stride + kx - pad;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let ic = 0; ic < c; ic++) sum += x[(iy * w + ix) * c + ic]! * filter[((oc * k + ky) * k + kx) * c + ic]!;
            }
          }
          expected.push(sum);
        }
      }
    }
    const result = await run({ x: float32([n, h, w, c], x) }, (g, i) => ({
      out: g.conv2d(i['x'], g.constant({ dataType: 'float32', shape: [o, k, k, c] }, new Float32Array(filter)), {
        inputLayout: 'nhwc', filterLayout: 'ohwi', padding: [pad, pad, pad, pad], strides: [stride, stride],
        bias: g.constant({ dataType: 'float32', shape: [o] }, new Float32Array(bias)),
      }),
    }));
    assertClose(result['out']!, { shape: [n, oh, ow, o], data: expected }, { atol: 1e-5 });
  });

  it('matmul and gemm', async () => {
    const [m, k, n] = [5, 7, 3];
    const a = randoms(m * k, 6);
    const b = randoms(k * n, 7);
    const c = randoms(n, 8);
    const product = (i: number, j: number) => {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[p * n + j]!;
      return sum;
    };
    const matmul: number[] = [];
    const gemm: number[] = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        matmul.push(product(i, j));
        gemm.push(0.5 * product(i, j) + 2 * c[j]!);
      }
    }
    const result = await run({ a: float32([m, k], a), b: float32([k, n], b), c: float32([n], c) }, (g, x) => ({
      matmul: g.matmul(x['a'], x['b']),
      gemm: g.gemm(x['a'], x['b'], { c: x['c'], alpha: 0.5, beta: 2 }),
    }));
    assertClose(result['matmul']!, { shape: [m, n], data: matmul }, { atol: 1e-5 });
    assertClose(result['gemm']!, { shape: [m, n], data: gemm }, { atol: 1e-5 });
  });

  it('reduceSum and reduceMax along an axis', async () => {
    const x = randoms(24, 9);
    const sums: number[] = [];
    const maxima: number[] = [];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 4; j++) {
        const column = [0, 1, 2].map((r) => x[(i * 3 + r) * 4 + j]!);
        sums.push(column.reduce((s, v) => s + v, 0));
        maxima.push(Math.max(...column));
      }
    }
    const result = await run({ x: float32([2, 3, 4], x) }, (g, i) => ({
      sum: g.reduceSum(i['x'], { axes: [1] }),
      max: g.reduceMax(i['x'], { axes: [1] }),
    }));
    assertClose(result['sum']!, { shape: [2, 4], data: sums });
    assertClose(result['max']!, { shape: [2, 4], data: maxima });
  });

  // tfjs-backend-webgpu's elementwise shaders compute int32 in f32 (as webgl's do): exact while operands and results
  // stay within ±2^24. Beyond that (and two's complement wrap-around) webgpu is not exact yet (README, "Choosing a
  // backend").
  it('int32 add, sub and mul within ±2^24', async () => {
    const a = [2 ** 24 - 1, -(2 ** 24) + 1, 4095, -4096, 16777, 7];
    const b = [-1, 1, 4096, 4095, -1000, -3];
    const result = await run({ a: int32([6], a), b: int32([6], b) }, (g, x) => ({
      add: g.add(x['a'], x['b']),
      sub: g.sub(x['a'], x['b']),
      mul: g.mul(x['a'], x['b']),
    }));
    const each = (f: (p: bigint, q: bigint) => bigint) => a.map((v, i) => wrap32(f(BigInt(v), BigInt(b[i]!))));
    assertClose(result['add']!, { shape: [6], data: each((p, q) => p + q) });
    assertClose(result['sub']!, { shape: [6], data: each((p, q) => p - q) });
    assertClose(result['mul']!, { shape: [6], data: each((p, q) => p * q) });
  });

  it('cast float32 -> int32 (truncation) and int32 -> float32 (rounding to nearest)', async () => {
    const f = [1.9, -1.9, 0.5, -0.5, 2 ** 30 + 0.5, -(2 ** 30)];
    const i = [16777217, -16777219, 2 ** 31 - 1, -(2 ** 31), 3, 0];
    const result = await run({ f: float32([6], f.map(Math.fround)), i: int32([6], i) }, (g, x) => ({
      toInt: g.cast(x['f'], 'int32'),
      toFloat: g.cast(x['i'], 'float32'),
    }));
    assertClose(result['toInt']!, { shape: [6], data: f.map((v) => Math.trunc(Math.fround(v))) });
    assertClose(result['toFloat']!, { shape: [6], data: i.map(Math.fround) }, { atol: 0, rtol: 0 });
  });

  it('computes int32 on webgpu itself, not on the cpu backend', async () => {
    // Made active first: the polyfill switches back to the backend that was active before its work.
    await tf.setBackend('webgpu');
    const switches: string[] = [];
    const engine = tf.engine() as unknown as { setBackend(name: string): Promise<boolean> };
    const setBackend = engine.setBackend.bind(engine);
    engine.setBackend = (name: string) => {
      switches.push(name);
      return setBackend(name);
    };
    try {
      await run({ a: int32([2], [3, 4]), b: int32([2], [5, 6]) }, (g, x) => ({ out: g.mul(x['a'], x['b']) }));
    } finally {
      engine.setBackend = setBackend;
    }
    if (switches.some((name) => name !== 'webgpu')) throw new Error(`switched to ${switches.join(', ')}`);
  });
});
