/**
 * The npm entry webnn-tfjs-polyfill/wasi-nn: a host for wasm32-wasi programs written against wasi-nn (phase 1,
 * `wasi_ephemeral_nn`), loading their ONNX models onto WebNN. Like /model-loader it carries no backend: contexts come
 * from navigator.ml (a browser's WebNN, or the polyfill's once installed) or from the createContext option. A worker
 * that runs the module imports webnn-tfjs-polyfill/wasi-nn-worker instead, which carries neither WebNN nor the importer.
 */
export * from './wasi-nn/index.js';
