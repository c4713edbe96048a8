import { checkCreateToken, CREATE, finishInterface } from './interface.js';
import { graphSlots, type GraphState } from './internals.js';

export class MLGraph {
  constructor(...args: unknown[]) {
    checkCreateToken(args[0]);
    graphSlots.set(this, args[1] as GraphState);
  }

  destroy(): void {
    graphSlots.get(this, 'MLGraph.destroy').destroy();
  }
}
finishInterface(MLGraph, 'MLGraph');

export function createGraphObject(state: GraphState): MLGraph {
  return new MLGraph(CREATE, state);
}
