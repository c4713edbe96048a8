/**
 * conv2d: the spec's validation and shape inference, and its lowering onto TF.js's NHWC/HWIO convolutions.
 *
 * The filter is brought to the kernel's layout by a separate 'conv.filterRewrite' node (folded once when the
 * filter is a constant): HWIO for ordinary and grouped convolutions, [h, w, channels, multiplier] for depthwise
 * ones, zero-dilated when strides and dilations are both above 1 (a pair TF.js rejects).
 */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { toDictionary } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import {
  activationAfterKernel, applyActivation, combinedBias, convArguments, convOutputSize, dilatedShape, fusedActivationArgs,
  isValidDimension, kernelActivation,
  NCHW_TO_NHWC, nchwShape, NHWC_TO_NCHW, permuteShape, transposeIf, type FilterRewrite, type FusedActivation,
  type InputLayout, type Pair, type Quad,
} from './conv-util.js';
import type { BackendName } from '../runtime/backends.js';
import type { OpCall } from './op-call.js';
import { defineOp, FLOAT_TYPES, limit, type Tensor, type TF } from './registry.js';
import { channelsLastRule } from './layout-rules.js';

type FilterLayout = 'oihw' | 'hwio' | 'ohwi' | 'ihwo';
const FILTER_LAYOUTS: readonly FilterLayout[] = ['oihw', 'hwio', 'ohwi', 'ihwo'];

/** Permutations to HWIO. */
const TO_HWIO: Record<FilterLayout, readonly number[] | null> = {
  oihw: [2, 3, 1, 0],
  hwio: null,
  ohwi: [1, 2, 3, 0],
  ihwo: [1, 2, 0, 3],
};

export type Conv2dKind = 'conv' | 'depthwise' | 'grouped';

export interface Conv2dAttrs {
  readonly inputLayout: InputLayout;
  readonly padding: Quad;
  readonly strides: Pair;
  /** Dilations left to the kernel (1 when the filter was zero-dilated at build). */
  readonly dilations: Pair;
  readonly groups: number;
  readonly kind: Conv2dKind;
  readonly outputChannels: number;
  /** Set by the fusion pass (graph/passes/conv-fusion.ts); prelu's slope is the node's fifth input. */
  readonly activation?: FusedActivation;
  /** Set by the fusion pass: the result is read only by convolutions and products (see kernelActivation). */
  readonly zerosSummed?: boolean;
}

interface Conv2dOptions {
  padding: unknown; strides: unknown; dilations: unknown; groups: unknown;
  inputLayout: unknown; filterLayout: unknown; bias: unknown;
}

function buildConv2d(call: OpCall, inputArg: unknown, filterArg: unknown, optionsArg: unknown): MLOperand {
  const options = toDictionary<Conv2dOptions>(call.where, 'options', optionsArg);
  const { input, filter, bias, padding, strides, dilations, groups, inputLayout, filterLayout } =
    convArguments(call, inputArg, filterArg, options, FILTER_LAYOUTS, 'oihw');
  const [batches, inputChannels, inputHeight, inputWidth] = nchwShape(input.shape, inputLayout);
  const hwio = permuteShape(filter.shape, TO_HWIO[filterLayout]) as Quad;
  const [filterHeight, filterWidth, filterInputChannels, outputChannels] = hwio;
  if (inputChannels % groups !== 0) call.fail(`input channels (${inputChannels}) are not divisible by groups (${groups})`);
  if (inputChannels / groups !== filterInputChannels) {
    call.fail(`filter input channels (${filterInputChannels}) must be input channels / groups (${inputChannels / groups})`);
  }
  if (outputChannels % groups !== 0) call.fail(`output channels (${outputChannels}) are not divisible by groups (${groups})`);
  if (bias) {
    if (bias.shape.length !== 1 || bias.shape[0] !== outputChannels) {
      call.fail(`bias shape [${bias.shape.join(', ')}] must be [${outputChannels}]`);
    }
    if (bias.dataType !== input.dataType) call.fail(`bias data type ${bias.dataType} does not match input data type ${input.dataType}`);
  }
  const outputHeight = Math.floor(convOutputSize(inputHeight, filterHeight, padding[0], padding[1], strides[0], dilations[0]));
  const outputWidth = Math.floor(convOutputSize(inputWidth, filterWidth, padding[2], padding[3], strides[1], dilations[1]));
  if (!isValidDimension(outputHeight) || !isValidDimension(outputWidth)) {
    call.fail(`the output size [${outputHeight}, ${outputWidth}] is not valid (input too small for filter, padding and dilations)`);
  }
  const outputShape = inputLayout === 'nchw'
    ? [batches, outputChannels, outputHeight, outputWidth]
    : [batches, outputHeight, outputWidth, outputChannels];
  const output = { dataType: input.dataType, shape: outputShape };
  call.checkOutput(output);

  const kind: Conv2dKind = groups === 1 ? 'conv' : groups === inputChannels ? 'depthwise' : 'grouped';
  // TF.js accepts strides > 1 or dilations > 1, not both: dilate the filter itself in that case.
  const dilateFilter = strides.some((s) => s > 1) && dilations.some((d) => d > 1);
  const rewrite: FilterRewrite = {
    perm: TO_HWIO[filterLayout],
    dilations: dilateFilter ? dilations : [1, 1],
    shape: kind === 'depthwise' ? [filterHeight, filterWidth, inputChannels, outputChannels / inputChannels] : null,
  };
  let kernelFilter = filter;
  if (rewrite.perm || dilateFilter || rewrite.shape) {
    let shape = dilatedShape(hwio, rewrite.dilations);
    if (rewrite.shape) shape = [shape[0]!, shape[1]!, ...rewrite.shape.slice(2)];
    const finalRewrite = { ...rewrite, shape: rewrite.shape ? shape : null };
    kernelFilter = call.emitOne([filter], { ...finalRewrite }, { dataType: filter.dataType, shape }, 'conv.filterRewrite');
  }
  // The bias as fresh rank-1 data (wasm's fused kernels reject a bias reshaped from another rank); computed once
  // at build for a constant bias.
  const biasVector = bias
    ? call.emitOne([bias], { channels: outputChannels }, { dataType: bias.dataType, shape: [outputChannels] }, 'conv.channelVector')
    : null;
  const attrs: Conv2dAttrs = {
    inputLayout, padding, strides, dilations: dilateFilter ? [1, 1] : dilations, groups, kind, outputChannels,
  };
  return call.emitOne([input, kernelFilter, biasVector], { ...attrs }, output);
}

/**
 * For graph/passes/conv-input-folding.ts, on constants, so computed once at build: the bias that adds to a
 * convolution's result what a constant `shift` (one value per input channel, or one value) added to its input would
 * contribute, plus the bias it has: for output channel o, bias[o] + the sum over the filter window and the input
 * channels c feeding o of filter * shift[c]. The filter is in kernel layout (HWIO; depthwise [h, w, C, M], output
 * channel c * M + m).
 */
defineOp<{ kind: Conv2dKind; outputChannels: number }>({
  name: 'conv.inputShiftBias',
  lower([filter, shift, bias], { kind, outputChannels }, { tf }) {
    const perChannel = tf.reshape(shift!, shift!.size === 1 ? [1, 1, 1, 1] : [1, 1, filter!.shape[2]!, 1]);
    const weighted = tf.mul(filter!, perChannel);
    const contribution = tf.reshape(tf.sum(weighted, kind === 'depthwise' ? [0, 1] : [0, 1, 2]), [outputChannels]);
    return bias ? tf.add(tf.reshape(bias, [outputChannels]), contribution) : contribution;
  },
});

/** NHWC convolution of `x` with a kernel-layout filter; bias and activation fused where TF.js can. */
export function convolveNhwc(tf: TF, x: Tensor, filter: Tensor, bias: Tensor | null, attrs: Conv2dAttrs,
  slope: Tensor | null, backend: BackendName): Tensor {
  const { padding, strides, dilations, kind, groups } = attrs;
  const activation = kernelActivation(attrs.activation, backend, attrs.zerosSummed);
  const pad: [number, number][] = [[0, 0], [padding[0], padding[1]], [padding[2], padding[3]], [0, 0]];
  const after = (y: Tensor) => activationAfterKernel(tf, y, attrs.activation, slope, backend, attrs.zerosSummed);
  if (kind !== 'grouped') {
    // The kernels called directly: tf.fused.conv2d's gradient wrapper costs about a quarter of a small convolution.
    const args = fusedActivationArgs(activation, slope);
    const inputs: Record<string, Tensor> = { x, filter };
    if (bias) inputs['bias'] = bias;
    if (args.preluActivationWeights) inputs['preluActivationWeights'] = args.preluActivationWeights;
    const kernelAttrs = {
      strides, pad: pad as never, dataFormat: 'NHWC', dilations, activation: args.activation, leakyreluAlpha: args.leakyreluAlpha ?? 0,
    };
    return after(tf.engine().runKernel(kind === 'conv' ? tf.FusedConv2D : tf.FusedDepthwiseConv2D, inputs, kernelAttrs) as Tensor);
  }
  const xs = tf.split(x, groups, 3);
  const fs = tf.split(filter, groups, 3);
  const parts: Tensor[] = xs.map((xg, g) => tf.conv2d(xg as Tensor4D, fs[g] as Tensor4D, strides, pad as never, 'NHWC', dilations));
  let y = tf.concat(parts, 3);
  if (bias) y = tf.add(y, bias);
  return after(applyActivation(tf, y, activation, slope));
}

defineOp<Conv2dAttrs>({
  name: 'conv2d',
  layout: channelsLastRule('inputLayout'),
  method: { length: 2, optionsIndex: 2, build: buildConv2d },
  limits: {
    input: limit(FLOAT_TYPES, 4, 4), filter: limit(FLOAT_TYPES, 4, 4),
    bias: limit(FLOAT_TYPES, 1, 1), output: limit(FLOAT_TYPES, 4, 4),
  },
  lower([input, filter, bias, fusedBias, slope], attrs, { tf, backend }) {
    const nchw = attrs.inputLayout === 'nchw';
    const x = transposeIf(tf, input!, nchw ? NCHW_TO_NHWC : null);
    const b = combinedBias(tf, bias, fusedBias, attrs.outputChannels);
    const y = convolveNhwc(tf, x, filter!, b, attrs, slope ?? null, backend);
    return transposeIf(tf, y, nchw ? NHWC_TO_NCHW : null);
  },
});
