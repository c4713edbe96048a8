/**
 * Contexts on an app's own GPUDevice (ML.createContext(gpuDevice)): each device gets its own instance of TF.js's
 * webgpu backend, made on that device, so the context's buffers are the app's and its work goes to the app's queue.
 *
 * TF.js finds kernels by backend name, and the polyfill's graphs, operations and limits know a context's backend by
 * its name, 'webgpu'. A name per device would need every kernel registered again under it, and every check of
 * 'webgpu' to learn the new names; instead, TF.js's name 'webgpu' stands for the device's instance while a job of such
 * a context runs (synchronously, see GpuDeviceBackend.bind), and for TF.js's own webgpu instance, if started, at all
 * other times. A tensor is read, moved and released by the instance that holds it, whatever the name stands for.
 */
import * as tf from '@tensorflow/tfjs-core';
import { refuseSyncGpuReads } from './webgpu-start.js';

/** tfjs-backend-webgpu's WebGPUBackend, handed over by the webgpu entry (runtime modules import no backend package). */
export type WebgpuBackendClass = new (device: GPUDevice, adapterInfo?: GPUAdapterInfo) => tf.KernelBackend;

let backendClass: WebgpuBackendClass | undefined;

/** Called by the webgpu entry: contexts on a GPUDevice exist only where it is loaded. */
export function carryWebgpuBackendClass(backend: WebgpuBackendClass): void {
  backendClass = backend;
}

interface EngineRegistry {
  registry: Record<string, tf.KernelBackend | undefined>;
  backendName: string | null;
  backendInstance: tf.KernelBackend | null;
}

/** The members of tfjs-backend-webgpu's WebGPUBackend used here (TypeScript-private there, plain properties in JS). */
interface WebgpuBackendInternals {
  tensorMap: { get(dataId: object): { resource?: unknown } | undefined };
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
  uploadToGPU(dataId: object): void;
  createTensorFromGPUData(data: { buffer: GPUBuffer; zeroCopy?: boolean }, shape: number[], dtype: 'float32'): tf.Tensor;
  dispose(): void;
}

type LossListener = (message: string) => void;

/** TF.js's webgpu backend on one app's GPUDevice, shared by every context made on that device. */
export class GpuDeviceBackend {
  readonly #instance: tf.KernelBackend;
  readonly #listeners = new Set<LossListener>();
  #lostMessage: string | null = null;

  constructor(readonly device: GPUDevice, instance: tf.KernelBackend) {
    this.#instance = instance;
  }

  get #internals(): WebgpuBackendInternals {
    return this.#instance as unknown as WebgpuBackendInternals;
  }

  /** Why the device can no longer be used, or null while it can. */
  get lostMessage(): string | null {
    return this.#lostMessage;
  }

  /**
   * Runs `fn` with TF.js's backend name 'webgpu' standing for this device's instance (and, if 'webgpu' is TF.js's active
   * backend, with this instance active), then puts back what the name stood for. `fn` must be synchronous: the name
   * is this device's only until it returns.
   */
  bind<T>(fn: () => T): T {
    const engine = tf.engine() as unknown as EngineRegistry;
    const previous = engine.registry['webgpu'];
    if (previous === this.#instance) return fn();
    engine.registry['webgpu'] = this.#instance;
    if (engine.backendName === 'webgpu') engine.backendInstance = this.#instance;
    try {
      return fn();
    } finally {
      if (previous) engine.registry['webgpu'] = previous;
      else delete engine.registry['webgpu'];
      if (engine.backendName === 'webgpu') engine.backendInstance = previous ?? null;
    }
  }

  /** Submits the commands TF.js has recorded on this device and not yet submitted, so that work submitted later follows them. */
  flush(): void {
    const internals = this.#internals;
    if (!internals.commandEncoder) return;
    internals.endComputePassEncoder();
    internals.submitQueue();
  }

  /** The GPUBuffer holding `t`'s values on this device (uploaded first if TF.js still holds them in JavaScript). */
  bufferOf(t: tf.Tensor): GPUBuffer {
    const internals = this.#internals;
    internals.uploadToGPU(t.dataId);
    const resource = internals.tensorMap.get(t.dataId)?.resource;
    if (!(resource instanceof GPUBuffer)) throw new Error('the tensor is not held in a GPUBuffer of this device');
    return resource;
  }

  /** A float32 tensor of this device holding a copy, made on the GPU and submitted now, of `buffer`'s values. */
  tensorFromBuffer(buffer: GPUBuffer, shape: readonly number[]): tf.Tensor {
    return tf.keep(this.#internals.createTensorFromGPUData({ buffer, zeroCopy: false }, [...shape], 'float32'));
  }

  /**
   * Whether the device is lost, looked at after a failure it may have caused: destroy() aborts the device's pending
   * buffer mappings before its lost promise settles. Waits at most LOSS_GRACE_MS for the loss.
   */
  async lostAfterFailure(): Promise<boolean> {
    if (this.#lostMessage !== null) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), LOSS_GRACE_MS);
    });
    const lost = await Promise.race([this.device.lost.then(() => true), grace]);
    clearTimeout(timer);
    return lost;
  }

  /** Calls `listener` once when the device is lost; the function returned unsubscribes. */
  whenLost(listener: LossListener): () => void {
    if (this.#lostMessage !== null) {
      queueMicrotask(() => listener(this.#lostMessage!));
      return unsubscribed;
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** The device is lost: every context on it is, and the instance gives back what it still holds. */
  lose(message: string): void {
    if (this.#lostMessage !== null) return;
    this.#lostMessage = message;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) {
      try {
        listener(message);
      } catch {
        // One listener failing must not keep the others from hearing of the loss.
      }
    }
    try {
      this.#internals.dispose();
    } catch {
      // Buffers of a lost device may already be gone; the instance is dropped all the same.
    }
  }
}

const unsubscribed = (): void => undefined;

/** How long a failed GPU read waits for the device's loss to be known before it is reported as the failure it is. */
const LOSS_GRACE_MS = 1000;

const backends = new WeakMap<GPUDevice, GpuDeviceBackend>();

function lostMessageOf(info: GPUDeviceLostInfo): string {
  return `the GPUDevice was lost (${info.reason})${info.message ? `: ${info.message}` : ''}`;
}

/** A task later: a device already lost has settled its lost promise by then, and its reactions have run. */
const aTaskLater = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * TF.js's webgpu backend on `device` (one per device, made at its first context), or why there can be none: the
 * webgpu entry is not loaded, `device` is not a GPUDevice of this page, it is lost, or TF.js cannot start on it.
 */
export async function backendOnDevice(device: GPUDevice): Promise<GpuDeviceBackend | string> {
  if (!backendClass) {
    return 'only the webnn-tfjs-polyfill/webgpu entry carries the TF.js webgpu backend, which contexts on a ' +
      'GPUDevice run on; import that entry';
  }
  const known = backends.get(device);
  if (known) return known.lostMessage ?? known;
  let lost: Promise<GPUDeviceLostInfo>;
  try {
    lost = device.lost;
  } catch (error) {
    return `it is not a GPUDevice (${error instanceof Error ? error.message : String(error)})`;
  }
  let lostInfo: GPUDeviceLostInfo | null = null;
  // On an object that only has GPUDevice.prototype, the lost attribute is a rejected promise (WebIDL).
  let notADevice: unknown = null;
  void lost.then((info) => {
    lostInfo = info;
  }, (error: unknown) => {
    notADevice = error;
  });
  await aTaskLater();
  if (notADevice) return `it is not a GPUDevice (${notADevice instanceof Error ? notADevice.message : String(notADevice)})`;
  if (lostInfo) return lostMessageOf(lostInfo);
  // Another context may have made the device's backend meanwhile.
  const made = backends.get(device);
  if (made) return made.lostMessage ?? made;
  let instance: tf.KernelBackend;
  try {
    instance = new backendClass(device, device.adapterInfo);
  } catch (error) {
    return `the TF.js webgpu backend cannot start on it (${error instanceof Error ? error.message : String(error)})`;
  }
  // As for TF.js's own webgpu backend (backends.ts): kernels run on the device whatever the size, and synchronous
  // reads of GPU buffers, which break SwiftShader's device, are refused.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  refuseSyncGpuReads(instance);
  const backend = new GpuDeviceBackend(device, instance);
  backends.set(device, backend);
  void lost.then((info) => backend.lose(lostMessageOf(info)));
  return backend;
}
