import type { GraphNode, OperandRef } from '../ir.js';
import { fuseConvolutions } from './conv-fusion.js';
import { recognizeDecompositions } from './decompositions.js';
import { fuseMatmuls } from './matmul-fusion.js';
import { foldNormalizations } from './normalization-folding.js';
import { foldConvInputs } from './conv-input-folding.js';
import { scaleHardSwishes } from './hard-swish-scaling.js';
import { makeScalarsConstant } from './scalar-constants.js';
import { fuseNormalizationActivations } from './normalization-activation.js';
import { optimizeLayout } from './layout.js';

/**
 * The build-time rewrites, in order, over the pruned nodes in topological order. Each pass is a function of its own
 * file that takes nodes and named outputs and returns the nodes to plan; every pass keeps the graph's outputs (the
 * same OperandRefs) and computes the same values.
 */
export function optimizeGraph(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const laidOut = optimizeLayout(order, outputs);
  const recognized = fuseNormalizationActivations(recognizeDecompositions(laidOut, outputs), outputs);
  const folded = foldConvInputs(foldNormalizations(recognized, outputs), outputs);
  const scaled = scaleHardSwishes(folded, outputs);
  const convolutions = fuseConvolutions(scaled, outputs);
  const products = fuseMatmuls(convolutions, outputs);
  return makeScalarsConstant(products, outputs);
}
