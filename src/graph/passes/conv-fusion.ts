import type { Conv2dAttrs } from '../../ops/conv2d.js';
import type { GraphNode, OperandRef } from '../ir.js';
import {
  activationOf, applyRewrites, channelVectorNode, clampCeilingOf, clampNode, freshValue, internalNode, isConstant,
  perChannelConstant, readBySums, readersOf, type Rewrite, soleReaderOf,
} from './fusion-util.js';

/**
 * A conv2d, optionally followed by an add of a per-channel constant and then by relu, clamp(0, 6), clamp(0, +Infinity),
 * sigmoid, leakyRelu, elu(alpha 1) or prelu with a per-channel constant slope, becomes one conv2d node that TF.js
 * runs as tf.fused.conv2d / tf.fused.depthwiseConv2d (bias and activation inside the kernel). A clamp(0, max) with
 * another finite max becomes the kernel's relu and a clamp(-Infinity, max) after it. A step is absorbed
 * only when the value before it has that step as its sole reader and is not a graph output, so nothing else can
 * observe the intermediate results that disappear.
 *
 * Receives the pruned nodes in topological order and the named outputs; returns the nodes to plan.
 */
export function fuseConvolutions(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const soleReader = soleReaderOf(order, outputs);
  const readers = readersOf(order, outputs);
  const rewrites: Rewrite[] = [];
  for (const node of order) {
    if (node.op !== 'conv2d' || node.attrs['fused']) continue;
    const attrs = node.attrs as unknown as Conv2dAttrs;
    const channelAxis = attrs.inputLayout === 'nchw' ? 1 : 3;
    const convOutput = node.outputs[0]!;
    const replaced = [node];
    let tail = convOutput;
    let fusedBias: OperandRef | null = null;
    let next = soleReader(tail);
    const bias = next?.op === 'add' ? perChannelConstant(next, tail, channelAxis) : null;
    if (next && bias) {
      fusedBias = bias;
      replaced.push(next);
      tail = next.outputs[0]!;
      next = soleReader(tail);
    }
    const ceiling = next ? clampCeilingOf(next, tail) : null;
    const fusable = next ? (ceiling !== null ? { activation: { kind: 'relu' as const }, slope: null } : activationOf(next, tail, channelAxis)) : null;
    if (next && fusable) {
      replaced.push(next);
      tail = next.outputs[0]!;
    }
    const capped = next && ceiling !== null ? ceilingClamp(next, ceiling, node) : null;
    if (tail === convOutput) continue;
    const vector = fusedBias ? channelVectorNode(fusedBias, attrs.outputChannels) : null;
    // A constant bias option and the added constant are summed once at build, not by the lowering at every run.
    const biasOption = node.inputs[2] ?? null;
    const sum = vector && biasOption && isConstant(biasOption)
      ? internalNode('add', [biasOption, vector.outputs[0]!], {}, vector.outputs[0]!.desc, vector.outputs[0]!) : null;
    const slope = fusable?.slope ? channelVectorNode(fusable.slope, attrs.outputChannels) : null;
    rewrites.push({ replaced, nodes: [
      ...(vector ? [vector] : []),
      ...(sum ? [sum] : []),
      ...(slope ? [slope] : []),
      {
        id: node.id,
        op: 'conv2d',
        inputs: sum
          ? [node.inputs[0] ?? null, node.inputs[1] ?? null, sum.outputs[0]!, null, slope?.outputs[0] ?? null]
          : [node.inputs[0] ?? null, node.inputs[1] ?? null, biasOption, vector?.outputs[0] ?? null, slope?.outputs[0] ?? null],
        attrs: { ...node.attrs, activation: fusable?.activation, fused: true, zerosSummed: !capped && readBySums(tail, readers(tail)) },
        outputs: [capped ? capped.inputs[0]! : tail],
        label: node.label,
      },
      ...(capped ? [capped] : []),
    ] });
  }
  return applyRewrites(order, rewrites);
}

/** clamp(x, 0, max) as clamp(x', -Infinity, max), x' a fresh value: the convolution's relu(x). */
function ceilingClamp(clamp: GraphNode, max: number, conv: GraphNode): GraphNode {
  const result = clamp.outputs[0]!;
  return clampNode(freshValue(result, conv), result, -Infinity, max, clamp);
}
