/** Loading an ONNX model on a test context and computing it, with the inputs given as numbers. */
import { contextFor } from '../util/harness.js';
import type { BackendName } from '../../src/runtime/backends.js';
import { MLModelLoader, type MLModelLoadOptions } from '../../src/model-loader.js';
import { float16BitsToNumber } from '../../src/types/float16.js';

export interface ModelInput {
  shape: number[];
  data: ArrayBufferView;
}

export interface ModelOutput {
  dataType: string;
  shape: number[];
  data: number[];
}

export async function loadModel(backend: BackendName, bytes: Uint8Array, options: MLModelLoadOptions = {}) {
  const context = await contextFor(backend);
  return new MLModelLoader(context).load(bytes, options);
}

export async function runModel(backend: BackendName, bytes: Uint8Array, inputs: Record<string, ModelInput>,
  options: MLModelLoadOptions = {}): Promise<Record<string, ModelOutput>> {
  const model = await loadModel(backend, bytes, options);
  try {
    const given = Object.fromEntries(Object.entries(inputs).map(([name, v]) => [name, { data: v.data, dimensions: v.shape }]));
    const outputs = await model.compute(given);
    const types = new Map(model.outputs().map((o) => [o.name, o.type]));
    return Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, {
      dataType: types.get(name)!,
      shape: [...o.dimensions],
      data: o.data instanceof Uint16Array && types.get(name) === 'float16' ? Array.from(o.data, float16BitsToNumber)
        : Array.from(o.data as unknown as ArrayLike<number | bigint>, Number),
    }]));
  } finally {
    model.destroy();
  }
}
