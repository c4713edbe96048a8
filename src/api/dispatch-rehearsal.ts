/**
 * The first graph a page, worker or process builds on each backend is dispatched once more before build() resolves,
 * through createTensor(), writeTensor(), dispatch() and readTensor() themselves, on zeros. Their first calls compile
 * their JavaScript, and on webgl the first read sets up TF.js's readback: one-time work of 0.1 to 3 ms that the first
 * dispatch of that graph would otherwise pay (in Chromium, a one-add graph on wasm: 1 ms first, 10 us later), where the
 * graph's own one-time work is done by Plan.warmUp(). A later graph finds that code compiled.
 */
import type { BackendName } from '../runtime/backends.js';
import { faultsArmed } from '../runtime/faults.js';
import { elementCount, type OperandDescriptor } from '../graph/ir.js';
import { byteSizeOf } from '../types/data-type.js';
import { MLContext, type MLNamedTensors } from './context.js';
import type { MLGraph } from './graph.js';
import type { ContextState, GraphState } from './internals.js';
import type { MLTensor } from './tensor.js';

// Taken as the module loads, before an app could wrap them (as a benchmark counting dispatches does).
const { createTensor, writeTensor, dispatch, readTensor } = MLContext.prototype;

/** The backends whose first graph has been rehearsed (tests clear it to watch a rehearsal, or fill it to avoid one). */
export const rehearsedBackends = new Set<BackendName>();

/** Cycles beyond the first while cycles keep getting faster, and the time they may take. */
const REHEARSAL_MAX_EXTRA_CYCLES = 8;
const REHEARSAL_EXTRA_MS = 10;

const byteLength = (desc: OperandDescriptor) => elementCount(desc.shape) * byteSizeOf(desc.dataType);

/**
 * Rehearses a dispatch of `graph` (whose state is `state`) on `context`, if it is the first graph of its backend and
 * its warm-up ran to the end; what fails here is left to the app's own dispatches, which meet it on their inputs.
 */
export async function rehearseFirstDispatch(context: MLContext, ctx: ContextState, graph: MLGraph, state: GraphState): Promise<void> {
  const plan = state.plan;
  if (!plan?.warmedUp || rehearsedBackends.has(ctx.backend) || ctx.device || faultsArmed()) return;
  rehearsedBackends.add(ctx.backend);
  const made: MLTensor[] = [];
  const make = async (desc: OperandDescriptor, usage: { writable?: boolean; readable?: boolean }) => {
    const tensor = await createTensor.call(context, { dataType: desc.dataType, shape: [...desc.shape], ...usage });
    made.push(tensor);
    return tensor;
  };
  try {
    const inputs: MLNamedTensors = {};
    const outputs: MLNamedTensors = {};
    for (const [name, desc] of state.inputs) inputs[name] = await make(desc, { writable: true });
    for (const [name, desc] of state.outputs) outputs[name] = await make(desc, { readable: true });
    const zeros = [...state.inputs].map(([name, desc]) => [inputs[name]!, new Uint8Array(byteLength(desc))] as const);
    const views = [...state.outputs].map(([name, desc]) => [outputs[name]!, new Uint8Array(byteLength(desc))] as const);
    const cycle = async (): Promise<number> => {
      const start = performance.now();
      for (const [tensor, bytes] of zeros) writeTensor.call(context, tensor, bytes);
      dispatch.call(context, graph, inputs, outputs);
      await Promise.all(views.map(([tensor, view]) => readTensor.call(context, tensor, view)));
      return performance.now() - start;
    };
    // Again while cycles keep getting markedly faster (V8 compiling the code further as it runs), within a budget.
    let last = await cycle();
    for (let spent = 0, runs = 0; runs < REHEARSAL_MAX_EXTRA_CYCLES && spent + last <= REHEARSAL_EXTRA_MS; runs++) {
      const next = await cycle();
      spent += next;
      const settled = next > 0.8 * last;
      last = next;
      if (settled) break;
    }
  } catch {
    // Left to the app's dispatches.
  } finally {
    for (const tensor of made) tensor.destroy();
  }
  // The tensors' memory is released on the timeline: gone before build() resolves.
  await ctx.enqueue('MLGraphBuilder.build', () => undefined).catch(() => undefined);
}
