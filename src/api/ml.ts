import { notSupportedError } from '../errors.js';
import { BACKEND_NAMES, selectBackend } from '../runtime/select.js';
import type { BackendName } from '../runtime/backends.js';
import { createContextObject, type MLContext } from './context.js';
import { checkCreateToken, CREATE, finishInterface } from './interface.js';
import { ContextState, type MLPowerPreference } from './internals.js';
import { toBoolean, toDictionary, toEnum } from './webidl.js';

export interface MLContextOptions {
  powerPreference?: MLPowerPreference;
  accelerated?: boolean;
  /** Older hint still sent by deployed clients: 'cpu' prefers Wasm, 'gpu' and 'npu' prefer WebGL. */
  deviceType?: 'cpu' | 'gpu' | 'npu';
  /** Polyfill-specific: run this context on exactly this TF.js backend ('webgl', 'wasm' or 'cpu'). */
  tfjsBackend?: BackendName;
}

const isGPUDevice = (x: unknown): boolean =>
  typeof (globalThis as { GPUDevice?: unknown }).GPUDevice === 'function' &&
  x instanceof (globalThis as unknown as { GPUDevice: new () => object }).GPUDevice;

export class ML {
  constructor(...args: unknown[]) {
    checkCreateToken(args[0]);
  }

  createContext(options?: MLContextOptions): Promise<MLContext> {
    const where = 'ML.createContext';
    try {
      if (!(this instanceof ML)) throw new TypeError(`${where}: not an ML`);
      if (isGPUDevice(options)) {
        return Promise.reject(notSupportedError(where, 'WebGPU devices are not supported; TF.js cannot adopt a GPUDevice'));
      }
      const dict = toDictionary<MLContextOptions & Record<string, unknown>>(where, 'options', options);
      const powerPreference = toEnum<MLPowerPreference>(where, 'options.powerPreference', dict.powerPreference,
        ['default', 'high-performance', 'low-power'], 'default');
      const deviceType = dict.deviceType === undefined ? undefined
        : toEnum(where, 'options.deviceType', dict.deviceType, ['cpu', 'gpu', 'npu'] as const);
      const accelerated = toBoolean(dict.accelerated, deviceType !== 'cpu');
      const tfjsBackend = dict.tfjsBackend === undefined ? undefined
        : toEnum(where, 'options.tfjsBackend', dict.tfjsBackend, BACKEND_NAMES);
      return selectBackend({ powerPreference, accelerated, deviceType, tfjsBackend }).then((backend) => {
        if (!backend) {
          throw notSupportedError(where, tfjsBackend ? `the TF.js ${tfjsBackend} backend cannot start here` : 'no TF.js backend can start here');
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
