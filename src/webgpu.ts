/**
 * The npm entry webnn-tfjs-polyfill/webgpu: the API of webnn-tfjs-polyfill with the TF.js webgpu, wasm and cpu
 * backends. GPU contexts (the default, high-performance, deviceType 'gpu') run on webgpu where `navigator.gpu` gives a
 * hardware adapter, and on wasm otherwise; a context asking for `tfjsBackend: 'webgpu'`, or made on the app's own
 * device with `navigator.ml.createContext(gpuDevice)`, runs on webgpu wherever WebGPU gives an adapter and a device.
 */
import './carry-webgpu.js';
import * as cpu from '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { carryBackends } from './runtime/carried-backends.js';
import { wasmFilesBesideModule } from './runtime/wasm-files.js';

carryBackends({ cpu, wasm, wasmFiles: wasmFilesBesideModule() });

export * from './public-api.js';
