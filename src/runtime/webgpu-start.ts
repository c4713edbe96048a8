/**
 * Whether the TF.js webgpu backend can start here, said before TF.js tries: its start only logs a warning when there
 * is no adapter or device, and a context that asked for webgpu should say which of the two was missing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { startedBackend } from './backend-loss.js';

/** Why WebGPU cannot be used here, or undefined when `navigator.gpu` gives an adapter. */
export async function webgpuUnavailable(): Promise<string | undefined> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    return 'navigator.gpu is absent: this JavaScript runtime has no WebGPU (browsers expose it in secure contexts ' +
      'only; Node has none)';
  }
  try {
    // TF.js asks for the high-performance adapter; the same request here says whether it will get one.
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter ? undefined : 'navigator.gpu.requestAdapter() gave no adapter (no usable GPU, or WebGPU is blocked)';
  } catch (error) {
    return `navigator.gpu.requestAdapter() failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** webgpuOnHardware()'s answer for this page, asked once, until the device TF.js made on that adapter is lost. */
let hardwareAnswer: Promise<boolean> | undefined;
const watchedDevices = new WeakSet<GPUDevice>();

/**
 * Forgets webgpuOnHardware()'s answer once `device` is lost: a lost GPU (driver reset, GPU removed) may leave only a
 * fallback adapter, or another GPU.
 */
export function askAgainWhenLost(device: GPUDevice): void {
  if (watchedDevices.has(device)) return;
  watchedDevices.add(device);
  void device.lost.then(() => {
    hardwareAnswer = undefined;
  });
}

/**
 * Whether WebGPU here runs on a GPU: `navigator.gpu` gives a high-performance adapter (the one TF.js takes) that is
 * not a fallback adapter (a software one, such as Chromium's SwiftShader). Asked once per page: every context with GPU
 * preferences asks, and requestAdapter() takes milliseconds.
 */
export function webgpuOnHardware(): Promise<boolean> {
  // startedBackend, not tf.findBackend, which would start the backend.
  const device = (startedBackend('webgpu') as { device?: GPUDevice } | undefined)?.device;
  if (device) askAgainWhenLost(device);
  hardwareAnswer ??= askForHardwareAdapter();
  return hardwareAnswer;
}

async function askForHardwareAdapter(): Promise<boolean> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return false;
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return false;
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return !(info.isFallbackAdapter ?? (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false);
  } catch {
    return false;
  }
}

/**
 * The most bytes a WebNN tensor may take on a webgpu device with these limits, at most `max`: TF.js binds each tensor
 * as one storage buffer, and holds float16 as f32, in twice its WebNN bytes.
 */
export function webgpuTensorByteLimit(limits: GPUSupportedLimits | undefined, max: number): number {
  if (!limits) return max;
  return Math.min(max, Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / 2));
}

/** The limits of the device TF.js's own webgpu backend runs on, once it has started. */
export function tfjsWebgpuLimits(): GPUSupportedLimits | undefined {
  return (tf.findBackend('webgpu') as { device?: GPUDevice } | undefined)?.device?.limits;
}

/** Why webgpu did not start when an adapter was there: TF.js's request for a device failed. */
export const WEBGPU_DEVICE_FAILED = 'the WebGPU adapter gave no device the TF.js webgpu backend could start on';

interface WebgpuBackendInternals {
  readSync(dataId: object): unknown;
  tensorMap: { get(dataId: object): { values?: unknown } | undefined };
}

/**
 * tfjs-backend-webgpu reads a GPU buffer synchronously by drawing it through WebGPU canvases. In Chromium on
 * SwiftShader (headless, --enable-unsafe-webgpu) that read gives zeros and leaves the device unusable: every later
 * mapAsync() fails ("A valid external Instance reference no longer exists"). Such a read therefore throws, before it
 * starts: values on the GPU are read asynchronously (readTensor()), and a lowering that needs them synchronously fails
 * with an error that says why instead of computing on zeros.
 */
export function refuseSyncGpuReads(backend: object): void {
  const internals = backend as WebgpuBackendInternals;
  const readSync = internals.readSync.bind(backend);
  internals.readSync = (dataId: object) => {
    if (internals.tensorMap.get(dataId)?.values != null) return readSync(dataId);
    throw new Error('the TF.js webgpu backend cannot read a GPU buffer synchronously');
  };
}

interface BackendRegistry {
  registryFactory: Record<string, { priority: number } | undefined>;
}

/**
 * tfjs-backend-webgpu registers itself above every other backend, so an app's own TF.js code that runs before
 * `await tf.ready()` would meet a backend still starting asynchronously, where it got webgl, started at once, before
 * the polyfill carried webgpu. Ranked just below webgl, it leaves TF.js's own choice as it was; contexts do not use
 * that order.
 */
export function rankWebgpuBelowWebgl(engine: object): void {
  const factories = (engine as BackendRegistry).registryFactory;
  const webgpu = factories['webgpu'];
  const webgl = factories['webgl']?.priority ?? 2;
  if (webgpu && webgpu.priority >= webgl) webgpu.priority = webgl - 0.5;
}
