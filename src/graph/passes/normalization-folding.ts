import type { Conv2dAttrs } from '../../ops/conv2d.js';
import type { GemmAttrs } from '../../ops/gemm.js';
import type { GraphNode, OperandRef } from '../ir.js';
import {
  applyRewrites, channelVectorNode, clampNode, filledConstant, freshValue, internalNode, isConstant, perChannelConstant,
  type Rewrite, type SoleReader, soleReaderOf,
} from './fusion-util.js';

/**
 * Per-channel affine steps after a conv2d, matmul or gemm with constant weights are folded into the weights and the
 * bias, once at build: a batchNormalization along the channel axis with constant mean, variance, scale and bias
 * ((x - mean) * factor + bias, factor = scale / sqrt(variance + epsilon)), a mul by a per-channel constant, an add of
 * one. With y = x W + b0 followed by (y - mean) * factor + shift, the node becomes x (W * factor) + ((b0 - mean) *
 * factor + shift): the weights are scaled along their output-channel axes (HWIO's O, depthwise [h, w, C, M]'s C and
 * M, a matrix's columns) and the bias is a new constant; later passes fuse what follows (relu, ...) into the kernel.
 * A hardSigmoid (clamp(alpha * y + beta, 0, 1)) folds the same way and leaves its clamp(0, 1), which the convolution
 * fusion then runs as the kernel's relu and a min: 2 kernels instead of 5 in every squeeze-and-excitation block.
 * A matmul becomes a gemm (c: the folded bias). A step is folded only when the value before it has that step as its
 * sole reader and is not a graph output. The results equal the unfolded ones up to float32 rounding (the products
 * are associated differently).
 */
export function foldNormalizations(order: readonly GraphNode[], outputs: ReadonlyMap<string, OperandRef>): GraphNode[] {
  const soleReader = soleReaderOf(order, outputs);
  const rewrites: Rewrite[] = [];
  for (const node of order) {
    const made: GraphNode[] = [];
    let target = foldTarget(node, made);
    if (!target) continue;
    const replaced = [node];
    let clamp: GraphNode | null = null;
    while (!clamp) {
      const step = affineStep(soleReader, target, made);
      if (!step) break;
      replaced.push(step.node);
      target = fold(target, step, made);
      clamp = step.clamp ? clampOf(target, step) : null;
    }
    if (target.node !== node) rewrites.push({ replaced, nodes: [...made, target.node, ...(clamp ? [clamp] : [])] });
  }
  return applyRewrites(order, rewrites);
}

/** A node whose weights and bias can take per-channel steps, and how. */
interface FoldTarget {
  readonly node: GraphNode;
  /** Axis of the output holding the channels. */
  readonly channelAxis: number;
  readonly channels: number;
  /** Shape the factor takes to line up with the weights' output-channel axes. */
  readonly factorShape: readonly number[];
  readonly weights: OperandRef;
  /** The bias as a [channels] constant, or null. */
  readonly bias: OperandRef | null;
  /** The node computing x weights + bias. */
  readonly rebuild: (weights: OperandRef, bias: OperandRef) => GraphNode;
}

/** The fold target `node` is, if it is one; nodes computing its bias at build are added to `made`. */
function foldTarget(node: GraphNode, made: GraphNode[]): FoldTarget | null {
  if (node.outputs.length !== 1 || node.attrs['fused']) return null;
  const [x, weights, bias] = node.inputs;
  if (!x || !weights || !isConstant(weights) || (bias && !isConstant(bias))) return null;
  const output = node.outputs[0]!;
  const rebuilt = (inputs: (OperandRef | null)[], attrs: Record<string, unknown>, op = node.op): GraphNode =>
    ({ id: node.id, op, inputs, attrs, outputs: [], label: node.label });
  if (node.op === 'conv2d') {
    if (node.inputs.length > 3) return null;
    const attrs = node.attrs as unknown as Conv2dAttrs;
    const w = weights.desc.shape;
    return {
      node, channelAxis: attrs.inputLayout === 'nchw' ? 1 : 3, channels: attrs.outputChannels, weights, bias: bias ?? null,
      // The kernel-layout filter: HWIO, or [h, w, C, M] for depthwise convolutions (output channel c * M + m).
      factorShape: attrs.kind === 'depthwise' ? [w[2]!, w[3]!] : [w[3]!],
      rebuild: (newWeights, newBias) => rebuilt([x, newWeights, newBias], { ...node.attrs }),
    };
  }
  const shape = output.desc.shape;
  const columns = shape[shape.length - 1]!;
  if (node.op === 'matmul' && shape.length === 2 && weights.desc.shape.length === 2) {
    return {
      node, channelAxis: 1, channels: columns, weights, bias: null, factorShape: [columns],
      rebuild: (newWeights, newBias) =>
        rebuilt([x, newWeights, newBias], { alpha: 1, beta: 1, aTranspose: false, bTranspose: false }, 'gemm'),
    };
  }
  if (node.op !== 'gemm') return null;
  const attrs = node.attrs as unknown as GemmAttrs;
  if (bias && bias.desc.shape.some((d, i) => d !== 1 && i !== bias.desc.shape.length - 1)) return null;
  return {
    node, channelAxis: 1, channels: columns, weights, bias: bias ? gemmBias(bias, attrs.beta, columns, made) : null,
    factorShape: attrs.bTranspose ? [columns, 1] : [columns],
    rebuild: (newWeights, newBias) => rebuilt([x, newWeights, newBias], { ...attrs, beta: 1 }),
  };
}

/** gemm's beta * c as a [columns] constant (nodes computed at build, added to `made`). */
function gemmBias(c: OperandRef, beta: number, columns: number, made: GraphNode[]): OperandRef {
  let scaled = c;
  if (beta !== 1) {
    const node = internalNode('gemm.scaledC', [c], { beta }, c.desc, c);
    made.push(node);
    scaled = node.outputs[0]!;
  }
  const vector = channelVectorNode(scaled, columns);
  made.push(vector);
  return vector.outputs[0]!;
}

/**
 * One step (y - mean) * factor + shift on the target's output; null members are absent (0, 1, 0). With `clamp`, the
 * step's node goes on to clamp the result to [min, max] (hardSigmoid), which a clamp node after the target does.
 */
interface AffineStep {
  readonly node: GraphNode;
  readonly mean: OperandRef | null;
  readonly factor: OperandRef | null;
  readonly shift: OperandRef | null;
  readonly clamp?: { readonly minValue: number; readonly maxValue: number };
}

function affineStep(soleReader: SoleReader, target: FoldTarget, made: GraphNode[]): AffineStep | null {
  const output = target.node.outputs[0]!;
  const next = soleReader(output);
  if (!next || next.outputs.length !== 1) return null;
  const vector = (ref: OperandRef): OperandRef => {
    if (ref.desc.shape.length === 1 && ref.desc.shape[0] === target.channels) return ref;
    const node = channelVectorNode(ref, target.channels);
    made.push(node);
    return node.outputs[0]!;
  };
  if (next.op === 'batchNormalization') {
    const [input, mean, factor, shift] = next.inputs;
    if (input !== output || next.attrs['axis'] !== target.channelAxis) return null;
    if (!mean || !factor || !isConstant(mean) || !isConstant(factor) || (shift && !isConstant(shift))) return null;
    return { node: next, mean, factor, shift: shift ?? null };
  }
  if (next.op === 'hardSigmoid') return hardSigmoidStep(next, output, target.channels);
  if (next.op !== 'mul' && next.op !== 'add') return null;
  const constant = perChannelConstant(next, output, target.channelAxis);
  if (!constant) return null;
  return next.op === 'mul'
    ? { node: next, mean: null, factor: vector(constant), shift: null }
    : { node: next, mean: null, factor: null, shift: vector(constant) };
}

function hardSigmoidStep(node: GraphNode, output: OperandRef, channels: number): AffineStep | null {
  const { alpha, beta } = node.attrs;
  if (node.inputs[0] !== output || typeof alpha !== 'number' || typeof beta !== 'number') return null;
  const dataType = output.desc.dataType;
  if (dataType !== 'float32' && dataType !== 'float16') return null;
  return {
    node, mean: null, factor: filledConstant(output, dataType, [channels], alpha), shift: filledConstant(output, dataType, [channels], beta),
    clamp: { minValue: 0, maxValue: 1 },
  };
}

/** The clamp that ends a clamping step: it reads the folded target's output (a fresh value) and gives the step's. */
function clampOf(target: FoldTarget, step: AffineStep): GraphNode {
  const output = target.node.outputs[0]!;
  const folded = freshValue(output, target.node);
  target.node.outputs[0] = folded;
  return clampNode(folded, output, step.clamp!.minValue, step.clamp!.maxValue, step.node);
}

/** The target computing its output followed by `step`. */
function fold(target: FoldTarget, step: AffineStep, made: GraphNode[]): FoldTarget {
  let weights = target.weights;
  if (step.factor) {
    const scaled = internalNode('batchNormalization.scaledWeights', [target.weights, step.factor], { shape: target.factorShape },
      target.weights.desc, target.weights);
    made.push(scaled);
    weights = scaled.outputs[0]!;
  }
  const output = step.node.outputs[0]!;
  const biasNode = internalNode('batchNormalization.foldedBias', [target.bias, step.mean, step.factor, step.shift], {},
    { dataType: output.desc.dataType, shape: [target.channels] }, output);
  made.push(biasNode);
  const bias = biasNode.outputs[0]!;
  const node = target.rebuild(weights, bias);
  node.outputs.push(output);
  return { ...target, node, weights, bias };
}
