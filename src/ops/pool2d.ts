/**
 * averagePool2d, l2Pool2d, maxPool2d: the spec's "create a pooling operation" steps, and the lowering.
 *
 * Padded cells take no part in a window: the average divides by the number of input cells the window covers
 * (TF.js's behaviour and ONNX's default count_include_pad = 0; the spec leaves it open), max acts as if padding
 * were -Infinity and l2 as if it were 0. A window that covers no input cell at all yields NaN (average),
 * -Infinity (max) and 0 (l2).
 *
 * "ceil" rounding and outputSizes become extra end padding, never TF.js's dimRoundingMode (wasm reads out of bounds
 * with it). Without dilations, and when every window covers an input cell, the native AvgPool / MaxPool kernels
 * run (NHWC). Otherwise - dilations, which TF.js cannot combine with strides, or windows lying wholly in padding,
 * where the wasm kernels return garbage - each spatial axis is gathered with a build-time index vector into
 * [out, window] and reduced.
 */
import { toDictionary, toEnum } from '../webidl.js';
import type { MLOperand } from './builder-internals.js';
import { buildTensor } from './build-tensor.js';
import {
  checkNonZero, convOutputSize, INPUT_LAYOUTS, isValidDimension, listOption, NCHW_TO_NHWC, nchwShape, NHWC_TO_NCHW,
  transposeIf, type InputLayout, type Pair, type Quad,
} from './conv-util.js';
import type { OpCall } from './op-call.js';
import { defineOp, FLOAT_TYPES, limit, type LowerEnv, type Tensor, type TF } from './registry.js';
import { meanOfRowsOf } from './js-mean.js';
import { channelsLastRule } from './layout-rules.js';
import type { MLOperandDataType } from '../types/data-type.js';

type PoolKind = 'average' | 'l2' | 'max';

interface Pool2dAttrs {
  readonly kind: PoolKind;
  readonly layout: InputLayout;
  readonly window: Pair;
  readonly strides: Pair;
  /** Native path: the spec's padding plus the end padding that realises the output size. */
  readonly padding: Quad;
  /**
   * Gather path (inputs: x, row indices, column indices, and a per-position tensor: 1 / cell count for average,
   * 0 or -Infinity for max when some window has no input cell); the native path otherwise.
   */
  readonly gather: boolean;
}

interface Pool2dOptions {
  windowDimensions: unknown; padding: unknown; strides: unknown; dilations: unknown;
  layout: unknown; outputShapeRounding: unknown; outputSizes: unknown;
}

/**
 * The windows along one spatial axis: output position o reads input positions o * stride + k * dilation - padBegin
 * for k in [0, window). Everything is computed per position in constant time, and the vectors only when the plan folds
 * them: a builder step does no work that grows with the output.
 */
class AxisWindows {
  constructor(readonly kind: PoolKind, readonly inputSize: number, readonly outputSize: number, readonly window: number,
    readonly stride: number, readonly dilation: number, readonly padBegin: number) {}

  /** The taps of position o that are inside the input: [first, last] (empty when first > last). */
  #insideTaps(o: number): [number, number] {
    const start = o * this.stride - this.padBegin;
    return [Math.max(0, Math.ceil(-start / this.dilation)),
      Math.min(this.window - 1, Math.floor((this.inputSize - 1 - start) / this.dilation))];
  }

  /** The number of input cells the window of position o covers. */
  covered(o: number): number {
    const [first, last] = this.#insideTaps(o);
    return Math.max(0, last - first + 1);
  }

  /**
   * Whether some window may cover no input cell. While the dilation is at most the input size, a window straddling
   * the input has a tap inside it, so only the first and last windows can be empty; otherwise (rare) maybe.
   */
  someEmpty(): boolean {
    if (this.dilation > this.inputSize) return true;
    return this.covered(0) === 0 || this.covered(this.outputSize - 1) === 0;
  }

  /**
   * For each output position and window tap, the input index. A tap outside the input points at a padding cell
   * (index `inputSize`) for the sums; for max it repeats a tap of the same window that is inside (which leaves the
   * maximum unchanged and needs no -Infinity padding, which webgl's pad cannot produce), or 0 if there is none.
   */
  index(): Int32Array {
    const { window, stride, dilation, padBegin, inputSize } = this;
    const index = new Int32Array(this.outputSize * window);
    for (let o = 0; o < this.outputSize; o++) {
      const [first, last] = this.#insideTaps(o);
      const start = o * stride - padBegin;
      const outside = this.kind !== 'max' ? inputSize : first <= last ? start + first * dilation : 0;
      for (let k = 0; k < window; k++) index[o * window + k] = k >= first && k <= last ? start + k * dilation : outside;
    }
    return index;
  }
}

const ROUNDINGS = ['floor', 'ceil'] as const;

function buildPool2d(call: OpCall, kind: PoolKind, inputArg: unknown, optionsArg: unknown): MLOperand {
  const options = toDictionary<Pool2dOptions>(call.where, 'options', optionsArg);
  const input = call.operand('input', inputArg, 'input');
  const layout = toEnum(call.where, 'options.layout', options.layout, INPUT_LAYOUTS, 'nchw');
  const rounding = toEnum(call.where, 'options.outputShapeRounding', options.outputShapeRounding, ROUNDINGS, 'floor');
  const [batches, channels, inputHeight, inputWidth] = nchwShape(input.shape, layout);
  const window = listOption<Pair>(call, 'windowDimensions', options.windowDimensions, 2, [inputHeight, inputWidth]);
  checkNonZero(call, 'windowDimensions', window);
  // The spec resets padding to 0 when outputSizes is given, which defeats the sizes it then checks; like the
  // reference implementation, padding is kept.
  const padding = listOption<Quad>(call, 'padding', options.padding, 4, [0, 0, 0, 0]);
  const strides = listOption<Pair>(call, 'strides', options.strides, 2, [1, 1]);
  checkNonZero(call, 'strides', strides);
  const outputSizes = options.outputSizes === undefined
    ? null : listOption<Pair>(call, 'outputSizes', options.outputSizes, 2);
  const dilations = listOption<Pair>(call, 'dilations', options.dilations, 2, [1, 1]);
  checkNonZero(call, 'dilations', dilations);

  const calcHeight = convOutputSize(inputHeight, window[0], padding[0], padding[1], strides[0], dilations[0]);
  const calcWidth = convOutputSize(inputWidth, window[1], padding[2], padding[3], strides[1], dilations[1]);
  let outputHeight: number;
  let outputWidth: number;
  if (outputSizes) {
    [outputHeight, outputWidth] = outputSizes;
    const floors = outputHeight === Math.floor(calcHeight) && outputWidth === Math.floor(calcWidth);
    const ceils = outputHeight === Math.ceil(calcHeight) && outputWidth === Math.ceil(calcWidth);
    if (!floors && !ceils) {
      call.fail(`options.outputSizes [${outputSizes.join(', ')}] must be the floor or the ceiling of [${calcHeight}, ${calcWidth}]`);
    }
  } else {
    const round = rounding === 'floor' ? Math.floor : Math.ceil;
    outputHeight = round(calcHeight);
    outputWidth = round(calcWidth);
  }
  if (!isValidDimension(outputHeight) || !isValidDimension(outputWidth)) {
    call.fail(`the output size [${outputHeight}, ${outputWidth}] is not valid (window larger than the padded input)`);
  }
  const outputShape = layout === 'nchw'
    ? [batches, channels, outputHeight, outputWidth]
    : [batches, outputHeight, outputWidth, channels];
  const output = { dataType: input.dataType, shape: outputShape };
  call.checkOutput(output);

  const rows = new AxisWindows(kind, inputHeight, outputHeight, window[0], strides[0], dilations[0], padding[0]);
  const cols = new AxisWindows(kind, inputWidth, outputWidth, window[1], strides[1], dilations[1], padding[2]);
  const someWindowEmpty = rows.someEmpty() || cols.someEmpty();
  // Integer max pooling gathers and reduces with Max, exact in int32; TF.js's MaxPool kernels compute in float32.
  const integer = !FLOAT_TYPES.includes(input.dataType);
  const gather = integer || dilations[0] !== 1 || dilations[1] !== 1 || someWindowEmpty;
  // End padding that makes TF.js's floor-rounded size the output size (ceil rounding, outputSizes).
  const extraHeight = Math.max(0, (outputHeight - 1) * strides[0] + window[0] - (inputHeight + padding[0] + padding[1]));
  const extraWidth = Math.max(0, (outputWidth - 1) * strides[1] + window[1] - (inputWidth + padding[2] + padding[3]));
  const attrs: Pool2dAttrs = {
    kind, layout, window, strides, gather,
    padding: [padding[0], padding[1] + extraHeight, padding[2], padding[3] + extraWidth],
  };
  if (!gather) return call.emitOne([input], { ...attrs }, output);
  const rowIndex = buildTensor(call, () => rows.index(), [outputHeight * window[0]], 'int32');
  const colIndex = buildTensor(call, () => cols.index(), [outputWidth * window[1]], 'int32');
  // Per output position; computed when the plan folds the node.
  const counts = (value: (count: number) => number, Values: Int32ArrayConstructor | Float32ArrayConstructor) => () => {
    const values = new Values(outputHeight * outputWidth);
    for (let r = 0; r < outputHeight; r++) {
      const rowCount = rows.covered(r);
      for (let c = 0; c < outputWidth; c++) values[r * outputWidth + c] = value(rowCount * cols.covered(c));
    }
    return values;
  };
  const positionShape = layout === 'nchw' ? [outputHeight, outputWidth] : [outputHeight, outputWidth, 1];
  let perPosition: MLOperand | null = null;
  if (kind === 'average') {
    // A product with 1 / count, as webgl's division returns 1 for 0 / 0: NaN marks a window without input cells.
    perPosition = buildTensor(call, counts((n) => (n === 0 ? NaN : 1 / n), Float32Array), positionShape, 'float32');
  } else if (kind === 'max' && someWindowEmpty && integer) {
    // An upper bound per position: the type's lowest value where a window has no input cell (as -Infinity for floats).
    const [lowest, highest] = INTEGER_RANGES[input.dataType]!;
    perPosition = buildTensor(call, counts((n) => (n === 0 ? lowest : highest), Int32Array), positionShape, 'int32');
  } else if (kind === 'max' && someWindowEmpty) {
    perPosition = buildTensor(call, counts((n) => (n === 0 ? -Infinity : 0), Float32Array), positionShape, 'float32');
  }
  return call.emitOne([input, rowIndex, colIndex, perPosition], { ...attrs }, output);
}

/** Gathers `axis` into [out * window] positions, splits that into [out, window] and reduces the window. */
function reduceWindows(tf: TF, x: Tensor, index: Tensor, axis: number, window: number, kind: PoolKind): Tensor {
  const g = tf.gather(x, index, axis);
  const shape = g.shape;
  const split = tf.reshape(g, [...shape.slice(0, axis), shape[axis]! / window, window, ...shape.slice(axis + 1)]);
  return kind === 'max' ? tf.max(split, axis + 1) : tf.sum(split, axis + 1);
}

function lowerGather(tf: TF, x: Tensor, rowIndex: Tensor, colIndex: Tensor, perPosition: Tensor | null,
  attrs: Pool2dAttrs): Tensor {
  const [hAxis, wAxis] = attrs.layout === 'nchw' ? [2, 3] : [1, 2];
  let source = x;
  if (attrs.kind !== 'max') {
    // One zero cell at the end of each spatial axis: the sums' out-of-input taps point at it.
    const pad: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]];
    pad[hAxis] = [0, 1];
    pad[wAxis] = [0, 1];
    source = tf.pad(attrs.kind === 'l2' ? tf.square(x) : x, pad);
  }
  const byRow = reduceWindows(tf, source, rowIndex, hAxis, attrs.window[0], attrs.kind);
  const pooled = reduceWindows(tf, byRow, colIndex, wAxis, attrs.window[1], attrs.kind);
  if (attrs.kind === 'l2') return tf.sqrt(pooled);
  if (attrs.kind === 'average') return tf.mul(pooled, perPosition!);
  if (!perPosition) return pooled;
  return pooled.dtype === 'int32' ? tf.minimum(pooled, perPosition) : tf.add(pooled, perPosition);
}

function lowerNative(input: Tensor, attrs: Pool2dAttrs, env: LowerEnv): Tensor {
  const { tf, backend } = env;
  const { kind, window, strides, padding } = attrs;
  const nchw = attrs.layout === 'nchw';
  const spatial = nchw ? [2, 3] : [1, 2];
  if (kind !== 'l2' && padding.every((p) => p === 0) && window[0] === input.shape[spatial[0]!] &&
    window[1] === input.shape[spatial[1]!]) {
    // The cpu backend's Mean over height and width of NHWC data transposes it first, element by element: its AvgPool
    // reads the plane where it is (in Node, [1, 2, 96, 200]: 2.1 ms against 0.1 ms) and keeps NaN, as Mean does.
    // (wasm's AvgPool, XNNPACK's, turns NaN into -Infinity; cpu's MaxPool drops NaN.)
    if (kind === 'average' && !nchw && backend === 'cpu' && input.dtype === 'float32') {
      // The kernel itself: tf.avgPool() casts its float32 result to float32 again, a kernel more.
      return tf.engine().runKernel('AvgPool', { x: input }, { filterSize: window, strides: 1, pad: 'valid' }) as Tensor;
    }
    // Global pooling (one window over the whole plane) as one reduction, in either layout: TF.js's AvgPool also casts.
    if (kind === 'max') return tf.max(input, spatial, true);
    return meanOfRowsOf(input, spatial, true, env) ?? tf.mean(input, spatial, true);
  }
  const x = transposeIf(tf, input, nchw ? NCHW_TO_NHWC : null) as Parameters<TF['avgPool']>[0];
  const pad: [number, number][] = [[0, 0], [padding[0], padding[1]], [padding[2], padding[3]], [0, 0]];
  let y: Tensor;
  if (kind === 'max') {
    y = tf.maxPool(x, window, strides, pad as never);
  } else if (kind === 'average') {
    y = tf.avgPool(x, window, strides, pad as never);
  } else {
    // Sum of squares = mean over a zero-padded window times its area.
    const squares = (padding.some((p) => p > 0) ? tf.pad(tf.square(x), pad) : tf.square(x)) as typeof x;
    y = tf.sqrt(tf.mul(tf.avgPool(squares, window, strides, 'valid'), window[0] * window[1]));
  }
  return transposeIf(tf, y, nchw ? NHWC_TO_NCHW : null);
}

/** The integer types max pooling takes (held as int32 by every backend; a webgl context computes them on cpu). */
const INTEGER_RANGES: Partial<Record<MLOperandDataType, readonly [number, number]>> = {
  int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

function pool(name: string, kind: PoolKind): void {
  const types = kind === 'max' ? [...FLOAT_TYPES, 'int32', 'int8', 'uint8'] as const : FLOAT_TYPES;
  defineOp<Pool2dAttrs>({
    name,
    method: { length: 1, optionsIndex: 1, build: (call, input, options) => buildPool2d(call, kind, input, options) },
    limits: { input: limit(types, 4, 4), output: limit(types, 4, 4) },
    // The gathering form's position inputs are shaped for its layout.
    layout: channelsLastRule('layout', (attrs) => !attrs.gather),
    lower([x, rowIndex, colIndex, perPosition], attrs, env) {
      return attrs.gather ? lowerGather(env.tf, x!, rowIndex!, colIndex!, perPosition ?? null, attrs) : lowerNative(x!, attrs, env);
    },
    int32InputsArePositions: true,
  });
}

pool('averagePool2d', 'average');
pool('l2Pool2d', 'l2');
pool('maxPool2d', 'max');
