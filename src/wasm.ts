/**
 * The npm entry webnn-tfjs-polyfill/wasm: the API of webnn-tfjs-polyfill with the TF.js wasm and cpu backends only.
 * A context that prefers webgl gets wasm; one that asks for `tfjsBackend: 'webgl'` is rejected, as where webgl cannot
 * start.
 */
import * as cpu from '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { carryBackends } from './runtime/carried-backends.js';
import { wasmFilesBesideModule } from './runtime/wasm-files.js';

carryBackends({ cpu, wasm, wasmFiles: wasmFilesBesideModule() });

export * from './public-api.js';
