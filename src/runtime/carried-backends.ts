/**
 * The TF.js backends this build carries. Only the package's entry modules import a TF.js backend package (importing
 * it registers the backend with TF.js) and hand it here, so an app bundled from webnn-tfjs-polyfill/wasm ships no webgl
 * code. A backend no entry carried does not start, as one that fails to start here, and contexts fall back past it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from './backend-config.js';
import { rankWebgpuBelowWebgl } from './webgpu-start.js';

/** What the runtime uses of tfjs-backend-wasm beyond its registration. */
export interface WasmBackendModule {
  setWasmPaths(prefixOrFileMap: string | Record<string, string>): void;
  setThreadsCount(count: number): void;
  getThreadsCount(): number;
  readonly version_wasm: string;
}

/**
 * The backend packages' modules, as an entry imports them; the cpu backend is always carried (the last resort). The
 * entry hands over the modules, not just their names, so that its imports are used values: a bare
 * `import '@tensorflow/…'` would stay in the entry's .d.ts and reach TF.js's declarations.
 */
export interface CarriedBackends {
  cpu: object;
  /** tfjs-backend-webgpu registers itself only where `navigator.gpu` exists; elsewhere it is carried but never starts. */
  webgpu?: object;
  webgl?: object;
  wasm?: WasmBackendModule;
  /**
   * Where the wasm backend's .wasm files are when install() is given no wasmPaths: URLs an entry makes with
   * `new URL('./file.wasm', import.meta.url)`, which bundlers rewrite to the files they emit.
   */
  wasmFiles?: Record<string, string> | undefined;
}

const carried = new Set<BackendName>();
let wasmModule: WasmBackendModule | undefined;
let wasmFileUrls: Record<string, string> | undefined;

/** Called by each entry module as it is evaluated; entries imported side by side carry the union of their backends. */
export function carryBackends(backends: CarriedBackends): void {
  carried.add('cpu');
  if (backends.webgpu) {
    carried.add('webgpu');
    // The entry has imported tfjs-backend-webgpu, which registered itself, before calling this.
    rankWebgpuBelowWebgl(tf.engine());
  }
  if (backends.webgl) carried.add('webgl');
  if (backends.wasm) {
    carried.add('wasm');
    wasmModule = backends.wasm;
    wasmFileUrls ??= backends.wasmFiles;
  }
}

export function carriesBackend(name: BackendName): boolean {
  return carried.has(name);
}

export function carriedBackendNames(): BackendName[] {
  return [...carried];
}

/** tfjs-backend-wasm's functions, when an entry carried it. */
export function carriedWasm(): WasmBackendModule | undefined {
  return wasmModule;
}

/** The .wasm files' URLs an entry found beside itself, used when install() is given no wasmPaths. */
export function defaultWasmFiles(): Record<string, string> | undefined {
  return wasmFileUrls;
}
