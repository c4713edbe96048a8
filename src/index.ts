/**
 * The npm entry with the TF.js webgl, wasm and cpu backends: install() / installNow() put navigator.ml and the ML*
 * interfaces on the global object; the classes and every WebNN dictionary and enum type are exported as well.
 * webnn-tfjs-polyfill/wasm, /webgl and /cpu export the same and carry fewer backends; webnn-tfjs-polyfill/webgpu carries
 * the opt-in webgpu backend (with wasm and cpu), which this entry leaves out while it is opt-in.
 */
import * as cpu from '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as webgl from '@tensorflow/tfjs-backend-webgl';
import { carryBackends } from './runtime/carried-backends.js';
import { wasmFilesBesideModule } from './runtime/wasm-files.js';

carryBackends({ cpu, webgl, wasm, wasmFiles: wasmFilesBesideModule() });

export * from './public-api.js';
