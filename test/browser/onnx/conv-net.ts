/**
 * A small image classifier written as an ONNX model (opset 17): two convolution stages with a grouped, strided
 * convolution and a 1x1 shortcut joined by Add, then global average pooling and a softmax classifier.
 * Weights are deterministic pseudo-random numbers scaled so every activation stays of order 1.
 */
import { float, int, ints, OnnxModelWriter } from './model-writer.js';
import { seededRandom } from '../../util/seeded-random.js';

export const OPSET = 17;
export const IR_VERSION = 8;
export const INPUT_SHAPE = [2, 3, 16, 16] as const;
export const CLASSES = 10;


function uniform(random: () => number, count: number, scale: number): Float32Array {
  return Float32Array.from({ length: count }, () => (random() * 2 - 1) * scale);
}

/** An input image batch of INPUT_SHAPE, values in [-1, 1). */
export function randomImage(seed: number): Float32Array {
  return uniform(seededRandom(seed), INPUT_SHAPE.reduce((a, b) => a * b, 1), 1);
}

export interface ConvParams {
  weight: Float32Array;
  /** [outChannels, inChannels / groups, kernelH, kernelW] */
  shape: readonly [number, number, number, number];
  bias: Float32Array;
  strides: readonly [number, number];
  /** [top, left, bottom, right] as in ONNX */
  pads: readonly [number, number, number, number];
  groups: number;
}

export interface ConvNet {
  /** The serialized ModelProto. */
  model: Uint8Array;
  /** The model's nodes (op type and name), in order. */
  nodes: readonly { opType: string; name: string }[];
  conv1: ConvParams;
  conv2: ConvParams;
  shortcut: ConvParams;
  clipMax: number;
  cpuShrink: boolean;
  /** [CLASSES, 8] (Gemm transB = 1) */
  fcWeight: Float32Array;
  fcBias: Float32Array;
}

function convParams(random: () => number, shape: ConvParams['shape'], strides: ConvParams['strides'],
  pads: ConvParams['pads'], groups: number): ConvParams {
  const [outC, inPerGroup, kh, kw] = shape;
  const fanIn = inPerGroup * kh * kw;
  return {
    weight: uniform(random, outC * fanIn, Math.sqrt(6 / fanIn)),
    shape, bias: uniform(random, outC, 0.2), strides, pads, groups,
  };
}

export interface ConvNetOptions {
  seed?: number;
  /**
   * Soft-threshold the pooled stem features with ONNX Shrink (lambd = bias = SHRINK_LAMBDA, continuous), an operator
   * ONNX Runtime's WebNN provider does not implement: the session then splits the net across WebNN and its CPU
   * provider, and tensors cross between them.
   */
  cpuShrink?: boolean;
}

export const SHRINK_LAMBDA = 0.25;

export function buildConvNet({ seed = 20240531, cpuShrink = false }: ConvNetOptions = {}): ConvNet {
  const random = seededRandom(seed);
  const n = INPUT_SHAPE[0];
  const conv1 = convParams(random, [8, 3, 3, 3], [1, 1], [1, 1, 1, 1], 1);
  const conv2 = convParams(random, [8, 2, 3, 3], [2, 2], [1, 1, 1, 1], 4);
  const shortcut = convParams(random, [8, 8, 1, 1], [2, 2], [0, 0, 0, 0], 1);
  const fcWeight = uniform(random, CLASSES * 8, Math.sqrt(6 / 8));
  const fcBias = uniform(random, CLASSES, 0.2);
  const clipMax = 6;

  const m = new OnnxModelWriter(OPSET, IR_VERSION);
  const x = m.input('image', INPUT_SHAPE);
  const conv = (name: string, from: string, p: ConvParams) => m.node('Conv', name, [
    from,
    m.initializer(`${name}.weight`, p.shape, p.weight),
    m.initializer(`${name}.bias`, [p.shape[0]], p.bias),
  ], {
    kernel_shape: ints(p.shape.slice(2)), strides: ints(p.strides), pads: ints(p.pads),
    dilations: ints([1, 1]), group: int(p.groups),
  });

  const stem = m.node('Relu', 'stem_relu', [conv('stem_conv', x, conv1)]);
  const stemPool = m.node('MaxPool', 'stem_pool', [stem], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
  const pooled = cpuShrink
    ? m.node('Shrink', 'stem_shrink', [stemPool], { lambd: float(SHRINK_LAMBDA), bias: float(SHRINK_LAMBDA) })
    : stemPool;
  const branch = m.node('Clip', 'block_relu6', [
    conv('block_conv', pooled, conv2),
    m.initializer('clip.min', [], Float32Array.of(0)),
    m.initializer('clip.max', [], Float32Array.of(clipMax)),
  ]);
  const joined = m.node('Add', 'block_add', [branch, conv('shortcut_conv', pooled, shortcut)]);
  const gap = m.node('GlobalAveragePool', 'head_pool', [joined]);
  const flat = m.node('Flatten', 'head_flatten', [gap], { axis: int(1) });
  const logits = m.node('Gemm', 'logits', [
    flat, m.initializer('fc.weight', [CLASSES, 8], fcWeight), m.initializer('fc.bias', [CLASSES], fcBias),
  ], { transB: int(1), alpha: float(1), beta: float(1) });
  const probs = m.node('Softmax', 'probs', [logits], { axis: int(-1) });
  m.output(logits, [n, CLASSES]);
  m.output(probs, [n, CLASSES]);

  return { model: m.encode(), nodes: m.nodeSummary, conv1, conv2, shortcut, clipMax, cpuShrink, fcWeight, fcBias };
}
