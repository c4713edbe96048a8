import type { GraphNode, OperandRef } from './ir.js';

/**
 * Walks back from the outputs: only what they need is kept (pruning), in an order where every node follows
 * its producers. Returns the nodes and the graph inputs reached, by name.
 */
export function reachableGraph(outputs: Iterable<OperandRef>): { order: GraphNode[]; inputs: Map<string, OperandRef> } {
  const order: GraphNode[] = [];
  const inputs = new Map<string, OperandRef>();
  const done = new Set<GraphNode>();
  const seenRefs = new Set<OperandRef>();
  // Iterative post-order so deep graphs cannot overflow the stack.
  const stack: { node: GraphNode; next: number }[] = [];
  const visitRef = (ref: OperandRef | null): void => {
    if (!ref || seenRefs.has(ref)) return;
    seenRefs.add(ref);
    if (ref.source.kind === 'input') inputs.set(ref.source.name, ref);
    else if (ref.source.kind === 'node' && !done.has(ref.source.node)) stack.push({ node: ref.source.node, next: 0 });
  };
  for (const out of outputs) {
    visitRef(out);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (done.has(top.node)) {
        stack.pop();
        continue;
      }
      if (top.next < top.node.inputs.length) {
        visitRef(top.node.inputs[top.next++] ?? null);
        continue;
      }
      stack.pop();
      done.add(top.node);
      order.push(top.node);
    }
  }
  return { order, inputs };
}
