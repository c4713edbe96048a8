/**
 * instanceNormalization and layerNormalization: (input - mean) / sqrt(variance + epsilon) * scale + bias, with mean
 * and variance computed over some axes of the input itself (spatial axes per sample and channel for instance
 * normalization, options.axes for layer normalization). There is no TF.js kernel for either; both are composed of
 * Mean, Sub, Square, Rsqrt (Sqrt and Reciprocal on webgl), Mul and Add. The variance is the mean of the squared
 * deviations (two passes), which stays accurate when the mean is large compared to the spread.
 */
import { toDictionary, toEnum, toFiniteDouble, toUnsignedLongSequence } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import { castNumber } from '../types/cast-number.js';
import type { OpCall } from './op-call.js';
import type { BackendName } from '../runtime/backends.js';
import { defineOp, FLOAT_TYPES, getOp, limit, type LayoutRule, type LowerEnv, type Tensor, type TF } from './registry.js';
import { activateInPlace } from './js-activations.js';
import { checkAxes, range } from './shape.js';
import { permuteList, physicalAxis } from './layout-rules.js';
import { type JsKernel, runJsKernel } from '../runtime/js-kernels.js';
import { ACTIVATION_CODES } from '../runtime/wasm-row-kernels.js';
import { float32OnJsKernels } from './js-kernel-env.js';

interface NormalizationAttrs {
  /** Axes the mean and variance are taken over; may be empty. */
  readonly axes: readonly number[];
  readonly epsilon: number;
  /** The shape scale and bias are reshaped to so that they broadcast against the input. */
  readonly parameterShape: readonly number[];
  /** layerNormalization: the activation after it, moved in by graph/passes/normalization-activation.ts. */
  readonly activation?: NormalizationActivation;
}

/** The activations a layerNormalization can take in: their operation's name and attributes. */
export type NormalizationActivation =
  | { readonly op: 'relu' | 'sigmoid' }
  | { readonly op: 'leakyRelu' | 'elu'; readonly alpha: number };

/** The activation's kind for activateInPlace (js-activations.ts). */
const ACTIVATION_KINDS = { relu: 'relu', sigmoid: 'sigmoid', leakyRelu: 'leakyrelu', elu: 'elu' } as const;

/** A scale or bias option: an MLOperand of the input's data type with the given shape. */
function parameter(call: OpCall, name: string, value: unknown, input: MLOperand, shape: readonly number[]): MLOperand | null {
  const operand = call.optionalOperand(`options.${name}`, value, name);
  if (!operand) return null;
  if (operand.dataType !== input.dataType) {
    call.fail(`options.${name} data type ${operand.dataType} does not match input data type ${input.dataType}`);
  }
  if (operand.shape.length !== shape.length || operand.shape.some((d, i) => d !== shape[i])) {
    call.fail(`options.${name} shape [${operand.shape.join(', ')}] must be [${shape.join(', ')}]`);
  }
  return operand;
}

interface InstanceNormalizationOptions {
  scale: unknown; bias: unknown; epsilon: unknown; layout: unknown;
}

function buildInstanceNormalization(call: OpCall, inputArg: unknown, optionsArg: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const o = toDictionary<InstanceNormalizationOptions>(call.where, 'options', optionsArg);
  const epsilonOption = toFiniteDouble(call.where, 'options.epsilon', o.epsilon, 1e-5);
  const layout = toEnum(call.where, 'options.layout', o.layout, ['nchw', 'nhwc'] as const, 'nchw');
  const epsilon = castNumber(epsilonOption, input.dataType);
  const channelAxis = layout === 'nchw' ? 1 : 3;
  const channels = input.shape[channelAxis]!;
  const scale = parameter(call, 'scale', o.scale, input, [channels]);
  const bias = parameter(call, 'bias', o.bias, input, [channels]);
  const parameterShape = [1, 1, 1, 1];
  parameterShape[channelAxis] = channels;
  const axes = layout === 'nchw' ? [2, 3] : [1, 2];
  const attrs: NormalizationAttrs = { axes, epsilon, parameterShape };
  return call.emitOne([input, scale, bias], { ...attrs }, { dataType: input.dataType, shape: input.shape });
}

interface LayerNormalizationOptions {
  scale: unknown; bias: unknown; axes: unknown; epsilon: unknown;
}

function buildLayerNormalization(call: OpCall, inputArg: unknown, optionsArg: unknown): MLOperand {
  const input = call.operand('input', inputArg, 'input');
  const o = toDictionary<LayerNormalizationOptions>(call.where, 'options', optionsArg);
  const rank = input.shape.length;
  const axes = o.axes === undefined ? range(rank).slice(1) : toUnsignedLongSequence(call.where, 'options.axes', o.axes);
  const epsilonOption = toFiniteDouble(call.where, 'options.epsilon', o.epsilon, 1e-5);
  checkAxes(call, axes, rank, 'options.axes');
  const epsilon = castNumber(epsilonOption, input.dataType);
  // scale and bias list the sizes of the normalized axes in the order of options.axes.
  const shape = axes.map((a) => input.shape[a]!);
  let scale = parameter(call, 'scale', o.scale, input, shape);
  let bias = parameter(call, 'bias', o.bias, input, shape);
  const ascending = [...axes].sort((a, b) => a - b);
  if (ascending.some((a, i) => a !== axes[i])) {
    // Put the parameters' dimensions in the input's order: a transpose node, computed once for constants.
    const permutation = ascending.map((a) => axes.indexOf(a));
    const desc = { dataType: input.dataType, shape: ascending.map((a) => input.shape[a]!) };
    if (scale) scale = call.emitOne([scale], { permutation }, desc, 'transpose');
    if (bias) bias = call.emitOne([bias], { permutation }, desc, 'transpose');
  }
  const parameterShape = input.shape.map((d, i) => (axes.includes(i) ? d : 1));
  const attrs: NormalizationAttrs = { axes: ascending, epsilon, parameterShape };
  return call.emitOne([input, scale, bias], { ...attrs }, { dataType: input.dataType, shape: input.shape });
}

function normalize(tf: TF, x: Tensor, scale: Tensor | null, bias: Tensor | null,
  { axes, epsilon, parameterShape }: NormalizationAttrs, epsilonScalar: Tensor | null, backend: BackendName): Tensor {
  const reduce = (t: Tensor) => (axes.length === 0 ? t : tf.mean(t, [...axes], true));
  const centered = tf.sub(x, reduce(x));
  const variance = reduce(tf.square(centered));
  // One reciprocal per reduced entry, then a product per element: (x - mean) * (1 / sqrt(variance + epsilon)).
  const shifted = tf.add(variance, epsilonScalar ?? tf.scalar(epsilon));
  // Rsqrt is one kernel where Sqrt and Reciprocal are two; GPU inverse square roots are coarser, so not on webgl.
  let y = tf.mul(centered, backend === 'webgl' ? tf.reciprocal(tf.sqrt(shifted)) : tf.rsqrt(shifted));
  // A parameter already lined up with the trailing axes broadcasts as it is (no Reshape kernel at every run).
  const aligned = (p: Tensor) => {
    const lead = parameterShape.length - p.rank;
    const fits = lead >= 0 && parameterShape.every((d, i) => (i < lead ? d === 1 : d === p.shape[i - lead]));
    return fits ? p : tf.reshape(p, [...parameterShape]);
  };
  if (scale) y = tf.mul(y, aligned(scale));
  if (bias) y = tf.add(y, aligned(bias));
  return y;
}

/** The normalized axes renumbered; the parameters' dimensions must stay in the order of the axes. */
const layout: LayoutRule<NormalizationAttrs> = {
  dataInputs: [0],
  permute: (attrs, perm) => {
    const axes = attrs.axes.map((a) => physicalAxis(perm, a));
    if (axes.some((a, i) => i > 0 && a < axes[i - 1]!)) return null;
    return { attrs: { ...attrs, axes, parameterShape: permuteList(attrs.parameterShape, perm) }, outputPerms: [perm] };
  },
};

// epsilonScalar: epsilon as a constant (graph/passes/scalar-constants.ts), uploaded once at build.
const lower = ([x, scale, bias, epsilonScalar]: readonly (Tensor | null)[], attrs: NormalizationAttrs, { tf, backend }: LowerEnv) =>
  normalize(tf, x!, scale ?? null, bias ?? null, attrs, epsilonScalar ?? null, backend);

/**
 * Layer normalization of float32 over the trailing axes, as one kernel of ours on the backends computing on this thread:
 * per row of `rowLength` values, mean and variance in float64 (two passes), then scale and bias, one value per
 * element of the row (the normalized axes in the data's order), then the activation it took in, if any.
 */
const layerNormalizationKernel: JsKernel = {
  name: 'WebNNLayerNormalization',
  compute: ({ x, scale, bias }, output, attrs) => {
    const n = attrs['rowLength'] as number;
    if (n > 0) {
      normalizeRows({ x: x!, output, scale: scale ?? null, bias: bias ?? null, xAt: 0, outputAt: 0, scaleAt: 0, biasAt: 0 },
        x!.length, n, attrs['epsilon'] as number);
    }
    activateInPlace(output, attrs['activation'] as string, attrs['alpha'] as number, null, n);
  },
  // On wasm, our wasm kernel at the tensors' addresses (runtime/wasm-row-kernels.ts): the same arithmetic.
  simd: (kernels, { x, scale, bias }, output, size, attrs) => {
    kernels.normalizeRows(x!, output, scale ?? 0, bias ?? 0, size, attrs['rowLength'] as number, attrs['epsilon'] as number,
      ACTIVATION_CODES[attrs['activation'] as string] ?? 0, attrs['alpha'] as number);
  },
};

/** Where layerNormalization reads and writes: arrays, and the index each tensor starts at in its array. */
interface NormalizedRows {
  readonly x: Float32Array;
  readonly output: Float32Array;
  readonly scale: Float32Array | null;
  readonly bias: Float32Array | null;
  readonly xAt: number;
  readonly outputAt: number;
  readonly scaleAt: number;
  readonly biasAt: number;
}

function normalizeRows({ x, output, scale, bias, xAt, outputAt, scaleAt, biasAt }: NormalizedRows, size: number, n: number,
  epsilon: number): void {
  for (let row = 0; row < size; row += n) {
    const start = xAt + row;
    const end = start + n;
    const to = outputAt + row;
    let sum = 0;
    for (let i = start; i < end; i++) sum += x[i]!;
    const mean = sum / n;
    let squares = 0;
    for (let i = start; i < end; i++) {
      const d = x[i]! - mean;
      squares += d * d;
    }
    const reciprocal = 1 / Math.sqrt(squares / n + epsilon);
    // One loop per case, so that the inner loops hold no test.
    if (scale && bias) {
      for (let i = 0; i < n; i++) output[to + i] = (x[start + i]! - mean) * reciprocal * scale[scaleAt + i]! + bias[biasAt + i]!;
    } else if (scale) {
      for (let i = 0; i < n; i++) output[to + i] = (x[start + i]! - mean) * reciprocal * scale[scaleAt + i]!;
    } else if (bias) {
      for (let i = 0; i < n; i++) output[to + i] = (x[start + i]! - mean) * reciprocal + bias[biasAt + i]!;
    } else {
      for (let i = 0; i < n; i++) output[to + i] = (x[start + i]! - mean) * reciprocal;
    }
  }
}

/** The normalized axes are the trailing ones, so each row of the data is normalized on its own. */
function trailingAxes(axes: readonly number[], rank: number): boolean {
  return axes.every((a, i) => a === rank - axes.length + i);
}

/**
 * The most elements wasm normalizes with our kernel: beyond, its SIMD kernels win. Measured in Node, one dispatch of
 * a layerNormalization over the last axis with scale and bias, TF.js kernels / ours: [1, 32] 21 / 8 us, [1, 40, 120]
 * 36 / 27 us, [1, 128, 768] 235 / 495 us. On cpu ours is faster at every size ([1, 128, 768]: 23 ms / 0.6 ms).
 */
const WASM_KERNEL_MAX_SIZE = 8192;

const lowerLayerNormalization = (inputs: readonly (Tensor | null)[], attrs: NormalizationAttrs, env: LowerEnv) => {
  const [x, scale, bias] = inputs;
  const small = env.backend !== 'wasm' || x!.size <= WASM_KERNEL_MAX_SIZE;
  if (float32OnJsKernels(env) && small && trailingAxes(attrs.axes, x!.rank)) {
    const rowLength = attrs.axes.reduce((n, a) => n * x!.shape[a]!, 1);
    const named: Record<string, Tensor> = { x: x! };
    if (scale) named['scale'] = scale;
    if (bias) named['bias'] = bias;
    const activation = attrs.activation;
    return runJsKernel(layerNormalizationKernel, named, {
      rowLength, epsilon: attrs.epsilon, activation: activation ? ACTIVATION_KINDS[activation.op] : 'linear',
      alpha: activation && 'alpha' in activation ? activation.alpha : 0,
    });
  }
  const y = lower(inputs, attrs, env);
  return attrs.activation ? lowerActivation(attrs.activation, y, env) : y;
};

/** The activation as its own operation lowers it (with that backend's exceptions), on the normalized values. */
function lowerActivation(activation: NormalizationActivation, y: Tensor, env: LowerEnv): Tensor {
  const { op, ...attrs } = activation;
  return getOp(op).lower([y], attrs, { ...env, inputs: [env.outputs[0]!] }) as Tensor;
}

defineOp<NormalizationAttrs>({
  name: 'instanceNormalization',
  method: { length: 1, optionsIndex: 1, build: (call, input, options) => buildInstanceNormalization(call, input, options) },
  limits: {
    input: limit(FLOAT_TYPES, 4, 4), scale: limit(FLOAT_TYPES, 1, 1), bias: limit(FLOAT_TYPES, 1, 1),
    output: limit(FLOAT_TYPES, 4, 4),
  },
  lower,
  layout,
});

defineOp<NormalizationAttrs>({
  name: 'layerNormalization',
  method: { length: 1, optionsIndex: 1, build: (call, input, options) => buildLayerNormalization(call, input, options) },
  limits: { input: limit(FLOAT_TYPES), scale: limit(FLOAT_TYPES), bias: limit(FLOAT_TYPES), output: limit(FLOAT_TYPES) },
  lower: lowerLayerNormalization,
  layout,
});
