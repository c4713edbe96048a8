/** In the browser bundle: no model files nor ORT session here (the real-model tests run in Node). */
import type { ReferenceOutput } from './ort-reference.js';

export type { ReferenceOutput };

export const referenceAvailable = false;

export function packageFile(): Uint8Array {
  throw new Error('package files are read in Node only');
}

export function ortOutputs(): Promise<Record<string, ReferenceOutput>> {
  return Promise.reject(new Error('the ORT reference runs in Node only'));
}
