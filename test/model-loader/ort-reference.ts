/**
 * Model files of npm packages and their outputs computed by ONNX Runtime Web's wasm execution provider, the reference
 * the importer's results are held to. In Node; the browser bundle uses ort-reference.browser.ts instead.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Package exports do not list model files: they are read from the project's node_modules.
const nodeModules = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');

export const referenceAvailable = true;

/** A file of an installed package, by package path ('openwakeword-js/models/hello_deepa.onnx'). */
export function packageFile(path: string): Promise<Uint8Array> {
  return Promise.resolve(new Uint8Array(readFileSync(join(nodeModules, path))));
}

export interface ReferenceOutput {
  shape: number[];
  data: number[];
}

/** The model's outputs from ORT-web's wasm EP (one thread), for float32 inputs. */
export async function ortOutputs(bytes: Uint8Array, inputs: Record<string, { shape: number[]; data: Float32Array }>,
  freeDimensionOverrides: Record<string, number> = {}): Promise<Record<string, ReferenceOutput>> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], freeDimensionOverrides });
  try {
    const feeds = Object.fromEntries(Object.entries(inputs).map(([name, v]) => [name, new ort.Tensor('float32', v.data, v.shape)]));
    const results = await session.run(feeds);
    return Object.fromEntries(Object.entries(results).map(([name, t]) =>
      [name, { shape: [...t.dims], data: Array.from(t.data as Float32Array) }]));
  } finally {
    await session.release();
  }
}
