/** Convolutions and pooling (2-D, and 1-D as 2-D with a height of one). */
import type { Converter, ConverterTable } from './converter.js';
import { forwardPads, spatialParams, webnnPadding, type SpatialParams } from './conv-padding.js';
import type { NodeImport } from './node-import.js';
import { reshapeTo } from './shape-values.js';
import { dimensionsOf, isStaticShape } from './symbolic.js';
import type { Operand } from './webnn-types.js';

/** 1-D operations run as 2-D ones on [N, C, 1, L]; 2-D ones as they are; others are refused. */
function spatialRankOf(n: NodeImport, input: Operand): 1 | 2 {
  const rank = input.shape.length;
  if (rank === 4) return 2;
  if (rank === 3) return 1;
  throw n.unsupported(`${rank - 2}-D inputs are not mapped (WebNN's convolutions and pools are 2-D)`);
}

const as2d = (n: NodeImport, x: Operand): Operand => {
  const [batch, channels, length] = dimensionsOf(x) as [number, number, number];
  return reshapeTo(n, x, [batch, channels, 1, length]);
};
const from2d = (n: NodeImport, y: Operand): Operand => {
  const [batch, channels, , length] = dimensionsOf(y) as [number, number, number, number];
  return reshapeTo(n, y, [batch, channels, length]);
};

/**
 * Whether the input's spatial sizes are named dimensions (the dynamic-shape proposal): then only what does not need
 * them at load time is mapped (explicit pads, WebNN's own output sizes).
 */
function namedSpatialSizes(n: NodeImport, input: Operand, needsSizes: boolean): boolean {
  const named = !isStaticShape(dimensionsOf(input).slice(2));
  if (named && (needsSizes || n.string('auto_pad', 'NOTSET').startsWith('SAME'))) {
    throw n.unsupported('its spatial sizes are named dimensions, and SAME auto_pad, ceil_mode or output_shape needs them when the model loads');
  }
  return named;
}
/** A 1-D parameter list as the 2-D one whose height axis does nothing. */
const with2d = (values: readonly number[], fill: number): number[] => (values.length === 1 ? [fill, values[0]!] : [...values]);

function twoD(p: SpatialParams): SpatialParams {
  return { kernel: with2d(p.kernel, 1), strides: with2d(p.strides, 1), dilations: with2d(p.dilations, 1) };
}

/**
 * A Conv or ConvTranspose node through `convolve` (conv2d or convTranspose2d): 1-D operands as 2-D ones of height 1,
 * with the options both take (`pads` as ONNX gives them, for the node's own spatial rank).
 */
function convolution(n: NodeImport, params: SpatialParams, pads: [number[], number[]],
  convolve: (x: Operand, w: Operand, options: Record<string, unknown>) => Operand): Operand {
  const input = n.operand(0);
  const filter = n.operand(1);
  const spatial = spatialRankOf(n, input);
  const p = twoD(params);
  const y = convolve(spatial === 1 ? as2d(n, input) : input, spatial === 1 ? as2d(n, filter) : filter, {
    padding: webnnPadding([with2d(pads[0], 0), with2d(pads[1], 0)]),
    strides: p.strides,
    dilations: p.dilations,
    groups: n.int('group', 1),
    ...(n.has(2) ? { bias: n.operand(2) } : {}),
  });
  return spatial === 1 ? from2d(n, y) : y;
}

/** The node's kernel, stride and dilation parameters, the kernel read from its filter where no kernel_shape is given. */
const nodeSpatialParams = (n: NodeImport): SpatialParams => spatialParams(n, n.ints('kernel_shape') ?? n.operand(1).shape.slice(2));

const conv: Converter = {
  minOpset: 1,
  convert(n) {
    const params = nodeSpatialParams(n);
    namedSpatialSizes(n, n.operand(0), false);
    const pads = forwardPads(n, n.operand(0).shape.slice(2), params);
    return convolution(n, params, pads, (x, w, options) => n.builder.conv2d(x, w, options));
  },
};

/** ConvTranspose's pads: from pads, or from auto_pad / output_shape as ONNX derives them. */
function transposedPads(n: NodeImport, inputSizes: readonly number[], p: SpatialParams, outputPadding: readonly number[]): [number[], number[]] {
  const rank = inputSizes.length;
  const autoPad = n.string('auto_pad', 'NOTSET');
  let outputShape = n.ints('output_shape');
  if (!outputShape && autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') {
    if (autoPad === 'VALID') return [new Array<number>(rank).fill(0), new Array<number>(rank).fill(0)];
    const pads = n.ints('pads') ?? new Array<number>(2 * rank).fill(0);
    if (pads.length !== 2 * rank || pads.some((v) => v < 0)) throw n.unsupported(`pads [${pads.join(', ')}] are not mapped`);
    return [pads.slice(0, rank), pads.slice(rank)];
  }
  outputShape = outputShape ? outputShape.slice(-rank) : inputSizes.map((size, k) => size * p.strides[k]!);
  const begins: number[] = [];
  const ends: number[] = [];
  inputSizes.forEach((size, k) => {
    const total = p.strides[k]! * (size - 1) + outputPadding[k]! + (p.kernel[k]! - 1) * p.dilations[k]! + 1 - outputShape[k]!;
    if (total < 0) throw n.unsupported(`output_shape ${outputShape[k]} needs negative padding on axis ${k + 2}`);
    const half = Math.floor(total / 2);
    begins.push(autoPad === 'SAME_UPPER' ? half : total - half);
    ends.push(autoPad === 'SAME_UPPER' ? total - half : half);
  });
  return [begins, ends];
}

const convTranspose: Converter = {
  minOpset: 1,
  convert(n) {
    const params = nodeSpatialParams(n);
    const outputPadding = n.ints('output_padding') ?? new Array<number>(spatialRankOf(n, n.operand(0))).fill(0);
    namedSpatialSizes(n, n.operand(0), n.hasAttribute('output_shape'));
    const pads = transposedPads(n, n.operand(0).shape.slice(2), params, outputPadding);
    return convolution(n, params, pads, (x, w, options) =>
      n.builder.convTranspose2d(x, w, { ...options, outputPadding: with2d(outputPadding, 0), filterLayout: 'iohw' }));
  },
};

/** ONNX's output size of a pool (ceil_mode drops a last window that would start in the end padding). */
function poolOutputSize(size: number, begin: number, end: number, kernel: number, stride: number, dilation: number, ceil: boolean): number {
  const span = size + begin + end - ((kernel - 1) * dilation + 1);
  if (!ceil) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  if ((out - 1) * stride >= size + begin) out--;
  return out;
}

function pool(method: 'averagePool2d' | 'maxPool2d' | 'l2Pool2d'): Converter {
  return {
    minOpset: 1,
    convert(n) {
      const input = n.operand(0);
      const spatial = spatialRankOf(n, input);
      const kernel = n.ints('kernel_shape');
      if (!kernel) throw n.invalid('kernel_shape is missing');
      const params = spatialParams(n, kernel);
      if (method === 'l2Pool2d') n.require(n.int('p', 2) === 2, 'LpPool with p other than 2 is not mapped');
      const ceil = n.int('ceil_mode', 0) === 1;
      const named = namedSpatialSizes(n, input, ceil);
      let [begins, ends] = forwardPads(n, input.shape.slice(2), params);
      let x = spatial === 1 ? as2d(n, input) : input;
      let sizes = input.shape.slice(2);
      if (method === 'averagePool2d' && n.int('count_include_pad', 0) === 1 && [...begins, ...ends].some((v) => v > 0)) {
        // WebNN averages over the window's elements inside the input; ONNX counts the padding as zeros here, which
        // padding with zeros first gives.
        n.require(!ceil, 'count_include_pad with ceil_mode is not mapped');
        x = n.builder.pad(x, [0, 0, ...with2d(begins, 0)], [0, 0, ...with2d(ends, 0)]);
        sizes = sizes.map((s, k) => s + begins[k]! + ends[k]!);
        begins = begins.map(() => 0);
        ends = ends.map(() => 0);
      }
      const outputSizes = sizes.map((s, k) =>
        poolOutputSize(s, begins[k]!, ends[k]!, kernel[k]!, params.strides[k]!, params.dilations[k]!, ceil));
      const p = twoD(params);
      const y = n.builder[method](x, {
        windowDimensions: p.kernel,
        padding: webnnPadding([with2d(begins, 0), with2d(ends, 0)]),
        strides: p.strides,
        dilations: p.dilations,
        // Named sizes: WebNN's own output sizes, which round down as ONNX does without ceil_mode.
        ...(named ? {} : { outputSizes: with2d(outputSizes, 1) }),
      });
      return spatial === 1 ? from2d(n, y) : y;
    },
  };
}

function globalPool(method: 'averagePool2d' | 'maxPool2d' | 'l2Pool2d'): Converter {
  return {
    minOpset: 1,
    convert(n) {
      const input = n.operand(0);
      if (method === 'l2Pool2d') n.require(n.int('p', 2) === 2, 'GlobalLpPool with p other than 2 is not mapped');
      if (spatialRankOf(n, input) === 1) return from2d(n, n.builder[method](as2d(n, input)));
      return n.builder[method](input);
    },
  };
}

export const CONV_CONVERTERS: ConverterTable = [
  ['Conv', conv],
  ['ConvTranspose', convTranspose],
  ['AveragePool', pool('averagePool2d')],
  ['MaxPool', pool('maxPool2d')],
  ['LpPool', { ...pool('l2Pool2d'), minOpset: 11 }],
  ['GlobalAveragePool', globalPool('averagePool2d')],
  ['GlobalMaxPool', globalPool('maxPool2d')],
  ['GlobalLpPool', { ...globalPool('l2Pool2d'), minOpset: 2 }],
];
