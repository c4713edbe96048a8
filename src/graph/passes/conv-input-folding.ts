import type { Conv2dAttrs } from '../../ops/conv2d.js';
import type { GraphNode, OperandRef } from '../ir.js';
import {
  applyRewrites, channelVectorNode, internalNode, isConstant, perChannelConstant, type Rewrite, soleReaderOf,
} from './fusion-util.js';

/**
 * A mul by a constant and an add of a constant (one value, or one per channel) right before a conv2d with constant
 * weights, and read by nothing else, fold into the convolution once at build, as normalization folding does after it:
 * conv(u * a, W) = conv(u, W * a), the factor applied along the filter's input channels; conv(u + b, W) = conv(u, W)
 * + (the sum of W * b over each output's window and input channels), exact only where the window never reaches
 * padding, so an add folds only into convolutions without padding. Models exported from PaddlePaddle put such a
 * learnable affine step after most activations (PP-OCRv4: two kernels each). Plain and depthwise convolutions; the
 * results equal the unfolded ones up to float32 rounding.
 */
export function foldConvInputs(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const soleReader = soleReaderOf(order, outputs);
  // From the nodes themselves: an earlier pass may have rebuilt a value's producer, leaving the value's source behind.
  const producer = new Map<OperandRef, GraphNode>();
  for (const n of order) for (const o of n.outputs) producer.set(o, n);
  const rewrites: Rewrite[] = [];
  for (const node of order) {
    if (node.op !== 'conv2d' || node.attrs['fused'] || node.inputs.length > 3 || node.outputs.length !== 1) continue;
    const attrs = node.attrs as unknown as Conv2dAttrs;
    const [input, filter, bias] = node.inputs;
    if (attrs.kind === 'grouped' || !input || !filter || !isConstant(filter) || (bias && !isConstant(bias))) continue;
    const dataType = filter.desc.dataType;
    if (dataType !== 'float32' && dataType !== 'float16') continue;
    const channelAxis = attrs.inputLayout === 'nchw' ? 1 : 3;
    const channels = filter.desc.shape[2]!;
    const unpadded = attrs.padding.every((p) => p === 0);
    const made: GraphNode[] = [];
    const replaced: GraphNode[] = [];
    let value = input;
    let weights = filter;
    let shiftedBias: OperandRef | null = bias ?? null;
    for (;;) {
      const step = producer.get(value);
      if (!step || (step.op !== 'mul' && step.op !== 'add') || soleReader(value) !== (replaced[0] ?? node)) break;
      const [a, b] = step.inputs;
      // perChannelConstant(step, x) is the other input when x is the data and the other a fitting constant.
      const besideA = a ? perChannelConstant(step, a, channelAxis) : null;
      const besideB = !besideA && b ? perChannelConstant(step, b, channelAxis) : null;
      const [data, constant] = besideA ? [a!, besideA] : [b ?? null, besideB];
      if (!data || !constant || isConstant(data) || constant.desc.dataType !== dataType || (step.op === 'add' && !unpadded)) break;
      const vector = constant.desc.shape.some((d) => d !== 1) ? channelVectorNode(constant, channels) : null;
      if (vector) made.push(vector);
      const per = vector?.outputs[0] ?? constant;
      if (step.op === 'mul') {
        const scaled = vector
          ? internalNode('batchNormalization.scaledWeights', [weights, per], { shape: [channels, 1] }, weights.desc, weights)
          : internalNode('mul', [weights, per], {}, weights.desc, weights);
        made.push(scaled);
        weights = scaled.outputs[0]!;
      } else {
        const shifted = internalNode('conv.inputShiftBias', [weights, per, shiftedBias], { kind: attrs.kind, outputChannels: attrs.outputChannels },
          { dataType, shape: [attrs.outputChannels] }, node.outputs[0]!);
        made.push(shifted);
        shiftedBias = shifted.outputs[0]!;
      }
      replaced.unshift(step);
      value = data;
    }
    if (!replaced.length) continue;
    rewrites.push({ replaced: [...replaced, node], nodes: [...made, { ...node, inputs: [value, weights, shiftedBias] }] });
  }
  return applyRewrites(order, rewrites);
}
