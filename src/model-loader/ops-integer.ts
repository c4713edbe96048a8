/**
 * MatMulInteger and ConvInteger with their exact int32 results, and DynamicQuantizeLinear.
 *
 * WebNN's matmul and conv2d take floats. The 8-bit operands, less their zero points, are integers of magnitude at most
 * 255 and float32 holds them exactly; so are their products and every partial sum while the sum of the products'
 * magnitudes stays within 2^24, whatever order the backend adds in. The contracted axis (the input channels of a
 * convolution) is cut into runs in which no output's bound passes 2^24 (the bound from the weights' values where they
 * are constants, from the types' extremes where not); each run is computed in float32, cast to int32 exactly, and the
 * runs are added in int32.
 */
import type { Converter, ConverterTable } from './converter.js';
import { forwardPads, spatialParams, webnnPadding } from './conv-padding.js';
import { toNumbers, type HostTensor } from './host-tensor.js';
import type { NodeImport } from './node-import.js';
import type { Operand } from './webnn-types.js';

/** The largest integer below which float32 holds every integer. */
const EXACT_LIMIT = 2 ** 24;
/** |q - zero point| of two 8-bit values (uint8 or int8). */
const MAX_OFFSET = 255;

const EIGHT_BIT = new Set(['uint8', 'int8']);

/** Input k (8-bit) less its zero point (input z, optional), as float32; the zero point reshaped by `zeroShape`. */
function centered(n: NodeImport, k: number, z: number, zeroShape: (zero: Operand) => readonly number[]): Operand {
  const dataType = n.dataType(k);
  if (!EIGHT_BIT.has(dataType)) throw n.unsupported(`input ${k} of type ${dataType} is not mapped (uint8 and int8 are)`);
  const x = n.builder.cast(n.operand(k), 'float32');
  if (!n.has(z)) return x;
  const zero = n.builder.cast(n.operand(z), 'float32');
  const shape = zeroShape(zero);
  return n.builder.sub(x, shape.join() === zero.shape.join() ? zero : n.builder.reshape(zero, [...shape]));
}

/** The largest |x - zero point| of input k: from its zero points where they are constants. */
function maxOffset(n: NodeImport, k: number, z: number): number {
  const [lo, hi] = n.dataType(k) === 'uint8' ? [0, 255] : [-128, 127];
  if (!n.has(z)) return Math.max(-lo, hi);
  const zero = n.host(z);
  if (!zero) return MAX_OFFSET;
  return Math.max(...toNumbers(zero).map((v) => Math.max(v - lo, hi - v)));
}

/** What index i of the contracted axis adds at most to each output: magnitudes of the weight less its zero point. */
interface Contributions {
  readonly outputs: number;
  readonly at: (i: number, output: number) => number;
}

/**
 * Splits [0, length) into runs in which no output's sum of magnitudes, scaled by the input's largest offset, passes
 * 2^24.
 */
function runs(n: NodeImport, length: number, inputOffset: number, contributions: Contributions): [number, number][] {
  const result: [number, number][] = [];
  const sums = new Float64Array(contributions.outputs);
  let start = 0;
  for (let i = 0; i < length; i++) {
    let fits = true;
    for (let o = 0; o < sums.length && fits; o++) fits = sums[o]! + inputOffset * contributions.at(i, o) <= EXACT_LIMIT;
    if (!fits) {
      if (i === start) throw n.unsupported(`index ${i} of its contracted axis alone can add up past 2^24, beyond float32's exact integers`);
      result.push([start, i]);
      start = i;
      sums.fill(0);
    }
    for (let o = 0; o < sums.length; o++) sums[o]! += inputOffset * contributions.at(i, o);
  }
  result.push([start, length]);
  return result;
}

/** The runs' int32 results added together. */
function sumInt32(n: NodeImport, parts: readonly Operand[]): Operand {
  return parts.map((p) => n.builder.cast(p, 'int32')).reduce((acc, p) => n.builder.add(acc, p));
}

/** A constant B [..., K, N]: row k adds |B[..., k, n] - b_zero_point[n]| to output column n of each batch. */
function matrixContributions(b: HostTensor, zero: HostTensor | null): Contributions {
  const values = toNumbers(b);
  const zeros = zero ? toNumbers(zero) : [0];
  const [rows, columns] = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape.slice(-2) as [number, number];
  const batches = values.length / (rows * columns);
  return {
    outputs: batches * columns,
    at: (k, output) => {
      const [t, column] = [Math.floor(output / columns), output % columns];
      return Math.abs(values[(t * rows + k) * columns + column]! - zeros[zeros.length === 1 ? 0 : column]!);
    },
  };
}

/** A constant filter [M, C, ...window]: input channel c adds the sum over its window of |w - w_zero_point[m]| to m. */
function filterContributions(w: HostTensor, zero: HostTensor | null): Contributions {
  const values = toNumbers(w);
  const zeros = zero ? toNumbers(zero) : [0];
  const [outputs, channels] = w.shape as [number, number];
  const window = w.shape.slice(2).reduce((p, d) => p * d, 1);
  const sums = new Float64Array(channels * outputs);
  for (let m = 0; m < outputs; m++) {
    const zeroPoint = zeros[zeros.length === 1 ? 0 : m]!;
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      const base = (m * channels + c) * window;
      for (let j = 0; j < window; j++) sum += Math.abs(values[base + j]! - zeroPoint);
      sums[c * outputs + m] = sum;
    }
  }
  return { outputs, at: (c, m) => sums[c * outputs + m]! };
}

/**
 * The runs of the contracted axis (length `length`): cut from the weight's values where it and its zero point are
 * constants, from the types' extremes (times `window`) where not.
 */
function contractedRuns(n: NodeImport, length: number, window: number,
  contributionsOf: (w: HostTensor, zero: HostTensor | null) => Contributions): [number, number][] {
  const weight = n.host(1);
  const zero = n.has(3) ? n.host(3) : null;
  const constant = weight && (!n.has(3) || zero);
  const worst = maxOffset(n, 1, 3) * window;
  const contributions = constant ? contributionsOf(weight, zero) : { outputs: 1, at: () => worst };
  return runs(n, length, maxOffset(n, 0, 2), contributions);
}

/** MatMulInteger: numpy's matmul of (A - a_zero_point) and (B - b_zero_point) in int32; a_zero_point per row of A. */
const matMulInteger: Converter = {
  minOpset: 10,
  convert(n) {
    const rowVector = n.rank(0) === 1;
    const columnVector = n.rank(1) === 1;
    let a = centered(n, 0, 2, (zero) => (zero.shape.length === 1 && zero.shape[0]! > 1 ? [zero.shape[0]!, 1] : zero.shape));
    let b = centered(n, 1, 3, (zero) => zero.shape);
    if (rowVector) a = n.builder.reshape(a, [1, a.shape[0]!]);
    if (columnVector) b = n.builder.reshape(b, [b.shape[0]!, 1]);
    const depth = a.shape[a.shape.length - 1]!;
    const bRank = b.shape.length;
    const parts = contractedRuns(n, depth, 1, matrixContributions).map(([start, end]) => {
      if (start === 0 && end === depth) return n.builder.matmul(a, b);
      const sliceA = n.builder.slice(a, a.shape.map((_, k) => (k === a.shape.length - 1 ? start : 0)),
        a.shape.map((d, k) => (k === a.shape.length - 1 ? end - start : d)));
      const sliceB = n.builder.slice(b, b.shape.map((_, k) => (k === bRank - 2 ? start : 0)),
        b.shape.map((d, k) => (k === bRank - 2 ? end - start : d)));
      return n.builder.matmul(sliceA, sliceB);
    });
    const y = sumInt32(n, parts);
    if (!rowVector && !columnVector) return y;
    const shape = [...y.shape];
    if (columnVector) shape.splice(-1, 1);
    if (rowVector) shape.splice(-(columnVector ? 1 : 2), 1);
    return n.builder.reshape(y, shape);
  },
};

/** ConvInteger: Conv of (x - x_zero_point) and (w - w_zero_point) in int32; w_zero_point per output channel. */
const convInteger: Converter = {
  minOpset: 10,
  convert(n) {
    const rank = n.rank(0);
    if (rank !== 4 && rank !== 3) throw n.unsupported(`${rank - 2}-D inputs are not mapped (WebNN's conv2d is 2-D)`);
    const as2d = (x: Operand) => (rank === 4 ? x : n.builder.reshape(x, [x.shape[0]!, x.shape[1]!, 1, x.shape[2]!]));
    const x = as2d(centered(n, 0, 2, () => []));
    const w = as2d(centered(n, 1, 3, (zero) => (zero.shape.length === 1 && zero.shape[0]! > 1 ? [zero.shape[0]!, 1, 1, ...(rank === 4 ? [1] : [])] : zero.shape)));
    const groups = n.int('group', 1);
    const params = spatialParams(n, n.ints('kernel_shape') ?? n.shape(1).slice(2));
    const pads = forwardPads(n, n.shape(0).slice(2), params);
    const with2d = (values: readonly number[], fill: number) => (values.length === 1 ? [fill, values[0]!] : [...values]);
    const options = {
      padding: webnnPadding([with2d(pads[0], 0), with2d(pads[1], 0)]),
      strides: with2d(params.strides, 1),
      dilations: with2d(params.dilations, 1),
      groups,
    };
    const channels = w.shape[1]!;
    const window = w.shape[2]! * w.shape[3]!;
    const channelRuns = contractedRuns(n, channels, window, filterContributions);
    const slice = (t: Operand, from: number, size: number) =>
      n.builder.slice(t, [0, from, 0, 0], [t.shape[0]!, size, t.shape[2]!, t.shape[3]!]);
    const parts = channelRuns.map(([start, end]) => {
      if (start === 0 && end === channels) return n.builder.conv2d(x, w, options);
      // The run's channels of every group, so that the grouped convolution pairs them with the filter's slice.
      const inputs = Array.from({ length: groups }, (_, g) => slice(x, g * channels + start, end - start));
      return n.builder.conv2d(groups === 1 ? inputs[0]! : n.builder.concat(inputs, 1), slice(w, start, end - start), options);
    });
    const y = sumInt32(n, parts);
    return rank === 4 ? y : n.builder.reshape(y, [y.shape[0]!, y.shape[1]!, y.shape[3]!]);
  },
};

/**
 * DynamicQuantizeLinear to uint8: the range [min(0, min x), max(0, max x)] mapped onto [0, 255]; the scale is the
 * range / 255, the zero point round(0 - min / scale) saturated, y = saturate(round(x / scale) + zero point), rounding
 * half to even. ONNX's formula divides by zero for an all-zero input (a
 * range of 0); there the scale is 1, as ONNX Runtime gives it, and y and the zero point 0.
 */
const dynamicQuantizeLinear: Converter = {
  minOpset: 11,
  convert(n) {
    const x = n.operand(0);
    if (x.dataType !== 'float32') throw n.unsupported(`input of type ${x.dataType} is not mapped (float32 is)`);
    const builder = n.builder;
    const c = (v: number) => builder.constant({ dataType: 'float32', shape: [] }, Float32Array.of(v));
    const axes = x.shape.map((_, k) => k);
    const low = builder.min(builder.reduceMin(x, { axes }), c(0));
    const high = builder.max(builder.reduceMax(x, { axes }), c(0));
    const range = builder.sub(high, low);
    const scale = builder.where(builder.equal(range, c(0)), c(1), builder.div(range, c(255)));
    const zeroPoint = builder.clamp(builder.roundEven(builder.sub(c(0), builder.div(low, scale))), { minValue: 0, maxValue: 255 });
    const y = builder.clamp(builder.add(builder.roundEven(builder.div(x, scale)), zeroPoint), { minValue: 0, maxValue: 255 });
    return [builder.cast(y, 'uint8'), scale, builder.cast(zeroPoint, 'uint8')];
  },
};

export const INTEGER_CONVERTERS: ConverterTable = [
  ['MatMulInteger', matMulInteger],
  ['ConvInteger', convInteger],
  ['DynamicQuantizeLinear', dynamicQuantizeLinear],
];
