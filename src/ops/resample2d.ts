/**
 * resample2d: nearest-neighbor and linear resampling along any two distinct axes.
 *
 * Input coordinates follow the spec: (output + 0.5) / scale - 0.5, clamped to [0, inputSize - 1], where scale is
 * the given scale, or outputSize / inputSize when sizes are given (as in the reference implementation).
 * Nearest-neighbor rounds half down (ceil(x - 0.5)), which TF.js's ResizeNearestNeighbor does not in general: it is
 * two gathers with build-time index vectors, or, on data whose resampled axes are 1 and 2 (NHWC), that kernel where
 * its own source indices (computed at build as it computes them, in float32 and in float64) are the spec's for every
 * output position (integer upsampling, say). Linear runs TF.js's ResizeBilinear with half-pixel centers, which computes exactly this
 * when the scale is outputSize / inputSize; for other given scales each axis is two gathers and a weighted sum.
 */
import { toDictionary, toEnum, toFiniteDouble, toSequence, toUnsignedLongSequence } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import { buildTensor } from './build-tensor.js';
import { isValidDimension, transposeIf, type Pair } from './conv-util.js';
import type { OpCall } from './op-call.js';
import { defineOp, FLOAT_TYPES, limit, type Tensor, type TF } from './registry.js';
import { NCHW_TO_NHWC, physicalAxis } from './layout-rules.js';

type Mode = 'nearest-neighbor' | 'linear';
const MODES: readonly Mode[] = ['nearest-neighbor', 'linear'];

interface Resample2dOptions {
  mode: unknown; scales: unknown; sizes: unknown; axes: unknown;
}

interface Resample2dAttrs {
  /** How each of the two axes is resampled (inputs after `input` follow this order). */
  readonly plan: 'gather' | 'bilinear';
  /** Nearest-neighbor: which of ResizeNearestNeighbor's two index formulas gives the spec's indices, if one does. */
  readonly halfPixelCenters?: boolean;
  readonly axes: Pair;
  /** Per axis, whether it has index (and weight) inputs; identity axes have none. */
  readonly resampled: readonly [boolean, boolean];
  readonly mode: Mode;
  readonly sizes: Pair;
}

/** A WebIDL `float` (restricted: NaN and infinities are TypeErrors), as its float32 value. */
function toFloatItem(call: OpCall, name: string, value: unknown): number {
  const n = toFiniteDouble(call.where, name, value);
  const x = Math.fround(n);
  if (!Number.isFinite(x)) call.fail(`${name} (${n}) is outside the range of float`);
  return x;
}

/** The input position ResizeNearestNeighbor (align corners off) reads for each output position, in float64 or float32. */
function kernelNearestIndices(inputSize: number, outputSize: number, halfPixelCenters: boolean, round: (x: number) => number): number[] {
  const ratio = round(inputSize / outputSize);
  return Array.from({ length: outputSize }, (_, o) =>
    Math.max(0, Math.min(inputSize - 1, Math.floor(round(ratio * round(halfPixelCenters ? o + 0.5 : o))))));
}

/** The half-pixel-centers setting under which ResizeNearestNeighbor reads `indices` along each axis, if there is one. */
function nearestKernelSetting(inputSizes: readonly number[], indices: readonly (readonly number[])[]): boolean | null {
  const same = (a: readonly number[], b: readonly number[]) => a.every((v, i) => v === b[i]);
  for (const halfPixelCenters of [false, true]) {
    if (indices.every((wanted, i) => [(x: number) => x, Math.fround].every((round) =>
      same(kernelNearestIndices(inputSizes[i]!, wanted.length, halfPixelCenters, round), wanted)))) return halfPixelCenters;
  }
  return null;
}

/** The spec's clamped input coordinate of output position o. */
function inputCoordinate(inputSize: number, scale: number, o: number): number {
  return Math.min(Math.max((o + 0.5) / scale - 0.5, 0), inputSize - 1);
}

function filled<T extends Int32Array | Float32Array>(array: T, at: (o: number) => number): T {
  for (let o = 0; o < array.length; o++) array[o] = at(o);
  return array;
}

/** The output size up to which the builder checks whether ResizeNearestNeighbor reads the spec's indices. */
const NEAREST_CHECK_LIMIT = 2 ** 16;

export function buildResample2d(call: OpCall, inputArg: unknown, optionsArg: unknown): MLOperand {
  const options = toDictionary<Resample2dOptions>(call.where, 'options', optionsArg);
  const mode = toEnum(call.where, 'options.mode', options.mode, MODES, 'nearest-neighbor');
  const scalesOption = options.scales === undefined ? undefined
    : toSequence(call.where, 'options.scales', options.scales, (v, i) => toFloatItem(call, `options.scales[${i}]`, v));
  const sizesOption = options.sizes === undefined ? undefined
    : toUnsignedLongSequence(call.where, 'options.sizes', options.sizes);
  const axesOption = options.axes === undefined ? undefined
    : toUnsignedLongSequence(call.where, 'options.axes', options.axes);
  const input = call.operand('input', inputArg, 'input');
  const scales = scalesOption ?? [1, 1];
  if (scales.length !== 2) call.fail(`options.scales must have 2 items, got ${scales.length}`);
  if (scales.some((s) => s <= 0)) call.fail(`options.scales [${scales.join(', ')}] must be greater than 0`);
  if (sizesOption && (sizesOption.length !== 2 || sizesOption.includes(0))) {
    call.fail(`options.sizes [${sizesOption.join(', ')}] must be 2 non-zero sizes`);
  }
  const axes = axesOption ?? [2, 3];
  // The spec checks duplicates and range only; the operation is defined for exactly two axes.
  if (axes.length !== 2) call.fail(`options.axes must have 2 items, got ${axes.length}`);
  const rank = input.shape.length;
  if (axes[0] === axes[1]) call.fail(`options.axes [${axes.join(', ')}] contains duplicates`);
  if (axes.some((a) => a >= rank)) call.fail(`options.axes [${axes.join(', ')}] must be less than the input rank (${rank})`);

  const outputShape = [...input.shape];
  const sizes: number[] = [];
  const axisScales: number[] = [];
  for (let i = 0; i < 2; i++) {
    const inputSize = input.shape[axes[i]!]!;
    const size = sizesOption ? sizesOption[i]! : Math.floor(inputSize * scales[i]!);
    if (!isValidDimension(size)) call.fail(`output size ${size} along axis ${axes[i]} is not a valid dimension`);
    outputShape[axes[i]!] = size;
    sizes.push(size);
    axisScales.push(sizesOption ? size / inputSize : scales[i]!);
  }
  const output = { dataType: input.dataType, shape: outputShape };
  call.checkOutput(output);

  const inputSizes = [input.shape[axes[0]!]!, input.shape[axes[1]!]!];
  const identity = [0, 1].map((i) => inputSizes[i] === sizes[i] && axisScales[i] === 1) as [boolean, boolean];
  const ratioScales = [0, 1].every((i) => axisScales[i] === sizes[i]! / inputSizes[i]!);
  const base = { axes: axes as Pair, mode, sizes: sizes as Pair, resampled: [!identity[0], !identity[1]] as const };
  if (mode === 'linear' && ratioScales && !(identity[0] && identity[1])) {
    const attrs: Resample2dAttrs = { ...base, plan: 'bilinear' };
    return call.emitOne([input], { ...attrs }, output);
  }
  // The index and weight vectors are computed when the plan folds them: a builder step does no work that grows with
  // the output. Only the choice of ResizeNearestNeighbor compares indices here, for sizes images have.
  const coordinate = (i: number, o: number) => inputCoordinate(inputSizes[i]!, axisScales[i]!, o);
  const nearest = (i: number, o: number) => Math.ceil(coordinate(i, o) - 0.5);
  const extra: MLOperand[] = [];
  for (let i = 0; i < 2; i++) {
    if (identity[i]) continue;
    const size = sizes[i]!;
    const ints = (at: (o: number) => number) => () => filled(new Int32Array(size), at);
    if (mode === 'nearest-neighbor') {
      extra.push(buildTensor(call, ints((o) => nearest(i, o)), [size], 'int32'));
      continue;
    }
    const weightShape = new Array<number>(rank).fill(1);
    weightShape[axes[i]!] = size;
    const fraction = (o: number) => coordinate(i, o) - Math.floor(coordinate(i, o));
    extra.push(buildTensor(call, ints((o) => Math.floor(coordinate(i, o))), [size], 'int32'));
    extra.push(buildTensor(call, ints((o) => Math.ceil(coordinate(i, o))), [size], 'int32'));
    extra.push(buildTensor(call, () => filled(new Float32Array(size), (o) => 1 - fraction(o)), weightShape, 'float32'));
    extra.push(buildTensor(call, () => filled(new Float32Array(size), fraction), weightShape, 'float32'));
  }
  // Identity axes read index o at o under either setting: only the resampled ones are compared.
  const resampled = [0, 1].filter((i) => !identity[i]);
  const checked = mode === 'nearest-neighbor' && resampled.every((i) => sizes[i]! <= NEAREST_CHECK_LIMIT);
  const halfPixelCenters = checked
    ? nearestKernelSetting(resampled.map((i) => inputSizes[i]!),
      resampled.map((i) => Array.from({ length: sizes[i]! }, (_, o) => nearest(i, o))))
    : null;
  const attrs: Resample2dAttrs = { ...base, plan: 'gather', ...(halfPixelCenters === null ? {} : { halfPixelCenters }) };
  return call.emitOne([input, ...extra], { ...attrs }, output);
}

function lowerBilinear(tf: TF, x: Tensor, { axes, sizes }: Resample2dAttrs): Tensor {
  // ResizeBilinear resamples axes 1 and 2 of an NHWC tensor: move the two axes there.
  const others = [0, 1, 2, 3].filter((a) => a !== axes[0] && a !== axes[1]);
  const perm = [others[0]!, axes[0], axes[1], others[1]!];
  const moved = perm.every((p, i) => p === i) ? null : perm;
  const inverse = moved ? moved.map((_, i) => moved.indexOf(i)) : null;
  const y = tf.image.resizeBilinear(transposeIf(tf, x, moved) as never, sizes, false, true);
  return transposeIf(tf, y, inverse);
}

function lowerGather(tf: TF, inputs: readonly (Tensor | null)[], attrs: Resample2dAttrs): Tensor {
  const resampled = attrs.resampled[0] || attrs.resampled[1];
  if (resampled && attrs.halfPixelCenters !== undefined && attrs.axes[0] === 1 && attrs.axes[1] === 2) {
    return tf.image.resizeNearestNeighbor(inputs[0] as Parameters<TF['image']['resizeNearestNeighbor']>[0], attrs.sizes, false,
      attrs.halfPixelCenters);
  }
  let y = inputs[0]!;
  let next = 1;
  for (let i = 0; i < 2; i++) {
    if (!attrs.resampled[i]) continue;
    const axis = attrs.axes[i]!;
    if (attrs.mode === 'nearest-neighbor') {
      y = tf.gather(y, inputs[next++]!, axis);
      continue;
    }
    const [lower, upper, lowerWeight, upperWeight] = inputs.slice(next, next + 4) as Tensor[];
    next += 4;
    y = tf.add(tf.mul(tf.gather(y, lower!, axis), lowerWeight!), tf.mul(tf.gather(y, upper!, axis), upperWeight!));
  }
  return y;
}

/** The linear gathering form's weight inputs are shaped for their axes; the other forms work in any order. */
const anyOrder = (attrs: Resample2dAttrs) => attrs.plan === 'bilinear' || attrs.mode === 'nearest-neighbor';

defineOp<Resample2dAttrs>({
  name: 'resample2d',
  layout: {
    dataInputs: [0],
    // ResizeBilinear works on axes 1 and 2: NCHW data held as NHWC needs no transposes.
    preferred: (attrs) => (attrs.plan === 'bilinear' && [...attrs.axes].sort().join() === '2,3' ? NCHW_TO_NHWC : null),
    permute: (attrs, perm) => (anyOrder(attrs)
      ? { attrs: { ...attrs, axes: attrs.axes.map((a) => physicalAxis(perm, a)) as Pair }, outputPerms: [perm] } : null),
  },
  method: { length: 1, optionsIndex: 1, build: buildResample2d },
  limits: { input: limit(FLOAT_TYPES, 4, 4), output: limit(FLOAT_TYPES, 4, 4) },
  lower(inputs, attrs, { tf }) {
    return attrs.plan === 'bilinear' ? lowerBilinear(tf, inputs[0]!, attrs) : lowerGather(tf, inputs, attrs);
  },
  int32InputsArePositions: true,
});
