/**
 * The TF.js backends' names and the configuration install() passes to them, apart from backends.ts (which imports
 * TF.js) so that the package's public types never reach TF.js's own declarations.
 */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendConfig {
  /** Where tfjs-backend-wasm's .wasm files are: a directory URL ending in '/', or a map of file name to URL. */
  wasmPaths?: string | Record<string, string>;
  /**
   * Wasm threads, the calling one included (at most 8, tfjs-backend-wasm's pool size); defaults to half the logical
   * cores, at most 4 (defaultWasmThreads). Threads run only where the page is cross-origin isolated
   * (SharedArrayBuffer), never in Node.
   */
  wasmThreads?: number;
}
