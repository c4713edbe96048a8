/**
 * The npm entry with the four TF.js backends, webgpu, webgl, wasm and cpu: install() / installNow() put navigator.ml
 * and the ML* interfaces on the global object; the classes and every WebNN dictionary and enum type are exported as
 * well. webnn-tfjs-polyfill/webgpu, /wasm, /webgl and /cpu export the same and carry fewer backends.
 */
import * as cpu from '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as webgl from '@tensorflow/tfjs-backend-webgl';
import * as webgpu from '@tensorflow/tfjs-backend-webgpu';
import { carryBackends } from './runtime/carried-backends.js';
import { wasmFilesBesideModule } from './runtime/wasm-files.js';

carryBackends({ cpu, webgpu, webgl, wasm, wasmFiles: wasmFilesBesideModule() });

export * from './public-api.js';
