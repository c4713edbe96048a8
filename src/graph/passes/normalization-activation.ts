import type { NormalizationActivation } from '../../ops/normalization.js';
import type { GraphNode, OperandRef } from '../ir.js';
import { activationOf, applyRewrites, type Rewrite, soleReaderOf } from './fusion-util.js';

/**
 * A layerNormalization whose result only a relu, sigmoid, leakyRelu or elu reads (and is not a graph output) takes
 * that activation in: on wasm and cpu its kernel of ours applies it in the same pass over the values (one kernel
 * instead of two; transformer and keyword-spotting blocks end in LayerNorm + ReLU), elsewhere its lowering applies it
 * as the activation's own operation would.
 */
export function fuseNormalizationActivations(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const soleReader = soleReaderOf(order, outputs);
  const rewrites: Rewrite[] = [];
  for (const node of order) {
    if (node.op !== 'layerNormalization' || node.attrs['activation'] || node.outputs.length !== 1) continue;
    const normalized = node.outputs[0]!;
    const next = soleReader(normalized);
    const activation = next ? takenIn(next, normalized) : null;
    if (!next || !activation) continue;
    rewrites.push({ replaced: [node, next], nodes: [{ ...node, attrs: { ...node.attrs, activation }, outputs: [next.outputs[0]!] }] });
  }
  return applyRewrites(order, rewrites);
}

function takenIn(node: GraphNode, value: OperandRef): NormalizationActivation | null {
  const fusable = activationOf(node, value, value.desc.shape.length - 1);
  switch (fusable?.activation.kind) {
    case 'relu': return node.op === 'relu' ? { op: 'relu' } : null;
    case 'sigmoid': return { op: 'sigmoid' };
    case 'leakyrelu': return { op: 'leakyRelu', alpha: fusable.activation.alpha };
    case 'elu': return { op: 'elu', alpha: 1 };
    default: return null;
  }
}
