/**
 * In the browser bundle: model files of npm packages served from node_modules by the test server (karma.conf.cjs), and
 * their outputs from ONNX Runtime Web's wasm execution provider, run from ORT's script bundle in a frame of its own.
 */
import { openOrtFrame, type OrtFrame } from '../browser/ort/ort-frame.js';
import type { ReferenceOutput } from './ort-reference.js';

export type { ReferenceOutput };

export const referenceAvailable = true;

export async function packageFile(path: string): Promise<Uint8Array> {
  const response = await fetch(`/base/node_modules/${path}`);
  if (!response.ok) throw new Error(`GET /base/node_modules/${path}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

let frame: Promise<OrtFrame> | undefined;

/** The model's outputs from ORT-web's wasm EP (one thread), for float32 inputs. */
export async function ortOutputs(bytes: Uint8Array, inputs: Record<string, { shape: number[]; data: Float32Array }>,
  freeDimensionOverrides: Record<string, number> = {}): Promise<Record<string, ReferenceOutput>> {
  frame ??= openOrtFrame();
  const { ort, inFrame, guard } = await frame;
  ort.env.wasm.numThreads = 1;
  const session = await guard(ort.InferenceSession.create(inFrame(bytes), { executionProviders: ['wasm'], freeDimensionOverrides }));
  try {
    const feeds = Object.fromEntries(Object.entries(inputs).map(([name, v]) => [name, new ort.Tensor('float32', inFrame(v.data), v.shape)]));
    const results = await guard(session.run(feeds));
    return Object.fromEntries(Object.entries(results).map(([name, t]) =>
      [name, { shape: [...t.dims], data: Array.from(t.data as Float32Array) }]));
  } finally {
    await session.release();
  }
}
