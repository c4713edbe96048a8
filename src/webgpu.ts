/**
 * The npm entry webnn-tfjs-polyfill/webgpu: the API of webnn-tfjs-polyfill with the TF.js webgpu, wasm and cpu
 * backends. A context runs on webgpu only when it asks for `tfjsBackend: 'webgpu'` (and `navigator.gpu` gives an adapter
 * and a device), or is made on the app's own device with `navigator.ml.createContext(gpuDevice)`; the others choose as
 * with webnn-tfjs-polyfill/wasm: wasm, then cpu.
 */
import * as cpu from '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as webgpu from '@tensorflow/tfjs-backend-webgpu';
import { carryBackends } from './runtime/carried-backends.js';
import { carryWebgpuBackendClass } from './runtime/gpu-device-backend.js';
import { wasmFilesBesideModule } from './runtime/wasm-files.js';

carryBackends({ cpu, webgpu, wasm, wasmFiles: wasmFilesBesideModule() });
carryWebgpuBackendClass(webgpu.WebGPUBackend);

export * from './public-api.js';
