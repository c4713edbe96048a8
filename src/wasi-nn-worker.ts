/**
 * The npm entry webnn-tfjs-polyfill/wasi-nn-worker: the wasi-nn imports of a module run in a worker that blocks on
 * each call while the thread owning the WebNN context (serveWasiNn from webnn-tfjs-polyfill/wasi-nn) answers it.
 */
export { NnErrno, WASI_NN_MODULE } from './wasi-nn/abi.js';
export type { WasiNnBinding, WasiNnImportObject } from './wasi-nn/binding.js';
export { blockingWasiNnImports, type BlockingOptions, type CallPort } from './wasi-nn/worker-client.js';
