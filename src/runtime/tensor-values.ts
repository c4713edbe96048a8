/**
 * Moving values into and out of TF.js tensors with one copy each way. The backends differ in who copies: the wasm
 * backend copies what it is given into its heap, and keeps values in that heap; the cpu backend, and webgl until its
 * first upload, keep the very array they are given, and the cpu backend reads back that same array.
 */
import { tf, type BackendName } from './backends.js';

export type StorageValues = Float32Array | Int32Array;

interface WasmHeapBackend {
  typedArrayFromHeap(info: { shape: number[]; dtype: string; dataId: object }): StorageValues | Uint8Array;
}

interface WasmRegistry {
  readonly wasm: { readonly tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void } };
  readonly dataIdMap: {
    get(dataId: object): { readonly id: number; readonly memoryOffset: number; readonly shape: number[]; readonly dtype: string } | undefined;
  };
}

/** The data ids of tensors a kernel that may keep weights packed from its inputs has read (see forgetPackedWeights). */
const readByPackingKernels = new WeakSet<object>();

/**
 * Notes that a kernel which may keep weights packed from its inputs (a TF.js kernel run through the engine, or one a
 * replay does not know to keep nothing) reads the tensor of `dataId`: forgetPackedWeights() drops nothing for tensors
 * never noted.
 */
export function noteReadByPackingKernel(dataId: object): void {
  readByPackingKernels.add(dataId);
}

/**
 * After values were written over those of the wasm tensor `dataId` in place: tfjs-backend-wasm keeps XNNPACK
 * operators with weights packed from the tensors a convolution, a matrix product or prelu read them from, keyed by
 * those tensors' ids and dropped only when the id is disposed, so a kernel reading the tensor again would compute
 * with its old values. Registering the id anew, over the same memory, drops them: two calls into the module, about
 * 1.5 us each in Node, made only for tensors such a kernel may have read (noteReadByPackingKernel).
 */
export function forgetPackedWeights(backend: tf.KernelBackend, dataId: object): void {
  if (!readByPackingKernels.has(dataId)) return;
  const { wasm, dataIdMap } = backend as unknown as WasmRegistry;
  const data = dataIdMap.get(dataId);
  // Those kernels take float32 weights only.
  if (!data || data.dtype !== 'float32') return;
  wasm.tfjs.disposeData(data.id);
  wasm.tfjs.registerTensor(data.id, tf.util.sizeFromShape(data.shape), data.memoryOffset);
}

interface EngineWrite {
  makeTensor(values: StorageValues, shape: number[], dtype: 'float32' | 'int32', backend: tf.KernelBackend): tf.Tensor;
}

/**
 * A tensor on backend `name` holding `values`, made outside any tf.tidy() the caller may be in, whatever backend is
 * active: TF.js's engine writes to the backend it is given, so no switch (each runs TF.js's set-up of every kernel of
 * the backend, some hundred microseconds) is made around the write. `borrowed` values (a view of memory the caller may
 * change) are copied first where the backend would keep the array itself.
 */
export function tensorFromValues(name: BackendName, values: StorageValues, shape: readonly number[], borrowed: boolean): tf.Tensor {
  const backend = tf.findBackend(name);
  if (!backend) throw new Error(`TF.js backend ${name} is not initialised`);
  const dtype = values instanceof Float32Array ? 'float32' : 'int32';
  const owned = borrowed && name !== 'wasm' ? values.slice() : values;
  return tf.keep((tf.engine() as unknown as EngineWrite).makeTensor(owned, shape as number[], dtype, backend));
}

/** The backend holding `t`'s data. */
function holderOf(t: tf.Tensor): unknown {
  return (tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, { backend: unknown }> } }).state.tensorInfo
    .get(t.dataId)?.backend;
}

/**
 * The values of `t` where its backend keeps them, without a copy: a view of the wasm heap, or the cpu backend's own
 * array. Valid only until the next TF.js call (the wasm heap may grow and move), and never to be written. Null on
 * backends that read back asynchronously (webgl), or when `t` is not where expected.
 */
export function valuesInPlace(t: tf.Tensor, backendName: string): StorageValues | null {
  if (t.dtype !== 'float32' && t.dtype !== 'int32') return null;
  if (backendName === 'cpu') return t.dataSync() as StorageValues;
  if (backendName !== 'wasm') return null;
  const backend = wasmHolderOf(t);
  return backend ? heapValuesOf(backend, t) : null;
}

/** The wasm backend, where it holds `t`'s data. */
function wasmHolderOf(t: tf.Tensor): (tf.KernelBackend & WasmHeapBackend) | null {
  const backend = tf.findBackend('wasm') as (tf.KernelBackend & Partial<WasmHeapBackend>) | undefined;
  return backend?.typedArrayFromHeap && holderOf(t) === backend ? backend as tf.KernelBackend & WasmHeapBackend : null;
}

/** A view of `t`'s values in the heap of `backend`, which holds them. */
function heapValuesOf(backend: WasmHeapBackend, t: tf.Tensor): StorageValues {
  return backend.typedArrayFromHeap({ shape: t.shape, dtype: t.dtype, dataId: t.dataId }) as StorageValues;
}

/**
 * Writes `values` over those of `t` in wasm's heap, when `t` is the only tensor holding that memory and has their type
 * and count (and drops what the backend packed from its old values): true once written. False where a new tensor is
 * to be made instead, leaving `t` as it was: on the other backends (the cpu backend keeps the arrays it is given,
 * which another tensor's data may be too), for memory shared with another tensor, another type or size.
 */
export function overwriteInPlace(t: tf.Tensor, backendName: string, values: StorageValues): boolean {
  if (backendName !== 'wasm') return false;
  if (t.isDisposed || t.dtype !== (values instanceof Float32Array ? 'float32' : 'int32') || t.size !== values.length) return false;
  const backend = wasmHolderOf(t);
  if (!backend || backend.refCount(t.dataId) !== 1) return false;
  const target = heapValuesOf(backend, t);
  if (target.length !== values.length) return false;
  target.set(values);
  forgetPackedWeights(backend, t.dataId);
  return true;
}
