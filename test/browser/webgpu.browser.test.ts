/**
 * The webgpu backend in Chromium started with --enable-unsafe-webgpu (karma.conf.cjs): on this machine a SwiftShader
 * adapter, correct but slow. Small graphs of each kind of kernel (elementwise, convolution, matrix product, reduction)
 * against float64 references computed here; int32 computed exactly off the GPU. webgpu is chosen only when asked for by
 * name.
 */
import { assertClose, runGraph, type TensorValue } from '../util/harness.js';
import type { MLContext, MLGraphBuilder, MLOperand } from '../../src/index.js';
import { backendOf, ml, newContext } from '../api/api-util.js';
import { tf } from '../../src/runtime/backends.js';
import { askAgainWhenLost, webgpuOnHardware } from '../../src/runtime/webgpu-start.js';
import { installNow } from '../../src/install.js';
import { setInstalledBackend } from '../../src/runtime/select.js';
import { seededRandom } from '../util/seeded-random.js';
// The entry that carries the webgpu backend (the full one leaves it out while it is opt-in).
import '../../src/webgpu.js';

type Ops = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;
type Build = (b: Ops, x: Record<string, MLOperand>) => Record<string, MLOperand>;

const float32 = (shape: number[], data: number[]): TensorValue => ({ dataType: 'float32', shape, data });

function run(inputs: Record<string, TensorValue>, build: Build) {
  return runGraph('webgpu', inputs, (b, x) => build(b as Ops, x));
}

function randoms(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Math.fround(random() * 2 - 1));
}

describe('webgpu backend [webgpu]', function () {
  // SwiftShader compiles every shader on the CPU: the first graphs take seconds.
  this.timeout(120000);

  before(function () {
    if (!('gpu' in navigator)) throw new Error('navigator.gpu is absent: Chromium was started without --enable-unsafe-webgpu');
  });

  it('comes first for GPU contexts on a GPU, and only when asked for by name on a fallback adapter (SwiftShader here)', async () => {
    const context = await newContext('webgpu');
    if (backendOf(context) !== 'webgpu') throw new Error(`context on ${backendOf(context)}`);
    if (!context.accelerated) throw new Error('a webgpu context is not accelerated');
    const hardware = await webgpuOnHardware();
    for (const options of [{}, { powerPreference: 'high-performance' as const }, { deviceType: 'gpu' as const }]) {
      const other = await ml().createContext(options);
      if ((backendOf(other) === 'webgpu') !== hardware) {
        throw new Error(`${JSON.stringify(options)} chose ${backendOf(other)}, WebGPU ${hardware ? 'on a GPU' : 'on a fallback adapter'}`);
      }
      other.destroy();
    }
    const low = await ml().createContext({ powerPreference: 'low-power' });
    if (backendOf(low) === 'webgpu') throw new Error('a low-power context chose webgpu');
    low.destroy();
    context.destroy();
  });

  it("install()'s tfjsBackend 'webgpu' puts contexts on the fallback adapter too, whatever their options ask", async () => {
    installNow({ tfjsBackend: 'webgpu' });
    try {
      for (const options of [{}, { deviceType: 'cpu' as const }, { powerPreference: 'low-power' as const }]) {
        const context = await ml().createContext(options);
        if (backendOf(context) !== 'webgpu') throw new Error(`${JSON.stringify(options)} chose ${backendOf(context)}`);
        context.destroy();
      }
    } finally {
      setInstalledBackend(undefined);
    }
  });

  it('asks navigator.gpu for an adapter once per page, and again once the device made on it is lost', async () => {
    const gpu = navigator.gpu;
    const requestAdapter = gpu.requestAdapter.bind(gpu);
    const adapterRequests = async (job: () => Promise<void>) => {
      let requests = 0;
      Object.defineProperty(gpu, 'requestAdapter', {
        configurable: true,
        value: (options?: GPURequestAdapterOptions) => {
          requests++;
          return requestAdapter(options);
        },
      });
      try {
        await job();
      } finally {
        delete (gpu as { requestAdapter?: unknown }).requestAdapter;
      }
      return requests;
    };
    const loseADevice = async () => {
      const device = await (await requestAdapter())!.requestDevice();
      askAgainWhenLost(device);
      device.destroy();
      await device.lost;
    };
    // Earlier tests left an answer: a lost device makes the count start from none.
    await loseADevice();
    const twoContexts = await adapterRequests(async () => {
      for (let i = 0; i < 2; i++) (await ml().createContext()).destroy();
    });
    if (twoContexts !== 1) throw new Error(`two contexts asked for an adapter ${twoContexts} times`);
    await loseADevice();
    const afterLoss = await adapterRequests(async () => (await ml().createContext()).destroy());
    if (afterLoss !== 1) throw new Error(`after the loss, a context asked for an adapter ${afterLoss} times`);
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

  // tfjs-backend-webgpu's elementwise shaders compute int32 in f32 (inexact beyond ±2^24, no wrap-around), and the
  // host's uint32, int64 and uint64 need synchronous reads from the GPU: webgpu contexts advertise, and accept, only
  // the float types (README, "Choosing a backend").
  it('advertises what webgl advertises, every data type included (maxTensorByteLength aside: below)', async () => {
    const [gpu, gl] = [await newContext('webgpu'), await newContext('webgl')];
    try {
      const limits = (context: MLContext) => JSON.stringify({ ...context.opSupportLimits(), maxTensorByteLength: 0 });
      const [a, b] = [limits(gpu), limits(gl)];
      if (a !== b) throw new Error(`webgpu limits ${a.slice(0, 200)}... differ from webgl's ${b.slice(0, 200)}...`);
      if (!/"int64"/.test(a) || !/"int32"/.test(a)) throw new Error('int32 and int64 not advertised');
    } finally {
      gpu.destroy();
      gl.destroy();
    }
  });

  it('maxTensorByteLength is what one storage buffer of the device holds, halved (float16 is held as f32), and enforced', async () => {
    const expectedFor = (limits: GPUSupportedLimits) =>
      Math.min(2 ** 31 - 1, Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / 2));
    const gpu = await newContext('webgpu');
    const ownDevice = (tf.findBackend('webgpu') as unknown as { device: GPUDevice }).device;
    const adapter = await navigator.gpu.requestAdapter();
    const device = await adapter!.requestDevice();
    const onDevice = await ml().createContext(device as never);
    try {
      for (const [context, limits] of [[gpu, ownDevice.limits], [onDevice, device.limits]] as const) {
        const limit = context.opSupportLimits().maxTensorByteLength;
        if (limit !== expectedFor(limits)) throw new Error(`maxTensorByteLength ${limit}, expected ${expectedFor(limits)}`);
        const elements = Math.floor(limit / 4);
        const builder = new (globalThis as unknown as { MLGraphBuilder: new (c: unknown) => Ops }).MLGraphBuilder(context);
        builder.input('fits', { dataType: 'float32', shape: [elements] });
        let error: unknown = null;
        try {
          builder.input('too big', { dataType: 'float32', shape: [elements + 1] });
        } catch (e) {
          error = e;
        }
        if (!(error instanceof TypeError) || !/maxTensorByteLength/.test(error.message)) throw new Error(`input: ${String(error)}`);
        const rejected = await context.createTensor({ dataType: 'float32', shape: [elements + 1] }).then(() => null, (e: unknown) => e);
        if (!(rejected instanceof TypeError)) throw new Error(`createTensor: ${String(rejected)}`);
      }
    } finally {
      gpu.destroy();
      onDevice.destroy();
      device.destroy();
    }
  });

  it('computes int32 exactly beyond 2^24 and wrapping, off the GPU, from float32 computed on it (argMax, cast)', async () => {
    const big = [2 ** 24 + 1, 2 ** 31 - 1, -(2 ** 31), 123456789];
    const ones = [1, 1, -1, 2];
    const x = [0.5, -2, 7.25, 3];
    const result = await runGraph('webgpu', {
      a: { dataType: 'int32', shape: [4], data: big },
      b: { dataType: 'int32', shape: [4], data: ones },
      x: float32([4], x),
    }, (g, inputs) => {
      const b = g as Ops;
      const doubled = b.mul(inputs['x'], b.constant({ dataType: 'float32', shape: [] }, new Float32Array([2])));
      return {
        sum: b.add(inputs['a'], inputs['b']),
        index: b.argMax(doubled, 0),
        truncated: b.cast(doubled, 'int32'),
      };
    });
    // int32 addition wraps around 2^32.
    const wrapped = big.map((v, i) => ((v + ones[i]!) | 0));
    if (JSON.stringify(result['sum']!.data) !== JSON.stringify(wrapped)) throw new Error(`sum ${result['sum']!.data}`);
    if (JSON.stringify(result['index']!.data) !== '[2]') throw new Error(`argMax ${result['index']!.data}`);
    const truncated = x.map((v) => Math.trunc(2 * v));
    if (JSON.stringify(result['truncated']!.data) !== JSON.stringify(truncated)) throw new Error(`cast ${result['truncated']!.data}`);
  });

  it('computes on webgpu itself, switching to no other backend', async () => {
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
      const result = await run({ a: float32([2], [3, 4]), b: float32([2], [5, 6]) }, (g, x) => ({ out: g.mul(x['a'], x['b']) }));
      assertClose(result['out']!, { shape: [2], data: [15, 24] });
    } finally {
      engine.setBackend = setBackend;
    }
    if (switches.some((name) => name !== 'webgpu')) throw new Error(`switched to ${switches.join(', ')}`);
  });
});
