import { MLContext } from './api/context.js';
import { MLGraph } from './api/graph.js';
import { MLGraphBuilder } from './api/graph-builder.js';
import { createML, ML } from './api/ml.js';
import { MLOperand } from './api/operand.js';
import { MLTensor } from './api/tensor.js';
import { BACKEND_NAMES, type BackendConfig, type BackendName } from './runtime/backend-config.js';
import { configureBackends } from './runtime/backends.js';
import { setInstalledBackend } from './runtime/select.js';
import { setDynamicShapes } from './api/proposal.js';

export interface InstallOptions extends BackendConfig {
  /** Replace a native navigator.ml even when it works. */
  force?: boolean;
  /**
   * Switches the dynamic-shape proposal on (true) or off (false); left as it is when absent. Off by default. See the
   * README's "Dynamic shapes" section.
   */
  dynamicShapes?: boolean;
  /**
   * The TF.js backend of every context whose options name none (`MLContextOptions.tfjsBackend`), whatever its
   * deviceType, powerPreference or accelerated say, such as 'webgpu' on a fallback adapter, which contexts otherwise
   * pass over; contexts made from a GPUDevice stay on webgpu. Left as it is when absent.
   */
  tfjsBackend?: BackendName;
}

export const interfaces = { ML, MLContext, MLGraph, MLGraphBuilder, MLOperand, MLTensor } as const;

let installedML: ML | null = null;

/** The one ML object of this global, made on first use. */
export function polyfillML(): ML {
  installedML ??= createML();
  return installedML;
}

/**
 * Whether the global's own navigator.ml can make a context. Debian's Chromium with the WebNN flag exposes
 * navigator.ml whose createContext() rejects "WebNN is not supported on this platform".
 */
export async function nativeWebNNWorks(): Promise<boolean> {
  const nav = (globalThis as { navigator?: { ml?: { createContext?: () => Promise<{ destroy?: () => void }> } } }).navigator;
  const ml = nav?.ml;
  if (!ml || ml === installedML || typeof ml.createContext !== 'function') return false;
  try {
    const context = await ml.createContext();
    context.destroy?.();
    return true;
  } catch {
    return false;
  }
}

function installBackend(name: BackendName | undefined): void {
  if (name === undefined) return;
  if (!BACKEND_NAMES.includes(name)) {
    throw new TypeError(`install(): tfjsBackend ${String(name)} is none of ${BACKEND_NAMES.join(', ')}`);
  }
  setInstalledBackend(name);
}

function defineGlobal(name: string, value: unknown): void {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}

/** Installs navigator.ml (on Navigator or WorkerNavigator) and the ML* interfaces on the global object. */
export function installNow(options: InstallOptions = {}): ML {
  installBackend(options.tfjsBackend);
  configureBackends(options);
  if (options.dynamicShapes !== undefined) setDynamicShapes(options.dynamicShapes);
  const ml = polyfillML();
  for (const [name, value] of Object.entries(interfaces)) defineGlobal(name, value);
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    // Node before 21 has no navigator global.
    defineGlobal('navigator', {});
  }
  const nav = g.navigator!;
  const proto = Object.getPrototypeOf(nav) as object | null;
  const target = proto && proto !== Object.prototype ? proto : nav;
  // Named 'get ml' and brand-checked, as WebIDL attribute getters are.
  const getter = Object.getOwnPropertyDescriptor({
    get ml(): ML {
      if (this !== nav && !Object.prototype.isPrototypeOf.call(target, this)) {
        throw new TypeError("Illegal invocation: 'ml' getter called on an object that is not a Navigator");
      }
      return ml;
    },
  }, 'ml')!.get;
  Object.defineProperty(target, 'ml', { get: getter, configurable: true, enumerable: true });
  return ml;
}

/**
 * Installs the polyfill unless a working native WebNN is present (or `force`). Resolves with the ML object now
 * behind navigator.ml.
 */
export async function install(options: InstallOptions = {}): Promise<ML | object> {
  // Read before the await: meanwhile the script entry (global.ts) puts a shim behind navigator.ml.
  const native = (globalThis as { navigator?: { ml?: object } }).navigator?.ml;
  if (!options.force && await nativeWebNNWorks()) {
    configureBackends(options);
    return native!;
  }
  return installNow(options);
}
