import { checkCreateToken, CREATE, finishInterface } from './interface.js';
import { graphSlots, releaseWhenCollected, type GraphState } from './internals.js';

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

export function createGraphObject(state: GraphState): MLGraph {
  const graph = new MLGraph(CREATE, state);
  releaseWhenCollected(graph, state);
  return graph;
}
