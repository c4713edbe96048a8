/**
 * Backend choice per context, contexts on two backends used side by side, and the Wasm backend's set-up (threads).
 */
import { assertThrows } from '../util/harness.js';
import { tf, wasmThreadsInUse, webglAvailable, type BackendName } from '../../src/runtime/backends.js';
import { backendOrder } from '../../src/runtime/select.js';
import { tensorSlots } from '../../src/api/internals.js';
import type { MLContext, MLTensor } from '../../src/index.js';
import { addGraph, backendOf, ml, newContext, readFloat32 } from './api-util.js';

/** The TF.js backend holding a tensor's data (TF.js internals: the engine's tensorInfo). */
function dataBackendOf(tensor: MLTensor): unknown {
  const data = tensorSlots.get(tensor, 'test').data as tf.Tensor;
  const engine = tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, { backend: unknown }> } };
  return engine.state.tensorInfo.get(data.dataId)?.backend;
}

describe('backend selection', () => {
  it('orders backends by the options: WebGPU, WebGL first when accelerated or high-performance, Wasm for CPU, cpu last', () => {
    const order = (o: Partial<Parameters<typeof backendOrder>[0]>) =>
      backendOrder({ powerPreference: 'default', accelerated: true, ...o }).join();
    const cases: [Partial<Parameters<typeof backendOrder>[0]>, string][] = [
      // webgpu is passed over at selection unless it runs on a GPU (selectBackend).
      [{}, 'webgpu,webgl,wasm,cpu'],
      [{ accelerated: false }, 'wasm,cpu'],
      [{ powerPreference: 'low-power' }, 'wasm,cpu'],
      [{ powerPreference: 'high-performance' }, 'webgpu,webgl,wasm,cpu'],
      // powerPreference outranks accelerated.
      [{ powerPreference: 'high-performance', accelerated: false }, 'webgpu,webgl,wasm,cpu'],
      [{ powerPreference: 'low-power', accelerated: true }, 'wasm,cpu'],
      [{ deviceType: 'cpu' }, 'wasm,cpu'],
      [{ deviceType: 'gpu', accelerated: false }, 'webgpu,webgl,wasm,cpu'],
      [{ deviceType: 'npu' }, 'webgpu,webgl,wasm,cpu'],
      [{ tfjsBackend: 'cpu', powerPreference: 'high-performance' }, 'cpu'],
      [{ tfjsBackend: 'webgl' }, 'webgl'],
      [{ tfjsBackend: 'webgpu' }, 'webgpu'],
    ];
    for (const [options, expected] of cases) {
      const actual = order(options);
      if (actual !== expected) throw new Error(`${JSON.stringify(options)}: ${actual}, expected ${expected}`);
    }
  });

  it('creates contexts on the first backend of that order that starts here', async () => {
    const gpu: BackendName = webglAvailable() ? 'webgl' : 'wasm';
    const cases: [Record<string, unknown>, BackendName][] = [
      [{}, gpu],
      [{ accelerated: false }, 'wasm'],
      [{ powerPreference: 'low-power' }, 'wasm'],
      [{ powerPreference: 'high-performance', accelerated: false }, gpu],
      [{ deviceType: 'cpu' }, 'wasm'],
      [{ deviceType: 'gpu' }, gpu],
      [{ tfjsBackend: 'cpu' }, 'cpu'],
      [{ tfjsBackend: 'cpu', accelerated: true }, 'cpu'],
      [{ tfjsBackend: 'wasm', accelerated: true }, 'wasm'],
    ];
    // accelerated tells whether the context computes on a massively parallel device (the spec's [[accelerated]],
    // "CPU or massively parallel processing"): the WebGL backend does, Wasm and cpu run on the CPU whatever was asked.
    for (const [options, backend] of cases) {
      const ctx = await ml().createContext(options as never);
      if (backendOf(ctx) !== backend) throw new Error(`${JSON.stringify(options)}: ${backendOf(ctx)}, expected ${backend}`);
      if (ctx.accelerated !== (backend === 'webgl')) throw new Error(`${JSON.stringify(options)}: accelerated ${ctx.accelerated}`);
      ctx.destroy();
    }
    const noArgument = await ml().createContext();
    if (backendOf(noArgument) !== gpu || noArgument.accelerated !== (gpu === 'webgl')) throw new Error('createContext()');
    noArgument.destroy();
  });

  it('rejects NotSupportedError for a tfjsBackend that cannot start, TypeError for invalid options', async () => {
    if (!webglAvailable()) {
      await assertThrows(() => ml().createContext({ tfjsBackend: 'webgl' }), 'NotSupportedError', 'webgl');
    } else {
      (await ml().createContext({ tfjsBackend: 'webgl' })).destroy();
    }
    // The full entry (these tests' polyfill in Node) leaves out the opt-in webgpu backend. The browser's test bundle
    // also holds the webgpu tests, which import webnn-tfjs-polyfill/webgpu: there a context starts where Chromium
    // gives a device, and is rejected saying why where it does not.
    if (typeof process !== 'undefined' && typeof process.versions?.node === 'string') {
      await assertThrows(() => ml().createContext({ tfjsBackend: 'webgpu' }), 'NotSupportedError', 'webnn-tfjs-polyfill/webgpu for it');
    } else {
      try {
        (await ml().createContext({ tfjsBackend: 'webgpu' })).destroy();
      } catch (error) {
        if (!(error instanceof DOMException) || error.name !== 'NotSupportedError' || !/webgpu/.test(error.message)) throw error;
      }
    }
    await assertThrows(() => ml().createContext({ tfjsBackend: 'gpu' } as never), 'TypeError', 'tfjsBackend');
    await assertThrows(() => ml().createContext({ powerPreference: 'fast' } as never), 'TypeError', 'powerPreference');
    await assertThrows(() => ml().createContext({ deviceType: 'tpu' } as never), 'TypeError', 'deviceType');
    await assertThrows(() => ml().createContext(7 as never), 'TypeError', 'options');
    const createContext = ml().createContext as (this: unknown, ...args: unknown[]) => Promise<MLContext>;
    await assertThrows(() => createContext.call({}), 'TypeError', 'ML');
  });
});

describe('contexts on two backends side by side', () => {
  let cpu: MLContext;
  let wasm: MLContext;
  before(async () => {
    cpu = await newContext('cpu');
    wasm = await newContext('wasm');
  });
  after(() => {
    cpu.destroy();
    wasm.destroy();
  });

  it('interleaved writes, dispatches and reads each run on their context\'s backend', async () => {
    const a = await addGraph(cpu);
    const b = await addGraph(wasm);
    const reads: Promise<number[]>[] = [];
    for (let i = 0; i < 20; i++) {
      cpu.writeTensor(a.x, new Float32Array([i, i, i, i]));
      wasm.writeTensor(b.x, new Float32Array([-i, -i, -i, -i]));
      cpu.writeTensor(a.y, new Float32Array([1, 2, 3, 4]));
      cpu.dispatch(a.graph, { x: a.x, y: a.y }, { out: a.out });
      wasm.writeTensor(b.y, new Float32Array([10, 20, 30, 40]));
      wasm.dispatch(b.graph, { x: b.x, y: b.y }, { out: b.out });
      reads.push(readFloat32(cpu, a.out), readFloat32(wasm, b.out));
    }
    const results = await Promise.all(reads);
    for (let i = 0; i < 20; i++) {
      const onCpu = results[2 * i]!.join();
      const onWasm = results[2 * i + 1]!.join();
      if (onCpu !== [1, 2, 3, 4].map((v) => v + i).join()) throw new Error(`cpu round ${i}: ${onCpu}`);
      if (onWasm !== [10, 20, 30, 40].map((v) => v - i).join()) throw new Error(`wasm round ${i}: ${onWasm}`);
    }
    for (const [t, backend] of [[a.out, 'cpu'], [a.x, 'cpu'], [b.out, 'wasm'], [b.x, 'wasm']] as const) {
      if (dataBackendOf(t) !== tf.findBackend(backend)) throw new Error(`a ${backend} context's tensor is elsewhere`);
    }
    for (const d of [a.graph, a.x, a.y, a.out, b.graph, b.x, b.y, b.out]) d.destroy();
  });
});

describe('Wasm backend set-up', () => {
  it('uses half the cores (up to 4) for threads where the page is cross-origin isolated, else one thread', async () => {
    const ctx = await newContext('wasm');
    const threads = wasmThreadsInUse();
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true &&
      typeof SharedArrayBuffer === 'function' && typeof window !== 'undefined';
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
    const expected = isolated ? Math.max(1, Math.min(4, Math.ceil(cores / 2))) : 1;
    if (threads !== expected) throw new Error(`${threads} threads, expected ${expected} (isolated: ${isolated}, cores ${cores})`);
    // The core count tfjs-backend-wasm was shown during start-up is not left behind.
    const nav = (globalThis as { navigator?: object }).navigator;
    if (nav && Object.prototype.hasOwnProperty.call(nav, 'hardwareConcurrency')) throw new Error('navigator.hardwareConcurrency left overridden');
    ctx.destroy();
  });

  it('the cpu backend does not greet Node users with tfjs-node advice', async () => {
    const ctx = await newContext('cpu');
    const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean };
    if (cpu.firstUse !== false) throw new Error('tfjs-backend-cpu will print its Node.js banner on first use');
    ctx.destroy();
  });
});
