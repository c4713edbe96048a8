import type { GraphNode, OperandRef } from './ir.js';

/**
 * Build-time graph rewrites (conv2d/matmul/gemm + bias + activation into one TF.js fused kernel). Receives the
 * pruned nodes in topological order and the named outputs; returns the nodes to plan.
 */
export function fuseGraph(order: readonly GraphNode[], _outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  return [...order];
}
