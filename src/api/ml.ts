import { notSupportedError, typeError } from '../errors.js';
import { BACKEND_NAMES, selectBackend, type MLPowerPreference } from '../runtime/select.js';
import type { BackendName } from '../runtime/backend-config.js';
import { backendStartFailure } from '../runtime/backends.js';
import { backendOnDevice } from '../runtime/gpu-device-backend.js';
import { createContextObject, type MLContext } from './context.js';
import { checkCreateToken, CREATE, finishInterface } from './interface.js';
import { ContextState } from './internals.js';
import { toBoolean, toDictionary, toEnum } from '../webidl.js';

export interface MLContextOptions {
  /** 'high-performance' prefers the WebGL backend, 'low-power' the Wasm one. Outranks `accelerated`. */
  powerPreference?: MLPowerPreference;
  /** true (the default) prefers WebGL when a WebGL2 context can be made; false prefers Wasm. */
  accelerated?: boolean;
  /** Older hint still sent by deployed clients: 'cpu' prefers Wasm, 'gpu' and 'npu' prefer WebGL. */
  deviceType?: 'cpu' | 'gpu' | 'npu';
  /**
   * Polyfill-specific: run this context on exactly this TF.js backend, 'webgpu', 'webgl', 'wasm' or 'cpu', instead of
   * choosing one from the preferences above. createContext() rejects with a NotSupportedError when that backend cannot
   * start here (WebGPU needs `navigator.gpu` with an adapter and a device, WebGL a WebGL2 context, so neither in Node).
   * webgpu is chosen only when asked for by name. Contexts on different backends can be used side by side.
   */
  tfjsBackend?: BackendName;
}

/**
 * The members of a WebGPU GPUDevice that createContext(gpuDevice) requires of its argument: a real device (typed by
 * TypeScript's DOM library or @webgpu/types) has them, an options object does not, so a misspelt options object is
 * rejected instead of taken for a device. Structural, so the package's types do not depend on @webgpu/types.
 */
export interface WebGPUDevice {
  readonly queue: object;
  readonly lost: Promise<unknown>;
  createBuffer(descriptor: never): object;
  createCommandEncoder(descriptor?: never): object;
  destroy(): void;
}

const isGPUDevice = (x: unknown): boolean =>
  typeof (globalThis as { GPUDevice?: unknown }).GPUDevice === 'function' &&
  x instanceof (globalThis as unknown as { GPUDevice: new () => object }).GPUDevice;

const mlObjects = new WeakSet<object>();

/**
 * createContext(gpuDevice): a context whose TF.js webgpu backend runs on the app's device (its queue, its buffers), so
 * that tensors made with createExportableTensor() can be handed to the app's WebGPU work without a copy through the CPU.
 */
async function contextOnDevice(where: string, device: GPUDevice): Promise<MLContext> {
  const backend = await backendOnDevice(device);
  if (typeof backend === 'string') throw notSupportedError(where, `a context cannot run on this GPUDevice: ${backend}`);
  return createContextObject(new ContextState('webgpu', true, 'default', backend));
}

export class ML {
  constructor(...args: unknown[]) {
    checkCreateToken(args[0]);
    mlObjects.add(this);
  }

  createContext(options?: MLContextOptions): Promise<MLContext>;
  createContext(gpuDevice: WebGPUDevice): Promise<MLContext>;
  createContext(...args: unknown[]): Promise<MLContext> {
    const where = 'ML.createContext';
    const options = args[0];
    try {
      if (!mlObjects.has(this)) throw typeError(where, 'not an ML');
      if (isGPUDevice(options)) return contextOnDevice(where, options as GPUDevice);
      // Dictionary members are read in the order WebIDL prescribes (lexicographic).
      const dict = toDictionary<Record<keyof MLContextOptions, unknown>>(where, 'options', options);
      const acceleratedValue = dict.accelerated;
      const deviceType = dict.deviceType === undefined ? undefined
        : toEnum(where, 'options.deviceType', dict.deviceType, ['cpu', 'gpu', 'npu'] as const);
      const powerPreference = toEnum<MLPowerPreference>(where, 'options.powerPreference', dict.powerPreference,
        ['default', 'high-performance', 'low-power'], 'default');
      const tfjsBackend = dict.tfjsBackend === undefined ? undefined
        : toEnum(where, 'options.tfjsBackend', dict.tfjsBackend, BACKEND_NAMES);
      const accelerated = toBoolean(acceleratedValue, deviceType !== 'cpu');
      return selectBackend({ powerPreference, accelerated, deviceType, tfjsBackend }).then((backend) => {
        if (!backend) {
          const why = (name: BackendName) => {
            const failure = backendStartFailure(name);
            return failure ? ` (${name}: ${failure})` : '';
          };
          throw notSupportedError(where, tfjsBackend ? `the TF.js ${tfjsBackend} backend cannot start here${why(tfjsBackend)}`
            : `no TF.js backend can start here${why('wasm')}`);
        }
        return createContextObject(new ContextState(backend, accelerated, powerPreference));
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
finishInterface(ML, 'ML');

export function createML(): ML {
  return new ML(CREATE);
}
