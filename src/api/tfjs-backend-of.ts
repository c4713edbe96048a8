/** Which TF.js backend a context computes on: not part of WebNN, so kept off the spec's interfaces. */
import type { MLContext } from './context.js';
import { contextSlots } from './internals.js';

/**
 * The TF.js backend `context` runs on, chosen when it was created (by `tfjsBackend`, or the first backend that started
 * in the order its options give); it stays the same for the context's lifetime. Throws a TypeError for anything but
 * an MLContext of this polyfill. (The union is written out: the public types import nothing of TF.js's.)
 */
export function tfjsBackendOf(context: MLContext): 'webgpu' | 'webgl' | 'wasm' | 'cpu' {
  return contextSlots.get(context, 'tfjsBackendOf: context').backend;
}
