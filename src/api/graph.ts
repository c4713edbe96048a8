import { invalidStateError, typeError } from '../errors.js';
import { checkCreateToken, CREATE, finishInterface } from './interface.js';
import { graphSlots, releaseWhenCollected, type GraphState } from './internals.js';
import { whenDynamicShapesChange } from './proposal.js';
import { requireArgs, toRecord, toUnsignedLongSequence } from '../webidl.js';

/** record<USVString, sequence<unsigned long>>: shapes by input or output name (the dynamic-shape proposal). */
export type MLNamedShapes = Record<string, number[]>;

export class MLGraph {
  constructor(...args: unknown[]) {
    checkCreateToken(args[0]);
    graphSlots.set(this, args[1] as GraphState);
  }

  /** Marks the graph destroyed (dispatch() then throws an InvalidStateError); its memory is released after the
   * dispatches already enqueued. Idempotent. */
  destroy(): void {
    graphSlots.get(this, 'MLGraph.destroy').destroy();
  }
}
finishInterface(MLGraph, 'MLGraph');

/** A graph without symbolic inputs computes the shapes it was built with, for exactly its input shapes. */
function staticOutputShapes(where: string, g: GraphState, shapes: ReadonlyMap<string, readonly number[]>): MLNamedShapes {
  for (const name of shapes.keys()) if (!g.inputs.has(name)) throw typeError(where, `inputShapes['${name}'] is not one of the graph's inputs`);
  for (const [name, desc] of g.inputs) {
    const shape = shapes.get(name);
    if (!shape) throw typeError(where, `inputShapes has no '${name}'`);
    if (shape.length !== desc.shape.length || shape.some((d, i) => d !== desc.shape[i])) {
      throw typeError(where, `inputShapes['${name}'] is [${shape.join(', ')}], the graph's input is [${desc.shape.join(', ')}]`);
    }
  }
  return Object.fromEntries([...g.outputs].map(([name, desc]) => [name, [...desc.shape]]));
}

/**
 * MLGraph.computeShapes(inputShapes) of the dynamic-shape proposal: the shape of every output for these input shapes,
 * computed at once, on the CPU (nothing runs on the device). TypeError when the shapes do not fit the graph.
 */
function computeShapes(this: MLGraph, inputShapes: unknown): MLNamedShapes {
  const where = 'MLGraph.computeShapes';
  requireArgs(where, arguments, 1);
  const g = graphSlots.get(this, where);
  const shapes = toRecord(where, 'inputShapes', inputShapes, (v, key) => toUnsignedLongSequence(where, `inputShapes['${key}']`, v));
  if (g.destroyed) throw invalidStateError(where, 'graph has been destroyed');
  if (!g.dynamic) return staticOutputShapes(where, g, shapes);
  const resolved = g.dynamic.resolve(where, shapes, 'inputShapes');
  return Object.fromEntries([...resolved.outputs].map(([name, ref]) => [name, [...ref.desc.shape]]));
}

whenDynamicShapesChange((enabled) => {
  if (enabled) Object.defineProperty(MLGraph.prototype, 'computeShapes', { value: computeShapes, writable: true, configurable: true, enumerable: true });
  else delete (MLGraph.prototype as unknown as Record<string, unknown>)['computeShapes'];
});

/** @internal */
export function createGraphObject(state: GraphState): MLGraph {
  const graph = new MLGraph(CREATE, state);
  releaseWhenCollected(graph, state);
  return graph;
}
