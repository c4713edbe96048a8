/** Helpers of the API tests: fresh contexts, typed access to the installed interfaces, independent float16 decoding. */
import '../util/harness.js';
import type { MLGraphBuilder, ML, MLContext, MLContextOptions, MLOperand, MLTensor } from '../../src/index.js';
import type { BackendName } from '../../src/runtime/backends.js';
import { contextSlots } from '../../src/api/internals.js';

export function ml(): ML {
  return (navigator as unknown as { ml: ML }).ml;
}

/** A context of its own (tests that destroy their context must not share it). */
export function newContext(backend: BackendName, options: MLContextOptions = {}): Promise<MLContext> {
  return ml().createContext({ ...options, tfjsBackend: backend });
}

export function newBuilder(context: MLContext): MLGraphBuilder {
  const Builder = (globalThis as unknown as { MLGraphBuilder: new (c: MLContext) => MLGraphBuilder }).MLGraphBuilder;
  return new Builder(context);
}

/** The TF.js backend a context runs on (internal: the API does not expose it). */
export function backendOf(context: MLContext): BackendName {
  return contextSlots.get(context, 'test').backend;
}

/** `a + b` (float32, shape [n]) as a graph, with its tensors. */
export async function addGraph(context: MLContext, n = 4, dataType: 'float32' | 'int32' = 'float32') {
  const b = newBuilder(context);
  const desc = { dataType, shape: [n] };
  const x = b.input('x', desc);
  const y = b.input('y', desc);
  const graph = await b.build({ out: b.add(x, y) });
  const [tx, ty, out] = await Promise.all([
    context.createTensor({ ...desc, writable: true }),
    context.createTensor({ ...desc, readable: true, writable: true }),
    context.createTensor({ ...desc, readable: true }),
  ]);
  return { graph, x: tx, y: ty, out, desc };
}

export async function readFloat32(context: MLContext, tensor: MLTensor): Promise<number[]> {
  return Array.from(new Float32Array(await context.readTensor(tensor)));
}

/** Whether `p` has settled, observed after the microtasks queued so far (no timers). */
export async function settledState(p: Promise<unknown>): Promise<'pending' | 'fulfilled' | string> {
  let state = 'pending';
  p.then(() => { state = 'fulfilled'; }, (e: Error) => { state = e.name; });
  await Promise.resolve();
  await Promise.resolve();
  return state;
}

export { halfToNumber, nearestHalf } from '../types/half-reference.js';

export type { MLOperand };
