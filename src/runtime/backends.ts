import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'webgl' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['webgl', 'wasm', 'cpu'];

export interface BackendConfig {
  /** Where tfjs-backend-wasm's .wasm files are: a directory URL ending in '/', or a map of file name to URL. */
  wasmPaths?: string | Record<string, string>;
  /** Wasm worker threads; defaults to all cores when the page is cross-origin isolated. */
  wasmThreads?: number;
}

const config: BackendConfig = {};
let wasmConfigured = false;

export function configureBackends(next: BackendConfig): void {
  if (next.wasmPaths !== undefined) config.wasmPaths = next.wasmPaths;
  if (next.wasmThreads !== undefined) config.wasmThreads = next.wasmThreads;
}

function configureWasmOnce(): void {
  if (wasmConfigured) return;
  wasmConfigured = true;
  if (config.wasmPaths !== undefined) {
    setWasmPaths(config.wasmPaths as string);
  }
  const cores = (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 1;
  const threads = config.wasmThreads ?? cores;
  // tfjs-backend-wasm caps its pool at hardwareConcurrency / 2 when it reads the count itself.
  if (threads > 0) setThreadsCount(threads);
}

const initialised = new Map<BackendName, Promise<boolean>>();

/** Serialises every use of TF.js: its active backend is one global, while each context owns its own backend. */
let tail: Promise<unknown> = Promise.resolve();

export function runExclusive<T>(job: () => T | Promise<T>): Promise<T> {
  const run = tail.then(job);
  tail = run.then(() => undefined, () => undefined);
  return run;
}

async function activate(name: BackendName): Promise<boolean> {
  if (name === 'wasm') configureWasmOnce();
  if (name === 'webgl' && !webglAvailable()) return false;
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

function webglAvailable(): boolean {
  try {
    if (typeof OffscreenCanvas !== 'undefined') {
      return new OffscreenCanvas(1, 1).getContext('webgl2') !== null;
    }
    if (typeof document !== 'undefined') {
      return document.createElement('canvas').getContext('webgl2') !== null;
    }
  } catch {
    // fall through
  }
  return false;
}

/** Initialises `name` once (inside the exclusive section); later calls reuse the outcome. */
export function ensureBackend(name: BackendName): Promise<boolean> {
  let ready = initialised.get(name);
  if (!ready) {
    ready = runExclusive(() => activate(name));
    initialised.set(name, ready);
  }
  return ready;
}

/** Runs `job` with `name` as TF.js's active backend, after every earlier job of every context. */
export function runOnBackend<T>(name: BackendName, job: () => T | Promise<T>): Promise<T> {
  return runExclusive(async () => {
    if (tf.getBackend() !== name) await tf.setBackend(name);
    return job();
  });
}

export { tf };
