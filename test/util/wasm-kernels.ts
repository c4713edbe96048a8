/** Our SIMD kernels (runtime/wasm-simd-kernels.ts) in the wasm backend's memory, for the tests of those kernels. */
import { contextFor } from './harness.js';
import { tf } from '../../src/runtime/backends.js';
import { withBackend } from '../../src/runtime/placement.js';
import { type SimdKernels, simdKernelsOf, type WasmHeapModule } from '../../src/runtime/wasm-simd-kernels.js';

interface WasmBackend {
  readonly wasm: WasmHeapModule;
  readonly dataIdMap: { get(dataId: object): { readonly memoryOffset: number } | undefined };
}

export interface WasmKernels {
  /** The kernels, once the suite's before() hook has found them. */
  kernels: SimdKernels;
  /** A tensor's byte address in the heap. */
  address(t: tf.Tensor): number;
  /** Runs `fn` with the wasm backend active. */
  on<T>(fn: () => T): T;
}

/** The kernels of the wasm backend's memory, found by a before() hook of the suite this is called in. */
export function wasmKernels(): WasmKernels {
  let backend: WasmBackend;
  const found: WasmKernels = {
    kernels: null as unknown as SimdKernels,
    address: (t) => backend.dataIdMap.get(t.dataId)!.memoryOffset,
    on: (fn) => withBackend('wasm', fn),
  };
  before(async () => {
    await contextFor('wasm');
    backend = tf.findBackend('wasm') as unknown as WasmBackend;
    const kernels = simdKernelsOf(backend.wasm);
    if (!kernels) throw new Error('no SIMD kernels in the wasm backend\'s memory');
    found.kernels = kernels;
  });
  return found;
}
