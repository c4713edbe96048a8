/**
 * The script-tag (and importScripts) entry with webgpu, dist/webnn-polyfill-webgpu.js: webnn-polyfill.js (webgl, wasm,
 * cpu) and TF.js's webgpu backend, which GPU contexts use first where `navigator.gpu` gives a hardware adapter (and
 * any context asking for `tfjsBackend: 'webgpu'`, or made from a GPUDevice).
 */
import './carry-webgpu.js';

export * from './global.js';
