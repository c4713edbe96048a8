/**
 * convTranspose2d: the spec's validation and shape inference, and its lowering onto tf.conv2dTranspose.
 *
 * TF.js's transposed convolution has no dilations and no groups, and its explicit padding is broken on cpu.
 * So the filter is brought to [h, w, out / groups, in] and zero-dilated by a 'conv.filterRewrite' node (folded once
 * for a constant filter); each group then runs with 'valid' padding into the full output
 * ((input - 1) * stride + effective filter size), which is cropped by the beginning padding and zero-extended
 * where outputPadding / outputSizes reach past its end (no input element contributes there).
 */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { toDictionary } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import {
  combinedBias, convArguments, dilatedShape, isValidDimension, listOption, NCHW_TO_NHWC, nchwShape, NHWC_TO_NCHW,
  permuteShape, transposeIf, type FilterRewrite, type InputLayout, type Pair, type Quad,
} from './conv-util.js';
import type { OpCall } from './op-call.js';
import { defineOp, FLOAT_TYPES, limit, type Tensor, type TF } from './registry.js';
import { channelsLastRule } from './layout-rules.js';

type FilterLayout = 'iohw' | 'hwoi' | 'ohwi';
const FILTER_LAYOUTS: readonly FilterLayout[] = ['iohw', 'hwoi', 'ohwi'];

/** Permutations to HWOI, the [height, width, outDepth, inDepth] filter of tf.conv2dTranspose. */
const TO_HWOI: Record<FilterLayout, readonly number[] | null> = {
  iohw: [2, 3, 1, 0],
  hwoi: null,
  ohwi: [1, 2, 0, 3],
};

interface ConvTranspose2dAttrs {
  readonly inputLayout: InputLayout;
  readonly padding: Quad;
  readonly strides: Pair;
  readonly groups: number;
  /** Spatial size of the effective (dilated) filter. */
  readonly filterSize: Pair;
  readonly outputSize: Pair;
  readonly outputChannels: number;
  /**
   * Set on wasm when the filter windows tile the output without overlap or padding (filter size = stride, no
   * groups): each output pixel is one input pixel times one filter tap, so the node is a 1x1 convolution to
   * stride x stride x channels values per pixel, whose rows are then interleaved (a reshape, a transpose of two axes
   * and a reshape; wasm's DepthToSpace and Conv2DBackpropInput are several times slower). Its filter input is then
   * the [1, 1, in, stride * stride * out] matrix of that convolution, its bias the bias repeated per tap.
   */
  readonly blockSize?: number;
}

interface ConvTranspose2dOptions {
  padding: unknown; strides: unknown; dilations: unknown; outputPadding: unknown; outputSizes: unknown;
  groups: unknown; inputLayout: unknown; filterLayout: unknown; bias: unknown;
}

function buildConvTranspose2d(call: OpCall, inputArg: unknown, filterArg: unknown, optionsArg: unknown): MLOperand {
  const options = toDictionary<ConvTranspose2dOptions>(call.where, 'options', optionsArg);
  const { input, filter, bias, padding, strides, dilations, groups, inputLayout, filterLayout } =
    convArguments(call, inputArg, filterArg, options, FILTER_LAYOUTS, 'iohw');
  const outputPadding = listOption<Pair>(call, 'outputPadding', options.outputPadding, 2, [0, 0]);
  const outputSizes = options.outputSizes === undefined
    ? null : listOption<Pair>(call, 'outputSizes', options.outputSizes, 2);
  if (!outputSizes && (outputPadding[0] >= strides[0] || outputPadding[1] >= strides[1])) {
    call.fail(`options.outputPadding [${outputPadding.join(', ')}] must be smaller than options.strides [${strides.join(', ')}]`);
  }
  const [batches, inputChannels, inputHeight, inputWidth] = nchwShape(input.shape, inputLayout);
  const hwoi = permuteShape(filter.shape, TO_HWOI[filterLayout]) as Quad;
  const [filterHeight, filterWidth, filterOutputChannels, filterInputChannels] = hwoi;
  if (inputChannels !== filterInputChannels) {
    call.fail(`filter input channels (${filterInputChannels}) must equal input channels (${inputChannels})`);
  }
  // The spec does not require groups to divide the input channels (groupChannelRanges says how they are shared then).
  const outputChannels = filterOutputChannels * groups;
  if (!isValidDimension(outputChannels)) call.fail(`output channels (${outputChannels}) is not a valid dimension`);
  if (bias) {
    if (bias.shape.length !== 1 || bias.shape[0] !== outputChannels) {
      call.fail(`bias shape [${bias.shape.join(', ')}] must be [${outputChannels}]`);
    }
    if (bias.dataType !== input.dataType) call.fail(`bias data type ${bias.dataType} does not match input data type ${input.dataType}`);
  }
  const effectiveHeight = (filterHeight - 1) * dilations[0] + 1;
  const effectiveWidth = (filterWidth - 1) * dilations[1] + 1;
  const calculatedHeight = (inputHeight - 1) * strides[0] + effectiveHeight - padding[0] - padding[1];
  const calculatedWidth = (inputWidth - 1) * strides[1] + effectiveWidth - padding[2] - padding[3];
  let outputHeight: number;
  let outputWidth: number;
  if (outputSizes) {
    [outputHeight, outputWidth] = outputSizes;
    if (outputHeight < calculatedHeight || outputHeight >= calculatedHeight + strides[0]) {
      call.fail(`options.outputSizes[0] (${outputHeight}) must be in [${calculatedHeight}, ${calculatedHeight + strides[0]})`);
    }
    if (outputWidth < calculatedWidth || outputWidth >= calculatedWidth + strides[1]) {
      call.fail(`options.outputSizes[1] (${outputWidth}) must be in [${calculatedWidth}, ${calculatedWidth + strides[1]})`);
    }
  } else {
    outputHeight = calculatedHeight + outputPadding[0];
    outputWidth = calculatedWidth + outputPadding[1];
  }
  if (!isValidDimension(outputHeight) || !isValidDimension(outputWidth)) {
    call.fail(`the output size [${outputHeight}, ${outputWidth}] is not valid (padding exceeds the output)`);
  }
  const outputShape = inputLayout === 'nchw'
    ? [batches, outputChannels, outputHeight, outputWidth]
    : [batches, outputHeight, outputWidth, outputChannels];
  const output = { dataType: input.dataType, shape: outputShape };
  call.checkOutput(output);

  const rewrite: FilterRewrite = { perm: TO_HWOI[filterLayout], dilations, shape: null };
  let kernelFilter = filter;
  if (rewrite.perm || dilations.some((d) => d > 1)) {
    kernelFilter = call.emitOne([filter], { ...rewrite },
      { dataType: filter.dataType, shape: dilatedShape(hwoi, dilations) }, 'conv.filterRewrite');
  }
  const attrs: ConvTranspose2dAttrs = {
    inputLayout, padding, strides, groups, filterSize: [effectiveHeight, effectiveWidth],
    outputSize: [outputHeight, outputWidth], outputChannels,
  };
  const block = strides[0];
  const tiles = groups === 1 && strides[1] === block && effectiveHeight === block && effectiveWidth === block &&
    padding.every((p) => p === 0) && outputHeight === inputHeight * block && outputWidth === inputWidth * block;
  if (tiles && block > 1 && call.backend === 'wasm') {
    // [h, w, out, in] -> [in, h, w, out] -> [1, 1, in, h * w * out]: DepthToSpace's channel order (row, column, channel).
    const dataType = filter.dataType;
    const byInput = call.emitOne([kernelFilter], { permutation: [3, 0, 1, 2] },
      { dataType, shape: [inputChannels, block, block, outputChannels] }, 'transpose');
    const matrix = call.emitOne([byInput], { shape: [1, 1, inputChannels, block * block * outputChannels] },
      { dataType, shape: [1, 1, inputChannels, block * block * outputChannels] }, 'reshape');
    const perTap = bias && call.emitOne([bias], { repetitions: [block * block] },
      { dataType, shape: [block * block * outputChannels] }, 'tile');
    return call.emitOne([input, matrix, perTap], { ...attrs, blockSize: block }, output);
  }
  return call.emitOne([input, kernelFilter, bias], { ...attrs }, output);
}

/**
 * The input channels each group reads, as [first, count]: channel c belongs to group floor(c / (channels / groups)),
 * the spec's channels / groups per group read literally, which also holds when groups does not divide the channels
 * (the spec accepts that; a group may then read no channel and give only its bias).
 */
export function groupChannelRanges(channels: number, groups: number): [number, number][] {
  const firstOf = (g: number) => Math.ceil((g * channels) / groups);
  return Array.from({ length: groups }, (_, g) => [firstOf(g), firstOf(g + 1) - firstOf(g)]);
}

/** Keeps [begin, begin + size) of `axis`, appending zeros where that range passes the end. */
function cropOrExtend(tf: TF, x: Tensor, axis: number, begin: number, size: number): Tensor {
  const length = x.shape[axis]!;
  const kept = Math.max(0, Math.min(size, length - begin));
  const missing = size - kept;
  let y = x;
  if (begin !== 0 || kept !== length) {
    const start = x.shape.map(() => 0);
    start[axis] = begin;
    const sizes = [...x.shape];
    sizes[axis] = kept;
    y = kept > 0 ? tf.slice(x, start, sizes) : x;
  }
  if (missing === 0) return y;
  if (kept === 0) {
    const shape = [...x.shape];
    shape[axis] = size;
    return tf.zeros(shape);
  }
  const pad: [number, number][] = x.shape.map(() => [0, 0] as [number, number]);
  pad[axis] = [0, missing];
  return tf.pad(y, pad);
}

defineOp<ConvTranspose2dAttrs>({
  name: 'convTranspose2d',
  layout: channelsLastRule('inputLayout'),
  method: { length: 2, optionsIndex: 2, build: buildConvTranspose2d },
  limits: {
    input: limit(FLOAT_TYPES, 4, 4), filter: limit(FLOAT_TYPES, 4, 4),
    bias: limit(FLOAT_TYPES, 1, 1), output: limit(FLOAT_TYPES, 4, 4),
  },
  lower([input, filter, bias, fusedBias], attrs, { tf }) {
    const { inputLayout, padding, strides, groups, filterSize, outputSize, outputChannels } = attrs;
    const nchw = inputLayout === 'nchw';
    const x = transposeIf(tf, input!, nchw ? NCHW_TO_NHWC : null);
    const [n, h, w] = x.shape as [number, number, number, number];
    if (attrs.blockSize) {
      const block = attrs.blockSize;
      const taps = tf.fused.conv2d({ x: x as Tensor4D, filter: filter as Tensor4D, strides: 1, pad: 'valid', bias: bias ?? undefined });
      // [n * h, w, block, block * out] -> [n * h, block, w, block * out] is the output's row-major order.
      const rows = tf.transpose(tf.reshape(taps, [n * h, w, block, block * outputChannels]), [0, 2, 1, 3]);
      return transposeIf(tf, tf.reshape(rows, [n, h * block, w * block, outputChannels]), nchw ? NHWC_TO_NCHW : null);
    }
    const b = combinedBias(tf, bias, fusedBias, outputChannels);
    const fullShape: Quad = [
      n, (h - 1) * strides[0] + filterSize[0], (w - 1) * strides[1] + filterSize[1], outputChannels / groups,
    ];
    const parts: Tensor[] = groupChannelRanges(x.shape[3]!, groups).map(([begin, count]) => {
      if (count === 0) return tf.zeros(fullShape);
      const xg = groups === 1 ? x : tf.slice(x, [0, 0, 0, begin], [-1, -1, -1, count]);
      const fg = groups === 1 ? filter! : tf.slice(filter!, [0, 0, 0, begin], [-1, -1, -1, count]);
      return tf.conv2dTranspose(xg as Tensor4D, fg as Tensor4D, fullShape, strides, 'valid');
    });
    let y: Tensor = parts.length === 1 ? parts[0]! : tf.concat(parts, 3);
    y = cropOrExtend(tf, y, 1, padding[0], outputSize[0]);
    y = cropOrExtend(tf, y, 2, padding[2], outputSize[1]);
    if (b) y = tf.add(y, b);
    return transposeIf(tf, y, nchw ? NHWC_TO_NCHW : null);
  },
});
