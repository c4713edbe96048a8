/**
 * Every MLGraphBuilder operation with a named (symbolic) input dimension, under the dynamic-shape proposal.
 *
 * This is a differential test. The static path of each operation is tested against float64 references in
 * test/ops/*; here the static path is the reference for the symbolic machinery. For each case one graph is built
 * with a named dimension, and for each size of the names it must give:
 * - an MLOperand.shape of the static call's rank, with its static sizes, the names it keeps and fresh names for
 *   derived dimensions;
 * - from computeShapes(), the shapes of the same call built with static shapes of those sizes;
 * - from dispatch, exactly the output bytes of that static graph, fed the same input bytes.
 * The static graphs are built in a fresh builder with the proposal switched off. The proposal's own operations exist
 * only with it on: those cases give a static equivalent (squeeze as reshape, sliceDynamic as slice, ...) built with
 * the proposal off, or, where the static spec has none (shape, range, the moduli), the same call on static shapes.
 * Constants (weights, indices, shape values) stay static.
 *
 * A case the library does not yet handle carries `knownIssue`: it still runs, and passes only while it fails the way
 * the issue says, so a fix shows up as a failure that asks for the mark to be removed.
 */
import type { MLContext } from '../../src/api/context.js';
import type { MLGraph } from '../../src/api/graph.js';
import type { MLOperand } from '../../src/api/operand.js';
import { dynamicShapesEnabled, setDynamicShapes } from '../../src/api/proposal.js';
import { allOps } from '../../src/ops/registry.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertThrows, contextFor, forEachBackend, randomData, size, typedArrayFor, withDynamicShapes,
} from '../util/harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the proposal's methods are not on the static builder type */
type Builder = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

type Dim = number | string;
type Sizes = Readonly<Record<string, number>>;
type Operands = Readonly<Record<string, MLOperand>>;
type Outputs = MLOperand | MLOperand[];

/** In an expected symbolic shape: a derived dimension, a fresh name other than every input's names. */
const DERIVED = '?';

/** An input dimension: a size, a name, or a bounded name. */
type InputDim = Dim | { readonly name: string; readonly maxSize: number; readonly minSize?: number };

interface InputSpec {
  readonly name: string;
  readonly dataType: MLOperandDataType;
  readonly shape: readonly InputDim[];
  /** The data for `count` elements; by default random in [-1, 1] for floats, 0/1 for uint8, [-9, 9] for integers. */
  readonly data?: (count: number, seed: number) => number[];
}

interface KnownIssue {
  readonly reason: string;
  /** What the failure says, as it is today. */
  readonly failure: string | RegExp;
}

interface OpCase {
  /** The registry name of the operation the case is for. */
  readonly op: string;
  readonly title: string;
  readonly inputs: readonly InputSpec[];
  readonly build: (b: Builder, x: Operands) => Outputs;
  /** A static-spec equivalent, built with the proposal off; by default `build` itself on static shapes. */
  readonly reference?: (b: Builder, x: Operands, sizes: Sizes) => Outputs;
  /** MLOperand.shape of each output (null: unranked); DERIVED for a derived dimension. */
  readonly expect: readonly (readonly Dim[] | null)[];
  /** Sizes for the names at which the graph is valid (default: two sets, 2, 3, ... and 5, 6, ...). */
  readonly sizes?: readonly Sizes[];
  /** Sizes at which the graph is invalid: computeShapes() and dispatch throw a TypeError. */
  readonly invalid?: readonly Sizes[];
  readonly knownIssue?: KnownIssue;
}

interface RejectCase {
  readonly op: string;
  readonly title: string;
  readonly inputs: readonly InputSpec[];
  readonly build: (b: Builder, x: Operands) => unknown;
  readonly message?: string | RegExp;
}

// ---- operands -------------------------------------------------------------------------------------------------

const f32 = (name: string, shape: readonly InputDim[], data?: InputSpec['data']): InputSpec =>
  ({ name, dataType: 'float32', shape, ...(data ? { data } : {}) });
const typed = (name: string, dataType: MLOperandDataType, shape: readonly InputDim[]): InputSpec => ({ name, dataType, shape });
const positive = (count: number, seed: number) => randomData(count, seed, 0.25, 2);
const integers = (lo: number, hi: number) => (count: number, seed: number) =>
  randomData(count, seed, lo, hi + 1).map(Math.floor);
/** Ordinary values with NaN and the infinities among them. */
const withSpecials = (count: number, seed: number) =>
  randomData(count, seed).map((v, i) => [v, NaN, Infinity, v, -Infinity][i % 5]!);

function constF32(b: Builder, shape: number[], seed: number, lo = -1, hi = 1): MLOperand {
  return b.constant({ dataType: 'float32', shape }, new Float32Array(randomData(size(shape), seed, lo, hi)));
}
const constOf = (b: Builder, dataType: MLOperandDataType, shape: number[], values: number[]): MLOperand =>
  b.constant({ dataType, shape }, typedArrayFor({ dataType, shape, data: values }));
const u32 = (b: Builder, values: number[]): MLOperand => constOf(b, 'uint32', [values.length], values);
/** The sizes of dimensions [start, start + count) of x, as a uint32 shape value. */
const dimsOf = (b: Builder, x: MLOperand, start: number, count = 1): MLOperand => b.slice(b.shape(x), [start], [count]);

// ---- the table ------------------------------------------------------------------------------------------------

const BINARY = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'] as const;
const UNARY = ['abs', 'neg', 'sign', 'identity', 'ceil', 'floor', 'roundEven', 'cos', 'sin', 'tan', 'erf', 'exp', 'log',
  'sqrt', 'reciprocal'] as const;
const POSITIVE_ONLY = new Set(['log', 'sqrt', 'reciprocal', 'pow']);
const COMPARISONS = ['equal', 'notEqual', 'greater', 'greaterOrEqual', 'lesser', 'lesserOrEqual'] as const;
const LOGICAL_BINARY = ['logicalAnd', 'logicalOr', 'logicalXor'] as const;
const ACTIVATIONS: readonly [string, Record<string, unknown>?][] = [
  ['relu'], ['clamp', { minValue: -0.5, maxValue: 0.25 }], ['sigmoid'], ['tanh'], ['leakyRelu', { alpha: 0.125 }],
  ['hardSigmoid', { alpha: 0.3, beta: 0.4 }], ['hardSwish'], ['elu', { alpha: 0.7 }], ['linear', { alpha: 1.5, beta: -0.25 }],
  ['softplus'], ['softsign'], ['gelu'],
];
const REDUCTIONS: readonly [string, Record<string, unknown>, Dim[]][] = [
  ['reduceL1', { axes: [0] }, [3, 4]],
  ['reduceL2', { axes: [1], keepDimensions: true }, ['n', 1, 4]],
  ['reduceLogSum', { axes: [1, 2] }, ['n']],
  ['reduceLogSumExp', { axes: [0, 2] }, [3]],
  ['reduceMax', {}, []],
  ['reduceMean', { axes: [0], keepDimensions: true }, [1, 3, 4]],
  ['reduceMin', { axes: [2] }, ['n', 3]],
  ['reduceProduct', { axes: [1] }, ['n', 4]],
  ['reduceSum', { axes: [0, 1] }, [4]],
  ['reduceSumSquare', { axes: [2], keepDimensions: true }, ['n', 3, 1]],
];

const CASES: OpCase[] = [
  ...BINARY.map((op): OpCase => ({
    op, title: `${op}(['n', 3], constant [3])`,
    inputs: [f32('a', ['n', 3], POSITIVE_ONLY.has(op) ? positive : undefined)],
    build: (b, x) => b[op](x['a'], constF32(b, [3], 11, 0.5, 1.5)),
    expect: [['n', 3]],
  })),
  {
    op: 'add', title: "add(['n', 3], ['n', 3]): two inputs sharing a name",
    inputs: [f32('a', ['n', 3]), f32('c', ['n', 3])],
    build: (b, x) => b.add(x['a'], x['c']),
    expect: [['n', 3]],
  },
  ...UNARY.map((op): OpCase => ({
    op, title: `${op}(['n', 3])`,
    inputs: [f32('x', ['n', 3], POSITIVE_ONLY.has(op) ? positive : (count, seed) => randomData(count, seed, -3, 3))],
    build: (b, x) => b[op](x['x']),
    expect: [['n', 3]],
  })),
  ...COMPARISONS.map((op): OpCase => ({
    op, title: `${op}(['n', 3], constant [3])`,
    inputs: [f32('a', ['n', 3], integers(-2, 2))],
    build: (b, x) => b[op](x['a'], constOf(b, 'float32', [3], [-1, 0, 1])),
    expect: [['n', 3]],
  })),
  {
    op: 'logicalNot', title: "logicalNot(uint8 ['n', 3])",
    inputs: [typed('a', 'uint8', ['n', 3])],
    build: (b, x) => b.logicalNot(x['a']),
    expect: [['n', 3]],
  },
  ...LOGICAL_BINARY.map((op): OpCase => ({
    op, title: `${op}(uint8 ['n', 3], uint8 ['n', 1])`,
    inputs: [typed('a', 'uint8', ['n', 3]), typed('c', 'uint8', ['n', 1])],
    build: (b, x) => b[op](x['a'], x['c']),
    expect: [['n', 3]],
  })),
  ...(['isNaN', 'isInfinite'] as const).map((op): OpCase => ({
    op, title: `${op}(['n', 3]) with NaN and infinities`,
    inputs: [f32('x', ['n', 3], withSpecials)],
    build: (b, x) => b[op](x['x']),
    expect: [['n', 3]],
  })),
  ...ACTIVATIONS.map(([op, options]): OpCase => ({
    op, title: `${op}(['n', 3]${options ? `, ${JSON.stringify(options)}` : ''})`,
    inputs: [f32('x', ['n', 3], (count, seed) => randomData(count, seed, -4, 4))],
    build: (b, x) => (options ? b[op](x['x'], options) : b[op](x['x'])),
    expect: [['n', 3]],
  })),
  {
    op: 'prelu', title: "prelu(['n', 3], constant slope [3])",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.prelu(x['x'], constF32(b, [3], 12)),
    expect: [['n', 3]],
  },
  {
    op: 'softmax', title: "softmax(['n', 3], 1)",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.softmax(x['x'], 1),
    expect: [['n', 3]],
  },
  {
    op: 'softmax', title: "softmax(['n', 3], 0): over the named axis",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.softmax(x['x'], 0),
    expect: [['n', 3]],
  },
  {
    op: 'cast', title: "cast(['n', 3], 'int32')",
    inputs: [f32('x', ['n', 3], (count, seed) => randomData(count, seed, -50, 50))],
    build: (b, x) => b.cast(x['x'], 'int32'),
    expect: [['n', 3]],
  },
  {
    op: 'conv2d', title: "conv2d([1, 2, 'h', 'w'], constant [3, 2, 3, 3], strides 2, padding 1)",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.conv2d(x['x'], constF32(b, [3, 2, 3, 3], 13), { strides: [2, 2], padding: [1, 1, 1, 1], bias: constF32(b, [3], 14) }),
    expect: [[1, 3, DERIVED, DERIVED]],
  },
  {
    op: 'conv2d', title: "conv2d(['n', 2, 'h', 'w'], constant [3, 2, 3, 3], padding 1): same-size output keeps the names",
    inputs: [f32('x', ['n', 2, 'h', 'w'])],
    build: (b, x) => b.conv2d(x['x'], constF32(b, [3, 2, 3, 3], 15), { padding: [1, 1, 1, 1] }),
    expect: [['n', 3, 'h', 'w']],
  },
  {
    op: 'convTranspose2d', title: "convTranspose2d([1, 2, 'h', 'w'], constant [2, 3, 3, 3])",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.convTranspose2d(x['x'], constF32(b, [2, 3, 3, 3], 16), { bias: constF32(b, [3], 17) }),
    expect: [[1, 3, DERIVED, DERIVED]],
  },
  {
    op: 'averagePool2d', title: "averagePool2d([1, 2, 'h', 'w'], window 2x2)",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.averagePool2d(x['x'], { windowDimensions: [2, 2] }),
    expect: [[1, 2, DERIVED, DERIVED]],
  },
  {
    op: 'l2Pool2d', title: "l2Pool2d([1, 2, 'h', 'w']): global, a static output",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.l2Pool2d(x['x']),
    expect: [[1, 2, 1, 1]],
  },
  {
    op: 'maxPool2d', title: "maxPool2d([1, 2, 'h', 'w'], window 2x2, strides 2, ceil)",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.maxPool2d(x['x'], { windowDimensions: [2, 2], strides: [2, 2], roundingType: 'ceil' }),
    expect: [[1, 2, DERIVED, DERIVED]],
  },
  {
    op: 'batchNormalization', title: "batchNormalization(['n', 3, 'h'], constant mean, variance, scale, bias [3])",
    inputs: [f32('x', ['n', 3, 'h'])],
    build: (b, x) => b.batchNormalization(x['x'], constF32(b, [3], 18), constF32(b, [3], 19, 0.5, 2),
      { scale: constF32(b, [3], 20), bias: constF32(b, [3], 21) }),
    expect: [['n', 3, 'h']],
  },
  {
    op: 'resample2d', title: "resample2d([1, 2, 'h', 'w'], linear, scales [2, 1.5])",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.resample2d(x['x'], { mode: 'linear', scales: [2, 1.5] }),
    expect: [[1, 2, DERIVED, DERIVED]],
  },
  {
    op: 'resample2d', title: "resample2d([1, 2, 'h', 'w'], sizes [4, 6]): a static output",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.resample2d(x['x'], { sizes: [4, 6] }),
    expect: [[1, 2, 4, 6]],
  },
  {
    op: 'gemm', title: "gemm(['m', 4], constant [4, 3], c [3])",
    inputs: [f32('a', ['m', 4])],
    build: (b, x) => b.gemm(x['a'], constF32(b, [4, 3], 22), { c: constF32(b, [3], 23), alpha: 0.5 }),
    expect: [['m', 3]],
  },
  {
    op: 'gemm', title: "gemm(['k', 'm'] transposed, constant [4, 3])",
    inputs: [f32('a', [4, 'm'])],
    build: (b, x) => b.gemm(x['a'], constF32(b, [4, 3], 24), { aTranspose: true }),
    expect: [['m', 3]],
  },
  {
    op: 'matmul', title: "matmul(['b', 'm', 4], constant [4, 3])",
    inputs: [f32('a', ['b', 'm', 4])],
    build: (b, x) => b.matmul(x['a'], constF32(b, [4, 3], 25)),
    expect: [['b', 'm', 3]],
  },
  {
    op: 'matmul', title: "matmul(['m', 'k'], ['k', 'p']): the inner dimension named",
    inputs: [f32('a', ['m', 'k']), f32('c', ['k', 'p'])],
    build: (b, x) => b.matmul(x['a'], x['c']),
    expect: [['m', 'p']],
  },
  {
    op: 'transpose', title: "transpose(['n', 3, 'k'])",
    inputs: [f32('x', ['n', 3, 'k'])],
    build: (b, x) => b.transpose(x['x']),
    expect: [['k', 3, 'n']],
  },
  {
    op: 'reshape', title: "reshape(['n', 'm'], [6]): valid where n * m = 6",
    inputs: [f32('x', ['n', 'm'])],
    build: (b, x) => b.reshape(x['x'], [6]),
    expect: [[6]],
    sizes: [{ n: 2, m: 3 }, { n: 3, m: 2 }, { n: 6, m: 1 }],
    invalid: [{ n: 2, m: 2 }, { n: 5, m: 1 }],
  },
  {
    op: 'concat', title: "concat([['n', 3], ['m', 3]], 0)",
    inputs: [f32('x', ['n', 3]), f32('y', ['m', 3])],
    build: (b, x) => b.concat([x['x'], x['y']], 0),
    expect: [[DERIVED, 3]],
  },
  {
    op: 'concat', title: "concat([['n', 3], constant [2, 3], ['n', 3]], 1)",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.concat([x['x'], constF32(b, [2, 3], 26), x['x']], 0),
    expect: [[DERIVED, 3]],
  },
  {
    op: 'concat', title: "concat([['n', 3], ['n', 2]], 1)",
    inputs: [f32('x', ['n', 3]), f32('y', ['n', 2])],
    build: (b, x) => b.concat([x['x'], x['y']], 1),
    expect: [['n', 5]],
  },
  {
    op: 'gather', title: "gather(['n', 4], constant int32 [2], axis 1)",
    inputs: [f32('x', ['n', 4])],
    build: (b, x) => b.gather(x['x'], constOf(b, 'int32', [2], [3, 0]), { axis: 1 }),
    expect: [['n', 2]],
  },
  {
    op: 'gather', title: "gather(['n', 4], constant int32 [2, 1], axis 0): indices into the named axis",
    inputs: [f32('x', ['n', 4])],
    build: (b, x) => b.gather(x['x'], constOf(b, 'int32', [2, 1], [1, 0])),
    expect: [[2, 1, 4]],
  },
  {
    op: 'slice', title: "slice(['n', 4], [0, 1], [1, 2]): a static output",
    inputs: [f32('x', ['n', 4])],
    build: (b, x) => b.slice(x['x'], [0, 1], [1, 2]),
    expect: [[1, 2]],
  },
  {
    op: 'split', title: "split(['n', 6], 3, axis 1)",
    inputs: [f32('x', ['n', 6])],
    build: (b, x) => b.split(x['x'], 3, { axis: 1 }),
    expect: [['n', 2], ['n', 2], ['n', 2]],
  },
  {
    op: 'split', title: "split([2, 'n'], [1, 1], axis 0)",
    inputs: [f32('x', [2, 'n'])],
    build: (b, x) => b.split(x['x'], [1, 1]),
    expect: [[1, 'n'], [1, 'n']],
  },
  {
    op: 'pad', title: "pad(['n', 3], [1, 0], [0, 2], constant 0.5)",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.pad(x['x'], [1, 0], [0, 2], { value: 0.5 }),
    expect: [[DERIVED, 5]],
  },
  {
    op: 'pad', title: "pad(['n', 3], [0, 1], [0, 1], edge): the named dimension unpadded",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.pad(x['x'], [0, 1], [0, 1], { mode: 'edge' }),
    expect: [['n', 5]],
  },
  ...REDUCTIONS.map(([op, options, expect]): OpCase => ({
    op, title: `${op}(['n', 3, 4], ${JSON.stringify(options)})`,
    inputs: [f32('x', ['n', 3, 4], op === 'reduceLogSum' || op === 'reduceProduct' ? positive : undefined)],
    build: (b, x) => b[op](x['x'], options),
    expect: [expect],
  })),
  {
    op: 'argMin', title: "argMin(['n', 3], 0): over the named axis",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.argMin(x['x'], 0),
    expect: [[3]],
  },
  {
    op: 'argMax', title: "argMax(['n', 3], 1, keepDimensions)",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.argMax(x['x'], 1, { keepDimensions: true }),
    expect: [['n', 1]],
  },
  {
    op: 'cumulativeSum', title: "cumulativeSum(['n', 3], 0, exclusive, reversed)",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.cumulativeSum(x['x'], 0, { exclusive: true, reversed: true }),
    expect: [['n', 3]],
  },
  {
    op: 'expand', title: "expand(['n', 3], [4, 3]): valid where n is 1 or 4",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.expand(x['x'], [4, 3]),
    expect: [[4, 3]],
    sizes: [{ n: 1 }, { n: 4 }],
    invalid: [{ n: 2 }],
  },
  {
    op: 'expand', title: "expand(['n', 1], [2, 1, 4]) where n is 1",
    inputs: [f32('x', ['n', 1])],
    build: (b, x) => b.expand(x['x'], [2, 1, 4]),
    expect: [[2, 1, 4]],
    sizes: [{ n: 1 }],
    invalid: [{ n: 3 }],
  },
  {
    op: 'reverse', title: "reverse(['n', 3], axes [0])",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.reverse(x['x'], { axes: [0] }),
    expect: [['n', 3]],
  },
  {
    op: 'tile', title: "tile(['n', 3], [2, 1])",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.tile(x['x'], [2, 1]),
    expect: [[DERIVED, 3]],
  },
  {
    op: 'triangular', title: "triangular(['n', 'm'], lower, diagonal 1)",
    inputs: [f32('x', ['n', 'm'])],
    build: (b, x) => b.triangular(x['x'], { upper: false, diagonal: 1 }),
    expect: [['n', 'm']],
  },
  {
    op: 'where', title: "where(uint8 ['n', 3], ['n', 3], constant [3])",
    inputs: [typed('c', 'uint8', ['n', 3]), f32('t', ['n', 3])],
    build: (b, x) => b.where(x['c'], x['t'], constF32(b, [3], 27)),
    expect: [['n', 3]],
  },
  {
    op: 'instanceNormalization', title: "instanceNormalization(['n', 2, 'h', 'w'], scale, bias [2])",
    inputs: [f32('x', ['n', 2, 'h', 'w'])],
    build: (b, x) => b.instanceNormalization(x['x'], { scale: constF32(b, [2], 28), bias: constF32(b, [2], 29), epsilon: 1e-3 }),
    expect: [['n', 2, 'h', 'w']],
  },
  {
    op: 'layerNormalization', title: "layerNormalization(['n', 3, 4], axes [2], scale [4])",
    inputs: [f32('x', ['n', 3, 4])],
    build: (b, x) => b.layerNormalization(x['x'], { axes: [2], scale: constF32(b, [4], 30) }),
    expect: [['n', 3, 4]],
  },
  {
    op: 'layerNormalization', title: "layerNormalization(['n', 'seq', 4]), default axes: over the named axis",
    inputs: [f32('x', ['n', 'seq', 4])],
    build: (b, x) => b.layerNormalization(x['x']),
    expect: [['n', 'seq', 4]],
  },
  {
    op: 'gatherND', title: "gatherND([3, 'n'], constant int32 [2, 1])",
    inputs: [f32('x', [3, 'n'])],
    build: (b, x) => b.gatherND(x['x'], constOf(b, 'int32', [2, 1], [2, 0])),
    expect: [[2, 'n']],
  },
  {
    op: 'gatherElements', title: "gatherElements([3, 'n'], constant int32 [3, 2], axis 1)",
    inputs: [f32('x', [3, 'n'])],
    build: (b, x) => b.gatherElements(x['x'], constOf(b, 'int32', [3, 2], [0, 1, 1, 1, 1, 0]), { axis: 1 }),
    expect: [[3, 2]],
  },
  {
    op: 'scatterElements', title: "scatterElements([3, 'n'], constant int32 [3, 2], constant [3, 2], axis 1)",
    inputs: [f32('x', [3, 'n'])],
    build: (b, x) => b.scatterElements(x['x'], constOf(b, 'int32', [3, 2], [0, 1, 1, 0, 1, 0]), constF32(b, [3, 2], 31), { axis: 1 }),
    expect: [[3, 'n']],
  },
  {
    op: 'scatterND', title: "scatterND(['n', 3], constant int32 [2, 1], constant [2, 3])",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.scatterND(x['x'], constOf(b, 'int32', [2, 1], [1, 0]), constF32(b, [2, 3], 32)),
    expect: [['n', 3]],
  },
  {
    op: 'quantizeLinear', title: "quantizeLinear(['n', 3], constant scale [1, 3], int8 zeroPoint [1, 3])",
    inputs: [f32('x', ['n', 3], (count, seed) => randomData(count, seed, -20, 20))],
    build: (b, x) => b.quantizeLinear(x['x'], constF32(b, [1, 3], 33, 0.1, 0.5), constOf(b, 'int8', [1, 3], [-3, 0, 7])),
    expect: [['n', 3]],
  },
  {
    op: 'dequantizeLinear', title: "dequantizeLinear(uint8 ['n', 3], constant scale [1, 3], uint8 zeroPoint [1, 3])",
    inputs: [{ name: 'x', dataType: 'uint8', shape: ['n', 3], data: integers(0, 255) }],
    build: (b, x) => b.dequantizeLinear(x['x'], constF32(b, [1, 3], 34, 0.1, 0.5), constOf(b, 'uint8', [1, 3], [3, 128, 250])),
    expect: [['n', 3]],
  },
  {
    op: 'gru', title: "gru([2, 'batch', 3], hidden 4, bidirectional, returnSequence)",
    inputs: [f32('x', [2, 'batch', 3])],
    build: (b, x) => b.gru(x['x'], constF32(b, [2, 12, 3], 35), constF32(b, [2, 12, 4], 36), 2, 4,
      { bias: constF32(b, [2, 12], 37), direction: 'both', returnSequence: true }),
    expect: [[2, 'batch', 4], [2, 2, 'batch', 4]],
  },
  {
    op: 'gruCell', title: "gruCell(['batch', 3], hiddenState ['batch', 4])",
    inputs: [f32('x', ['batch', 3]), f32('h', ['batch', 4])],
    build: (b, x) => b.gruCell(x['x'], constF32(b, [12, 3], 38), constF32(b, [12, 4], 39), x['h'], 4,
      { recurrentBias: constF32(b, [12], 40) }),
    expect: [['batch', 4]],
  },
  {
    op: 'lstm', title: "lstm([2, 'batch', 3], hidden 4, returnSequence)",
    inputs: [f32('x', [2, 'batch', 3])],
    build: (b, x) => b.lstm(x['x'], constF32(b, [1, 16, 3], 41), constF32(b, [1, 16, 4], 42), 2, 4,
      { bias: constF32(b, [1, 16], 43), returnSequence: true }),
    expect: [[1, 'batch', 4], [1, 'batch', 4], [2, 1, 'batch', 4]],
  },
  {
    op: 'lstmCell', title: "lstmCell(['batch', 3], hiddenState, cellState ['batch', 4])",
    inputs: [f32('x', ['batch', 3]), f32('h', ['batch', 4]), f32('c', ['batch', 4])],
    build: (b, x) => b.lstmCell(x['x'], constF32(b, [16, 3], 44), constF32(b, [16, 4], 45), x['h'], x['c'], 4,
      { peepholeWeight: constF32(b, [12], 46) }),
    expect: [['batch', 4], ['batch', 4]],
  },
  // The proposal's operations.
  {
    op: 'modulusFloor', title: "modulusFloor(['n', 3], constant [3])",
    inputs: [f32('a', ['n', 3], (count, seed) => randomData(count, seed, -5, 5))],
    build: (b, x) => b.modulusFloor(x['a'], constOf(b, 'float32', [3], [0.75, -1.25, 2])),
    expect: [['n', 3]],
  },
  {
    op: 'modulusTruncate', title: "modulusTruncate(int32 ['n', 3], constant int32 [3])",
    inputs: [{ name: 'a', dataType: 'int32', shape: ['n', 3], data: integers(-20, 20) }],
    build: (b, x) => b.modulusTruncate(x['a'], constOf(b, 'int32', [3], [3, -4, 5])),
    expect: [['n', 3]],
  },
  {
    op: 'shape', title: "shape(['n', 3]) as an output",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.shape(x['x']),
    expect: [[2]],
  },
  {
    op: 'shape', title: "shape(['n', 3]) cast and added to the data",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.add(x['x'], b.cast(b.reshape(dimsOf(b, x['x'], 0), [1, 1]), 'float32')),
    expect: [['n', 3]],
  },
  {
    op: 'range', title: "range(0, n, 1) with n from shape(['n', 3]), added to a reduction of the data",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => {
      const limit = b.reshape(b.cast(dimsOf(b, x['x'], 0), 'int32'), []);
      const positions = b.range(b.constant('int32', 0), limit, b.constant('int32', 1));
      return b.add(b.reduceSum(x['x'], { axes: [1] }), b.cast(positions, 'float32'));
    },
    expect: [['n']],
  },
  {
    op: 'squeeze', title: "squeeze(['n', 1, 3], axes [1])",
    inputs: [f32('x', ['n', 1, 3])],
    build: (b, x) => b.squeeze(x['x'], { axes: [1] }),
    reference: (b, x, s) => b.reshape(x['x'], [s['n'], 3]),
    expect: [['n', 3]],
  },
  {
    op: 'squeeze', title: "squeeze([1, 'n', 1]) without axes: unranked",
    inputs: [f32('x', [1, 'n', 1])],
    build: (b, x) => b.squeeze(x['x']),
    reference: (b, x, s) => b.reshape(x['x'], s['n'] === 1 ? [] : [s['n']]),
    expect: [null],
    sizes: [{ n: 2 }, { n: 5 }, { n: 1 }],
  },
  {
    op: 'unsqueeze', title: "unsqueeze(['n', 3], [0, 2])",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.unsqueeze(x['x'], [0, 2]),
    reference: (b, x, s) => b.reshape(x['x'], [1, s['n'], 1, 3]),
    expect: [[1, 'n', 1, 3]],
  },
  {
    op: 'reshapeTo2d', title: "reshapeTo2d([2, 'n', 3], axis 2)",
    inputs: [f32('x', [2, 'n', 3])],
    build: (b, x) => b.reshapeTo2d(x['x'], { axis: 2 }),
    reference: (b, x, s) => b.reshape(x['x'], [2 * s['n']!, 3]),
    expect: [[DERIVED, 3]],
  },
  {
    op: 'reshapeTo2d', title: "reshapeTo2d(['n', 3, 4]), axis 1 by default",
    inputs: [f32('x', ['n', 3, 4])],
    build: (b, x) => b.reshapeTo2d(x['x']),
    reference: (b, x, s) => b.reshape(x['x'], [s['n'], 12]),
    expect: [['n', 12]],
  },
  {
    op: 'reshapeDynamic', title: "reshapeDynamic(['n', 6], [n * 2, 3] from shape())",
    inputs: [f32('x', ['n', 6])],
    build: (b, x) => b.reshapeDynamic(x['x'], b.concat([b.mul(dimsOf(b, x['x'], 0), u32(b, [2])), u32(b, [3])], 0)),
    reference: (b, x, s) => b.reshape(x['x'], [2 * s['n']!, 3]),
    expect: [[DERIVED, 3]],
  },
  {
    op: 'expandDynamic', title: "expandDynamic(['n', 1], [n, 4] from shape())",
    inputs: [f32('x', ['n', 1])],
    build: (b, x) => b.expandDynamic(x['x'], b.concat([dimsOf(b, x['x'], 0), u32(b, [4])], 0)),
    reference: (b, x, s) => b.expand(x['x'], [s['n'], 4]),
    expect: [['n', 4]],
  },
  {
    op: 'tileDynamic', title: "tileDynamic(['n', 3], constant [2, 1])",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.tileDynamic(x['x'], u32(b, [2, 1])),
    reference: (b, x) => b.tile(x['x'], [2, 1]),
    expect: [[DERIVED, 3]],
  },
  {
    op: 'sliceDynamic', title: "sliceDynamic(['n', 4], [0, 1], [n, 2] from shape())",
    inputs: [f32('x', ['n', 4])],
    build: (b, x) => b.sliceDynamic(x['x'], u32(b, [0, 1]), b.concat([dimsOf(b, x['x'], 0), u32(b, [2])], 0)),
    reference: (b, x, s) => b.slice(x['x'], [0, 1], [s['n'], 2]),
    expect: [['n', 2]],
  },
  {
    op: 'padDynamic', title: "padDynamic(['n', 3], constant [1, 0], [0, 2])",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.padDynamic(x['x'], u32(b, [1, 0]), u32(b, [0, 2])),
    reference: (b, x) => b.pad(x['x'], [1, 0], [0, 2]),
    expect: [[DERIVED, 5]],
  },
  {
    op: 'splitDynamic', title: "splitDynamic(['n', 6], scalar 3, axis 1)",
    inputs: [f32('x', ['n', 6])],
    build: (b, x) => b.splitDynamic(x['x'], constOf(b, 'uint32', [], [3]), { axis: 1 }),
    reference: (b, x) => b.split(x['x'], 3, { axis: 1 }),
    expect: [['n', 2], ['n', 2], ['n', 2]],
  },
  {
    op: 'resample2dDynamic', title: "resample2dDynamic([1, 2, 'h', 'w'], sizes [2h, 2w] from shape())",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.resample2dDynamic(x['x'], { mode: 'linear', sizes: b.mul(dimsOf(b, x['x'], 2, 2), u32(b, [2, 2])) }),
    reference: (b, x, s) => b.resample2d(x['x'], { mode: 'linear', sizes: [2 * s['h']!, 2 * s['w']!] }),
    expect: [[1, 2, DERIVED, DERIVED]],
  },
  // More ways of naming dimensions: index operands, layouts, shape chains, derived dimensions meeting.
  {
    op: 'gather', title: "gather([5, 3], int32 indices input ['k'])",
    inputs: [f32('x', [5, 3]), { name: 'i', dataType: 'int32', shape: ['k'], data: integers(0, 4) }],
    build: (b, x) => b.gather(x['x'], x['i']),
    expect: [['k', 3]],
  },
  {
    op: 'gatherND', title: "gatherND([4, 'n'], int32 indices input ['k', 1])",
    inputs: [f32('x', [4, 'n']), { name: 'i', dataType: 'int32', shape: ['k', 1], data: integers(0, 3) }],
    build: (b, x) => b.gatherND(x['x'], x['i']),
    expect: [['k', 'n']],
  },
  {
    op: 'matmul', title: "matmul(['b', 2, 3], ['b', 3, 4]): a named batch on both sides",
    inputs: [f32('a', ['b', 2, 3]), f32('c', ['b', 3, 4])],
    build: (b, x) => b.matmul(x['a'], x['c']),
    expect: [['b', 2, 4]],
  },
  {
    op: 'gemm', title: "gemm(['m', 4], constant [4, 3], c input ['m', 1])",
    inputs: [f32('a', ['m', 4]), f32('c', ['m', 1])],
    build: (b, x) => b.gemm(x['a'], constF32(b, [4, 3], 55), { c: x['c'], beta: 2 }),
    expect: [['m', 3]],
  },
  {
    op: 'conv2d', title: "conv2d(['n', 'h', 'w', 2] nhwc, constant ohwi [3, 3, 3, 2], padding 1, dilations 2)",
    inputs: [f32('x', ['n', 'h', 'w', 2])],
    build: (b, x) => b.conv2d(x['x'], constF32(b, [3, 3, 3, 2], 56),
      { inputLayout: 'nhwc', filterLayout: 'ohwi', padding: [2, 2, 2, 2], dilations: [2, 2] }),
    expect: [['n', 'h', 'w', 3]],
  },
  {
    op: 'averagePool2d', title: "averagePool2d([1, 2, 'h', 'w'], window 2x2, strides [2, 1], dilations [1, 2])",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.averagePool2d(x['x'], { windowDimensions: [2, 2], strides: [2, 1], dilations: [1, 2] }),
    expect: [[1, 2, DERIVED, DERIVED]],
  },
  {
    op: 'resample2d', title: "resample2d([1, 'h', 'w', 2], nearest, scales [2, 3], axes [1, 2])",
    inputs: [f32('x', [1, 'h', 'w', 2])],
    build: (b, x) => b.resample2d(x['x'], { scales: [2, 3], axes: [1, 2] }),
    expect: [[1, DERIVED, DERIVED, 2]],
  },
  {
    op: 'pad', title: "pad(['n', 3], [1, 0], [1, 0], reflection): along the named axis",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.pad(x['x'], [1, 0], [1, 0], { mode: 'reflection' }),
    expect: [[DERIVED, 3]],
  },
  {
    op: 'gru', title: "gru([2, 'batch', 3], initialHiddenState input [1, 'batch', 4])",
    inputs: [f32('x', [2, 'batch', 3]), f32('h0', [1, 'batch', 4])],
    build: (b, x) => b.gru(x['x'], constF32(b, [1, 12, 3], 57), constF32(b, [1, 12, 4], 58), 2, 4,
      { initialHiddenState: x['h0'], resetAfter: false, layout: 'rzn' }),
    expect: [[1, 'batch', 4]],
  },
  {
    op: 'add', title: "add(concat([x, x], 0), tile(x, [2, 1])): two derived dimensions of one size",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.add(b.concat([x['x'], x['x']], 0), b.tile(x['x'], [2, 1])),
    expect: [[DERIVED, 3]],
  },
  {
    op: 'add', title: "add(concat([x, y], 0), concat([y, x], 0)): n + m both ways",
    inputs: [f32('x', ['n', 3]), f32('y', ['m', 3])],
    build: (b, x) => b.add(b.concat([x['x'], x['y']], 0), b.concat([x['y'], x['x']], 0)),
    expect: [[DERIVED, 3]],
  },
  {
    op: 'reshapeDynamic', title: "reshapeDynamic(['b', 's', 4], [b * s, 4] through reduceProduct of shape())",
    inputs: [f32('x', ['b', 's', 4])],
    build: (b, x) => b.reshapeDynamic(x['x'],
      b.concat([b.reduceProduct(dimsOf(b, x['x'], 0, 2), { axes: [0], keepDimensions: true }), u32(b, [4])], 0)),
    reference: (b, x, s) => b.reshape(x['x'], [s['b']! * s['s']!, 4]),
    expect: [[DERIVED, 4]],
  },
  {
    op: 'reshapeDynamic', title: "reshapeDynamic(['n', 6], [n, 2, 3] through gather of shape())",
    inputs: [f32('x', ['n', 6])],
    build: (b, x) => b.reshapeDynamic(x['x'], b.concat([b.gather(b.shape(x['x']), constOf(b, 'int32', [1], [0])), u32(b, [2, 3])], 0)),
    reference: (b, x, s) => b.reshape(x['x'], [s['n'], 2, 3]),
    expect: [['n', 2, 3]],
  },
  {
    op: 'sliceDynamic', title: "sliceDynamic(['n', 4]): the last row, starts [n - 1, 0] from shape()",
    inputs: [f32('x', ['n', 4])],
    build: (b, x) => b.sliceDynamic(x['x'], b.concat([b.sub(dimsOf(b, x['x'], 0), u32(b, [1])), u32(b, [0])], 0), u32(b, [1, 4])),
    reference: (b, x, s) => b.slice(x['x'], [s['n']! - 1, 0], [1, 4]),
    expect: [[1, 4]],
  },
  {
    op: 'splitDynamic', title: "splitDynamic(['n', 4], [1, n - 1] from shape(), axis 0)",
    inputs: [f32('x', ['n', 4])],
    build: (b, x) => b.splitDynamic(x['x'], b.concat([u32(b, [1]), b.sub(dimsOf(b, x['x'], 0), u32(b, [1]))], 0)),
    reference: (b, x, s) => b.split(x['x'], [1, s['n']! - 1]),
    expect: [[1, 4], [DERIVED, 4]],
  },
  {
    op: 'tileDynamic', title: "tileDynamic(['n', 3], [1, n] from shape())",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.tileDynamic(x['x'], b.concat([u32(b, [1]), dimsOf(b, x['x'], 0)], 0)),
    reference: (b, x, s) => b.tile(x['x'], [1, s['n']]),
    expect: [['n', DERIVED]],
  },
  {
    op: 'expandDynamic', title: "expandDynamic([3, 1], [3, n] from the shape of another input ['n'])",
    inputs: [f32('x', [3, 1]), f32('y', ['n'])],
    build: (b, x) => b.add(b.expandDynamic(x['x'], b.concat([u32(b, [3]), b.shape(x['y'])], 0)), x['y']),
    reference: (b, x, s) => b.add(b.expand(x['x'], [3, s['n']]), x['y']),
    expect: [[3, 'n']],
  },
  {
    op: 'convTranspose2d', title: "convTranspose2d(['n', 2, 'h', 'w'], strides 2, outputPadding 1, padding 1)",
    inputs: [f32('x', ['n', 2, 'h', 'w'])],
    build: (b, x) => b.convTranspose2d(x['x'], constF32(b, [2, 3, 3, 3], 59), { strides: [2, 2], outputPadding: [1, 1], padding: [1, 1, 1, 1] }),
    expect: [['n', 3, DERIVED, DERIVED]],
  },
  {
    op: 'slice', title: "slice(['n', 6], [0, 1], [1, 5], strides [1, 2])",
    inputs: [f32('x', ['n', 6])],
    build: (b, x) => b.slice(x['x'], [0, 1], [1, 5], { strides: [1, 2] }),
    expect: [[1, 3]],
  },
  {
    op: 'gatherElements', title: "gatherElements(['n', 4], int32 indices input ['n', 2], axis 1)",
    inputs: [f32('x', ['n', 4]), { name: 'i', dataType: 'int32', shape: ['n', 2], data: integers(0, 3) }],
    build: (b, x) => b.gatherElements(x['x'], x['i'], { axis: 1 }),
    expect: [['n', 2]],
  },
  {
    op: 'scatterElements', title: "scatterElements(['n', 4], indices and updates inputs ['n', 2], axis 1)",
    inputs: [f32('x', ['n', 4]), { name: 'i', dataType: 'int32', shape: ['n', 2], data: (count) => Array.from({ length: count }, (_, k) => [0, 3, 2, 1][k % 4]!) },
      f32('u', ['n', 2])],
    build: (b, x) => b.scatterElements(x['x'], x['i'], x['u'], { axis: 1 }),
    expect: [['n', 4]],
  },
  {
    op: 'scatterND', title: "scatterND([5, 3], indices input ['k', 1], updates input ['k', 3])",
    inputs: [f32('x', [5, 3]), { name: 'i', dataType: 'int32', shape: ['k', 1], data: (count) => Array.from({ length: count }, (_, k) => 4 - k) },
      f32('u', ['k', 3])],
    build: (b, x) => b.scatterND(x['x'], x['i'], x['u']),
    expect: [[5, 3]],
  },
  {
    op: 'prelu', title: "prelu(['n', 3], slope input ['n', 1])",
    inputs: [f32('x', ['n', 3]), f32('s', ['n', 1])],
    build: (b, x) => b.prelu(x['x'], x['s']),
    expect: [['n', 3]],
  },
  {
    op: 'dequantizeLinear', title: "dequantizeLinear(int8 ['n', 4], scale input ['n', 2], int8 zeroPoint input ['n', 2]): per-row blocks",
    inputs: [typed('x', 'int8', ['n', 4]), f32('s', ['n', 2], positive), typed('z', 'int8', ['n', 2])],
    build: (b, x) => b.dequantizeLinear(x['x'], x['s'], x['z']),
    expect: [['n', 4]],
  },
  {
    op: 'triangular', title: "triangular(['b', 3, 'm'], upper, diagonal -1)",
    inputs: [f32('x', ['b', 3, 'm'])],
    build: (b, x) => b.triangular(x['x'], { diagonal: -1 }),
    expect: [['b', 3, 'm']],
  },
  {
    op: 'instanceNormalization', title: "instanceNormalization([1, 'h', 'w', 'c'] nhwc): the channels named",
    inputs: [f32('x', [1, 'h', 'w', 'c'])],
    build: (b, x) => b.instanceNormalization(x['x'], { layout: 'nhwc' }),
    expect: [[1, 'h', 'w', 'c']],
  },
  {
    op: 'lstm', title: "lstm(['steps' fixed 2, 'batch'], bidirectional, initial states inputs [2, 'batch', 4])",
    inputs: [f32('x', [2, 'batch', 3]), f32('h0', [2, 'batch', 4]), f32('c0', [2, 'batch', 4])],
    build: (b, x) => b.lstm(x['x'], constF32(b, [2, 16, 3], 60), constF32(b, [2, 16, 4], 61), 2, 4,
      { initialHiddenState: x['h0'], initialCellState: x['c0'], direction: 'both', layout: 'ifgo' }),
    expect: [[2, 'batch', 4], [2, 'batch', 4]],
  },
  {
    op: 'maxPool2d', title: "maxPool2d([1, 2, 'h', 'w'], window 2x2, strides 2, outputSizes [3, 3]): h, w from 5 to 7, rounded alike",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.maxPool2d(x['x'], { windowDimensions: [2, 2], strides: [2, 2], outputSizes: [3, 3] }),
    expect: [[1, 2, 3, 3]],
    sizes: [{ h: 6, w: 5 }, { h: 7, w: 6 }],
    invalid: [{ h: 8, w: 6 }, { h: 6, w: 4 }, { h: 5, w: 7 }],
  },
  {
    op: 'relu', title: "relu(squeeze([1, 'n', 1])): an unranked operand",
    inputs: [f32('x', [1, 'n', 1])],
    build: (b, x) => b.relu(b.squeeze(x['x'])),
    reference: (b, x, s) => b.relu(b.reshape(x['x'], s['n'] === 1 ? [] : [s['n']])),
    expect: [null],
    sizes: [{ n: 1 }, { n: 4 }],
  },
  {
    op: 'reduceSum', title: "reduceSum(squeeze([1, 'n', 1])): a scalar from an unranked operand",
    inputs: [f32('x', [1, 'n', 1])],
    build: (b, x) => b.reduceSum(b.squeeze(x['x'])),
    reference: (b, x) => b.reduceSum(x['x']),
    expect: [[]],
    sizes: [{ n: 1 }, { n: 4 }],
  },
  {
    op: 'reshapeTo2d', title: "reshapeTo2d(squeeze([1, 'n', 1, 3])): rank 2 from an unranked operand",
    inputs: [f32('x', [1, 'n', 1, 3])],
    build: (b, x) => b.reshapeTo2d(b.squeeze(x['x'])),
    reference: (b, x, s) => b.reshape(x['x'], s['n'] === 1 ? [3, 1] : [s['n'], 3]),
    expect: [[DERIVED, DERIVED]],
    sizes: [{ n: 1 }, { n: 4 }],
  },
  {
    op: 'sliceDynamic', title: "sliceDynamic(['n', 4]): the first half, sizes [n / 2, 4] through div of shape()",
    inputs: [f32('x', ['n', 4])],
    build: (b, x) => b.sliceDynamic(x['x'], u32(b, [0, 0]), b.concat([b.div(dimsOf(b, x['x'], 0), u32(b, [2])), u32(b, [4])], 0)),
    reference: (b, x, s) => b.slice(x['x'], [0, 0], [Math.floor(s['n']! / 2), 4]),
    expect: [[DERIVED, 4]],
  },
  {
    op: 'padDynamic', title: "padDynamic(['n', 3]) to a multiple of 8: (8 - n mod 8) mod 8 through modulusFloor of shape()",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => {
      const eight = u32(b, [8]);
      const ending = b.modulusFloor(b.sub(eight, b.modulusFloor(dimsOf(b, x['x'], 0), eight)), eight);
      return b.padDynamic(x['x'], u32(b, [0, 0]), b.concat([ending, u32(b, [0])], 0));
    },
    reference: (b, x, s) => b.pad(x['x'], [0, 0], [(8 - (s['n']! % 8)) % 8, 0]),
    expect: [[DERIVED, 3]],
    sizes: [{ n: 5 }, { n: 8 }, { n: 13 }],
  },
  {
    op: 'padDynamic', title: "padDynamic(['n', 3]) to an even length: where(equal(modulusFloor(n, 2), 0), 0, 1)",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => {
      const odd = b.modulusFloor(dimsOf(b, x['x'], 0), u32(b, [2]));
      const ending = b.where(b.equal(odd, u32(b, [0])), u32(b, [0]), u32(b, [1]));
      return b.padDynamic(x['x'], u32(b, [0, 0]), b.concat([ending, u32(b, [0])], 0));
    },
    reference: (b, x, s) => b.pad(x['x'], [0, 0], [s['n']! % 2, 0]),
    expect: [[DERIVED, 3]],
  },
  {
    op: 'range', title: "range(-n, 0, 1) with n from shape() through neg: n positions",
    inputs: [f32('x', ['n'])],
    build: (b, x) => {
      const start = b.neg(b.reshape(b.cast(b.shape(x['x']), 'int32'), []));
      return b.add(x['x'], b.cast(b.range(start, b.constant('int32', 0), b.constant('int32', 1)), 'float32'));
    },
    expect: [['n']],
  },
  {
    op: 'matmul', title: "matmul(['n', 'n'], ['n', 'n']): one name twice in a shape",
    inputs: [f32('a', ['n', 'n'])],
    build: (b, x) => b.matmul(x['a'], b.transpose(x['a'])),
    expect: [['n', 'n']],
  },
  {
    op: 'add', title: "add([{n, maxSize 6}, 3], ['n', 3]): a bounded name",
    inputs: [f32('a', [{ name: 'n', maxSize: 6 }, 3]), f32('c', ['n', 3])],
    build: (b, x) => b.add(x['a'], x['c']),
    expect: [['n', 3]],
    sizes: [{ n: 1 }, { n: 6 }],
    invalid: [{ n: 7 }],
  },
  // Names that must take particular values: accepted at build, checked at computeShapes() and dispatch.
  {
    op: 'add', title: "add(concat([x, x], 0), pad(x, [1, 0], [0, 0])): 2n = n + 1 only where n is 1",
    inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.add(b.concat([x['x'], x['x']], 0), b.pad(x['x'], [1, 0], [0, 0])),
    // A derived name: inference does not solve 2n = n + 1, and a fresh name claims nothing false.
    expect: [[DERIVED, 3]],
    sizes: [{ n: 1 }],
    invalid: [{ n: 2 }],
  },
  {
    op: 'add', title: "add(['n', 3], [4, 3]): n is 4 or 1",
    inputs: [f32('a', ['n', 3]), f32('c', [4, 3])],
    build: (b, x) => b.add(x['a'], x['c']),
    expect: [[4, 3]],
    sizes: [{ n: 4 }, { n: 1 }],
    invalid: [{ n: 2 }],
  },
  {
    op: 'add', title: "add(['n', 3], ['m', 3]): n and m broadcast, one of them 1 or both equal",
    inputs: [f32('a', ['n', 3]), f32('c', ['m', 3])],
    build: (b, x) => b.add(x['a'], x['c']),
    expect: [[DERIVED, 3]],
    sizes: [{ n: 4, m: 4 }, { n: 1, m: 5 }, { n: 3, m: 1 }],
    invalid: [{ n: 2, m: 3 }],
  },
  {
    op: 'matmul', title: "matmul(['m', 'k'], constant [3, 2]): k is 3",
    inputs: [f32('a', ['m', 'k'])],
    build: (b, x) => b.matmul(x['a'], constF32(b, [3, 2], 47)),
    expect: [['m', 2]],
    sizes: [{ m: 2, k: 3 }, { m: 5, k: 3 }],
    invalid: [{ m: 2, k: 4 }],
  },
  {
    op: 'conv2d', title: "conv2d([1, 2, 'h', 'w'], constant [3, 2, 3, 3]): the window fits where h, w >= 3",
    inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.conv2d(x['x'], constF32(b, [3, 2, 3, 3], 48)),
    expect: [[1, 3, DERIVED, DERIVED]],
    sizes: [{ h: 3, w: 4 }, { h: 6, w: 3 }],
    invalid: [{ h: 2, w: 4 }],
  },
  {
    op: 'slice', title: "slice(['n', 4], [2, 0], [2, 4]): n >= 4",
    inputs: [f32('x', ['n', 4])],
    build: (b, x) => b.slice(x['x'], [2, 0], [2, 4]),
    expect: [[2, 4]],
    sizes: [{ n: 4 }, { n: 7 }],
    invalid: [{ n: 3 }],
  },
  {
    op: 'split', title: "split(['n', 2], 2): n even",
    inputs: [f32('x', ['n', 2])],
    build: (b, x) => b.split(x['x'], 2),
    expect: [[DERIVED, 2], [DERIVED, 2]],
    sizes: [{ n: 2 }, { n: 6 }],
    invalid: [{ n: 3 }],
  },
  {
    op: 'split', title: "split(['n', 2], 7): n a multiple of 7",
    inputs: [f32('x', ['n', 2])],
    build: (b, x) => b.split(x['x'], 7),
    expect: [[DERIVED, 2], [DERIVED, 2], [DERIVED, 2], [DERIVED, 2], [DERIVED, 2], [DERIVED, 2], [DERIVED, 2]],
    sizes: [{ n: 7 }, { n: 14 }],
    invalid: [{ n: 8 }],
  },
  {
    op: 'split', title: "split(['n', 2], 7), then reshape to [4]: valid where n is 14",
    inputs: [f32('x', ['n', 2])],
    build: (b, x) => b.reshape(b.split(x['x'], 7)[0], [4]),
    expect: [[4]],
    sizes: [{ n: 14 }],
    invalid: [{ n: 7 }],
  },
  {
    op: 'gatherElements', title: "gatherElements(['n', 2], constant int32 [3, 2], axis 1): n is 3",
    inputs: [f32('x', ['n', 2])],
    build: (b, x) => b.gatherElements(x['x'], constOf(b, 'int32', [3, 2], [0, 1, 1, 0, 1, 1]), { axis: 1 }),
    expect: [[3, 2]],
    sizes: [{ n: 3 }],
    invalid: [{ n: 4 }],
  },
  {
    op: 'quantizeLinear', title: "quantizeLinear(['n', 3], constant scale [2, 3]): n a multiple of 2",
    inputs: [f32('x', ['n', 3], (count, seed) => randomData(count, seed, -20, 20))],
    build: (b, x) => b.quantizeLinear(x['x'], constF32(b, [2, 3], 49, 0.1, 0.5), constOf(b, 'uint8', [2, 3], [0, 9, 128, 200, 3, 77])),
    expect: [['n', 3]],
    sizes: [{ n: 2 }, { n: 6 }],
    invalid: [{ n: 3 }],
  },
  {
    op: 'quantizeLinear', title: "quantizeLinear(['n', 3], constant scale [7, 3]): n a multiple of 7",
    inputs: [f32('x', ['n', 3], (count, seed) => randomData(count, seed, -20, 20))],
    build: (b, x) => b.quantizeLinear(x['x'], constF32(b, [7, 3], 52, 0.1, 0.5), constOf(b, 'int8', [7, 3], randomData(21, 53, -9, 9).map(Math.round))),
    expect: [['n', 3]],
    sizes: [{ n: 7 }, { n: 14 }],
    invalid: [{ n: 8 }],
  },
  {
    op: 'quantizeLinear', title: "quantizeLinear(['n', 3], constant scale [7, 3]), then add constant [14, 3]: valid where n is 14",
    inputs: [f32('x', ['n', 3], (count, seed) => randomData(count, seed, -20, 20))],
    build: (b, x) => b.add(b.cast(b.quantizeLinear(x['x'], constF32(b, [7, 3], 50, 0.1, 0.5), constOf(b, 'int8', [7, 3], randomData(21, 54, -9, 9).map(Math.round))),
      'float32'), constF32(b, [14, 3], 51)),
    expect: [[14, 3]],
    sizes: [{ n: 14 }],
    invalid: [{ n: 7 }],
  },
];

/** Build must reject: static dimensions contradict, whatever sizes the names take. */
const REJECTIONS: RejectCase[] = [
  { op: 'add', title: "add(['n', 3], ['n', 4])", inputs: [f32('a', ['n', 3]), f32('c', ['n', 4])],
    build: (b, x) => b.add(x['a'], x['c']), message: 'add' },
  { op: 'triangular', title: "triangular(['n']): rank 1", inputs: [f32('x', ['n'])],
    build: (b, x) => b.triangular(x['x']), message: 'triangular' },
  { op: 'equal', title: "equal(['n', 3], constant [2])", inputs: [f32('a', ['n', 3])],
    build: (b, x) => b.equal(x['a'], constF32(b, [2], 1)), message: 'equal' },
  { op: 'concat', title: "concat([['n', 3], ['n', 4]], 0)", inputs: [f32('x', ['n', 3]), f32('y', ['n', 4])],
    build: (b, x) => b.concat([x['x'], x['y']], 0), message: 'concat' },
  { op: 'matmul', title: "matmul(['m', 3], constant [4, 2])", inputs: [f32('a', ['m', 3])],
    build: (b, x) => b.matmul(x['a'], constF32(b, [4, 2], 1)), message: 'matmul' },
  { op: 'gemm', title: "gemm(['m', 3], constant [4, 2])", inputs: [f32('a', ['m', 3])],
    build: (b, x) => b.gemm(x['a'], constF32(b, [4, 2], 1)), message: 'gemm' },
  { op: 'conv2d', title: "conv2d([1, 2, 'h', 'w'], filter of 5 input channels)", inputs: [f32('x', [1, 2, 'h', 'w'])],
    build: (b, x) => b.conv2d(x['x'], constF32(b, [3, 5, 3, 3], 1)), message: 'conv2d' },
  { op: 'averagePool2d', title: "averagePool2d([1, 2, 'h', 2], window 2x3)", inputs: [f32('x', [1, 2, 'h', 2])],
    build: (b, x) => b.averagePool2d(x['x'], { windowDimensions: [2, 3] }), message: 'averagePool2d' },
  { op: 'batchNormalization', title: "batchNormalization(['n', 3], mean [4])", inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.batchNormalization(x['x'], constF32(b, [4], 1), constF32(b, [3], 2)), message: 'batchNormalization' },
  { op: 'layerNormalization', title: "layerNormalization(['n', 3], scale [4])", inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.layerNormalization(x['x'], { scale: constF32(b, [4], 1) }), message: 'layerNormalization' },
  { op: 'reduceSum', title: "reduceSum(['n', 3], axes [2])", inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.reduceSum(x['x'], { axes: [2] }), message: 'reduceSum' },
  { op: 'reshape', title: "reshape(['n', 5], [7])", inputs: [f32('x', ['n', 5])],
    build: (b, x) => b.reshape(x['x'], [7]), message: 'reshape' },
  { op: 'expand', title: "expand(['n', 3], [4, 2])", inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.expand(x['x'], [4, 2]), message: 'expand' },
  { op: 'slice', title: "slice(['n', 4], [0, 3], [1, 2])", inputs: [f32('x', ['n', 4])],
    build: (b, x) => b.slice(x['x'], [0, 3], [1, 2]), message: 'slice' },
  { op: 'split', title: "split(['n', 6], [2, 3], axis 1)", inputs: [f32('x', ['n', 6])],
    build: (b, x) => b.split(x['x'], [2, 3], { axis: 1 }), message: 'split' },
  { op: 'gatherND', title: "gatherND(['n', 3], indices [2, 3])", inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.gatherND(x['x'], constOf(b, 'int32', [2, 3], [0, 0, 0, 0, 0, 0])), message: 'gatherND' },
  { op: 'scatterND', title: "scatterND(['n', 3], indices [2, 1], updates [2, 4])", inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.scatterND(x['x'], constOf(b, 'int32', [2, 1], [0, 0]), constF32(b, [2, 4], 1)), message: 'scatterND' },
  { op: 'where', title: "where(['n', 3], ['n', 4], ['n', 3])",
    inputs: [typed('c', 'uint8', ['n', 3]), f32('t', ['n', 4]), f32('f', ['n', 3])],
    build: (b, x) => b.where(x['c'], x['t'], x['f']), message: 'where' },
  { op: 'gru', title: "gru([3, 'batch', 3]) with steps 2", inputs: [f32('x', [3, 'batch', 3])],
    build: (b, x) => b.gru(x['x'], constF32(b, [1, 12, 3], 1), constF32(b, [1, 12, 4], 2), 2, 4), message: 'gru' },
  { op: 'lstmCell', title: "lstmCell(['batch', 3], hiddenState ['batch', 5])",
    inputs: [f32('x', ['batch', 3]), f32('h', ['batch', 5]), f32('c', ['batch', 4])],
    build: (b, x) => b.lstmCell(x['x'], constF32(b, [16, 3], 1), constF32(b, [16, 4], 2), x['h'], x['c'], 4), message: 'lstmCell' },
  { op: 'reshapeDynamic', title: "reshapeDynamic(['n', 5], constant [7])", inputs: [f32('x', ['n', 5])],
    build: (b, x) => b.reshapeDynamic(x['x'], u32(b, [7])), message: 'reshapeDynamic' },
  { op: 'sliceDynamic', title: "sliceDynamic(['n', 4], [0, 3], [1, 2])", inputs: [f32('x', ['n', 4])],
    build: (b, x) => b.sliceDynamic(x['x'], u32(b, [0, 3]), u32(b, [1, 2])), message: 'sliceDynamic' },
  { op: 'squeeze', title: "squeeze(['n', 3], axes [1])", inputs: [f32('x', ['n', 3])],
    build: (b, x) => b.squeeze(x['x'], { axes: [1] }), message: 'squeeze' },
  { op: 'splitDynamic', title: "splitDynamic(['n', 6], constant [2, 3], axis 1)", inputs: [f32('x', ['n', 6])],
    build: (b, x) => b.splitDynamic(x['x'], u32(b, [2, 3]), { axis: 1 }), message: 'splitDynamic' },
  { op: 'modulusFloor', title: "modulusFloor(['n', 3], ['n', 2])", inputs: [f32('a', ['n', 3]), f32('c', ['n', 2])],
    build: (b, x) => b.modulusFloor(x['a'], x['c']), message: 'modulusFloor' },
  // The proposal's rule: the last dimension of gatherND's and scatterND's indices is static.
  { op: 'gatherND', title: "gatherND([4, 3], indices input ['k', 'd']): a named last dimension of indices",
    inputs: [f32('x', [4, 3]), typed('i', 'int32', ['k', 'd'])],
    build: (b, x) => b.gatherND(x['x'], x['i']), message: 'gatherND' },
  { op: 'scatterND', title: "scatterND([4, 3], indices input ['k', 'd'], updates input ['k', 3])",
    inputs: [f32('x', [4, 3]), typed('i', 'int32', ['k', 'd']), f32('u', ['k', 3])],
    build: (b, x) => b.scatterND(x['x'], x['i'], x['u']), message: 'scatterND' },
];

// ---- the checks -----------------------------------------------------------------------------------------------

function newBuilder(ctx: MLContext): Builder {
  const Ctor = (globalThis as unknown as { MLGraphBuilder: new (c: MLContext) => Builder }).MLGraphBuilder;
  return new Ctor(ctx);
}

function computeShapes(graph: MLGraph, shapes: Record<string, number[]>): Record<string, number[]> {
  return (graph as unknown as { computeShapes(s: Record<string, number[]>): Record<string, number[]> }).computeShapes(shapes);
}

const namesOf = (inputs: readonly InputSpec[]): string[] =>
  [...new Set(inputs.flatMap((i) => i.shape.flatMap((d) => (typeof d === 'number' ? [] : [typeof d === 'string' ? d : d.name]))))];

/** Two sets of sizes for the names: 2, 3, 4, ... and 5, 6, 7, ... in order of appearance. */
function defaultSizes(inputs: readonly InputSpec[]): Sizes[] {
  const names = namesOf(inputs);
  return [0, 3].map((offset) => Object.fromEntries(names.map((n, i) => [n, 2 + offset + i])));
}

function concreteShape(shape: readonly InputDim[], sizes: Sizes): number[] {
  return shape.map((d) => {
    if (typeof d === 'number') return d;
    const name = typeof d === 'string' ? d : d.name;
    const s = sizes[name];
    if (s === undefined) throw new Error(`no size for '${name}'`);
    return s;
  });
}

function inputData(spec: InputSpec, shape: readonly number[], seed: number): number[] {
  const count = size(shape);
  if (spec.data) return spec.data(count, seed);
  if (spec.dataType === 'uint8') return randomData(count, seed, 0, 2).map(Math.floor);
  if (spec.dataType === 'float32' || spec.dataType === 'float16') return randomData(count, seed);
  return randomData(count, seed, -9, 10).map(Math.floor);
}

const asList = (outputs: Outputs): MLOperand[] => (Array.isArray(outputs) ? outputs : [outputs]);
const outputName = (i: number) => `out${i}`;

function namedOutputs(outputs: readonly MLOperand[]): Record<string, MLOperand> {
  return Object.fromEntries(outputs.map((o, i) => [outputName(i), o]));
}

interface Built {
  readonly graph: MLGraph;
  readonly outputs: readonly MLOperand[];
}

/** Builds `make` on a fresh builder, with the proposal switched on or off for it. */
async function buildWith(ctx: MLContext, proposal: boolean, inputs: readonly InputSpec[], sizes: Sizes | null,
  make: (b: Builder, x: Operands) => Outputs): Promise<Built> {
  const was = dynamicShapesEnabled();
  setDynamicShapes(proposal);
  try {
    const b = newBuilder(ctx);
    const x: Record<string, MLOperand> = {};
    for (const spec of inputs) {
      x[spec.name] = b.input(spec.name, { dataType: spec.dataType, shape: sizes ? concreteShape(spec.shape, sizes) : [...spec.shape] });
    }
    const outputs = asList(make(b, x));
    const graph = await b.build(namedOutputs(outputs));
    return { graph, outputs };
  } finally {
    setDynamicShapes(was);
  }
}

interface Feed {
  readonly dataType: MLOperandDataType;
  readonly shape: number[];
  readonly data: number[];
}

/** Dispatches with output tensors of the given shapes; the bytes of every output. */
async function dispatch(ctx: MLContext, graph: MLGraph, feeds: Readonly<Record<string, Feed>>,
  outputs: readonly { dataType: MLOperandDataType; shape: number[] }[]): Promise<Uint8Array[]> {
  const ins: Record<string, unknown> = {};
  const outs: Record<string, unknown> = {};
  try {
    for (const [name, feed] of Object.entries(feeds)) {
      const t = await ctx.createTensor({ dataType: feed.dataType, shape: feed.shape, writable: true });
      ins[name] = t;
      ctx.writeTensor(t, typedArrayFor(feed));
    }
    for (const [i, o] of outputs.entries()) {
      outs[outputName(i)] = await ctx.createTensor({ dataType: o.dataType, shape: o.shape, readable: true });
    }
    ctx.dispatch(graph, ins as never, outs as never);
    const bytes: Uint8Array[] = [];
    for (let i = 0; i < outputs.length; i++) bytes.push(new Uint8Array(await ctx.readTensor(outs[outputName(i)] as never)));
    return bytes;
  } finally {
    for (const t of [...Object.values(ins), ...Object.values(outs)]) (t as { destroy(): void }).destroy();
  }
}

const show = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));

/** MLOperand.shape against the expected pattern and against the static call's shape at `sizes`. */
function checkSymbolicShape(index: number, actual: readonly Dim[] | null, expected: readonly Dim[] | null,
  staticShape: readonly number[], sizes: Sizes, names: readonly string[]): void {
  const where = `output ${index}`;
  if (expected === null) {
    if (actual !== null) throw new Error(`${where}: MLOperand.shape ${show(actual)}, expected null (unranked)`);
    return;
  }
  if (actual === null) throw new Error(`${where}: MLOperand.shape is null, expected ${show(expected)}`);
  if (actual.length !== expected.length) throw new Error(`${where}: MLOperand.shape ${show(actual)}, expected ${show(expected)}`);
  if (staticShape.length !== actual.length) {
    throw new Error(`${where}: rank ${actual.length} (${show(actual)}), the static call has ${show(staticShape)}`);
  }
  actual.forEach((d, k) => {
    const e = expected[k]!;
    if (e === DERIVED) {
      if (typeof d !== 'string' || names.includes(d)) throw new Error(`${where}: dimension ${k} is ${show(d)}, expected a derived name in ${show(actual)}`);
    } else if (d !== e) {
      throw new Error(`${where}: MLOperand.shape ${show(actual)}, expected ${show(expected)}`);
    }
    if (typeof d === 'number' && staticShape[k] !== d) {
      throw new Error(`${where}: static dimension ${k} is ${d}, the static call at ${show(sizes)} gives ${show(staticShape)}`);
    }
    if (typeof d === 'string' && names.includes(d) && staticShape[k] !== sizes[d]) {
      throw new Error(`${where}: dimension ${k} is '${d}', the static call at ${show(sizes)} gives ${show(staticShape)}`);
    }
  });
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  if (a.length !== b.length) return `${a.length} bytes against ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `byte ${i}: ${a[i]} against ${b[i]}`;
  return '';
}

/** The proposal's own operations exist only with it on: their static graphs are built with it on. */
const isProposalOp = (op: string) => allOps().some((d) => d.name === op && d.proposal !== undefined);

async function checkCase(ctx: MLContext, c: OpCase): Promise<void> {
  const names = namesOf(c.inputs);
  // MLOperand.shape problems are collected so that computeShapes() and dispatch are still checked.
  const shapeProblems = new Set<string>();
  const dynamic = await buildWith(ctx, true, c.inputs, null, c.build);
  try {
    const sizesList = c.sizes ?? defaultSizes(c.inputs);
    for (const [si, sizes] of sizesList.entries()) {
      const reference = c.reference ? await buildWith(ctx, false, c.inputs, sizes, (b, x) => c.reference!(b, x, sizes))
        : await buildWith(ctx, isProposalOp(c.op), c.inputs, sizes, c.build);
      try {
        const staticShapes = reference.outputs.map((o) => [...o.shape] as number[]);
        if (dynamic.outputs.length !== reference.outputs.length || c.expect.length !== dynamic.outputs.length) {
          throw new Error(`${dynamic.outputs.length} outputs, the static call has ${reference.outputs.length}, expected ${c.expect.length}`);
        }
        dynamic.outputs.forEach((o, i) => {
          if (o.dataType !== reference.outputs[i]!.dataType) throw new Error(`output ${i}: ${o.dataType}, static ${reference.outputs[i]!.dataType}`);
          try {
            checkSymbolicShape(i, o.shape as readonly Dim[] | null, c.expect[i]!, staticShapes[i]!, sizes, names);
          } catch (error) {
            shapeProblems.add((error as Error).message);
          }
        });
        const inputShapes = Object.fromEntries(c.inputs.map((spec) => [spec.name, concreteShape(spec.shape, sizes)]));
        const computed = computeShapes(dynamic.graph, inputShapes);
        const expectedShapes = Object.fromEntries(staticShapes.map((s, i) => [outputName(i), s]));
        if (show(computed) !== show(expectedShapes)) {
          throw new Error(`computeShapes(${show(inputShapes)}) gave ${show(computed)}, the static graph ${show(expectedShapes)}`);
        }
        const feeds: Record<string, Feed> = {};
        for (const [k, spec] of c.inputs.entries()) {
          const shape = inputShapes[spec.name]!;
          feeds[spec.name] = { dataType: spec.dataType, shape, data: inputData(spec, shape, 101 + 17 * si + 5 * k) };
        }
        const outputs = dynamic.outputs.map((o, i) => ({ dataType: o.dataType, shape: staticShapes[i]! }));
        const got = await dispatch(ctx, dynamic.graph, feeds, outputs);
        const want = await dispatch(ctx, reference.graph, feeds, outputs);
        got.forEach((bytes, i) => {
          const difference = firstDifference(bytes, want[i]!);
          if (difference) throw new Error(`output ${i} at ${show(sizes)} differs from the static graph: ${difference}`);
        });
      } finally {
        reference.graph.destroy();
      }
    }
    for (const sizes of c.invalid ?? []) {
      const inputShapes = Object.fromEntries(c.inputs.map((spec) => [spec.name, concreteShape(spec.shape, sizes)]));
      await assertThrows(() => computeShapes(dynamic.graph, inputShapes), 'TypeError');
      const feeds: Record<string, Feed> = {};
      for (const spec of c.inputs) {
        const shape = inputShapes[spec.name]!;
        feeds[spec.name] = { dataType: spec.dataType, shape, data: inputData(spec, shape, 7) };
      }
      // Any output tensors: the inputs alone make the dispatch invalid.
      const outputs = dynamic.outputs.map((o) => ({ dataType: o.dataType, shape: [1] }));
      await assertThrows(() => dispatch(ctx, dynamic.graph, feeds, outputs), 'TypeError');
    }
    if (shapeProblems.size > 0) throw new Error([...shapeProblems].join('\n'));
  } finally {
    dynamic.graph.destroy();
  }
}

/**
 * Runs `check`; with a known issue, passes only when it fails the way the issue says: every line of the failure
 * matches, so a new kind of failure in the same case is not hidden.
 */
async function withKnownIssue(issue: KnownIssue | undefined, check: () => Promise<void>): Promise<void> {
  if (!issue) return check();
  let error: unknown;
  try {
    await check();
  } catch (e) {
    error = e;
  }
  if (!error) throw new Error(`known issue '${issue.reason}' no longer happens: remove the knownIssue mark`);
  const message = `${(error as Error).name}: ${(error as Error).message}`;
  const matches = (line: string) => (typeof issue.failure === 'string' ? line.includes(issue.failure) : issue.failure.test(line));
  if (!message.split('\n').every(matches)) throw new Error(`known issue '${issue.reason}' fails differently now: ${message}`);
}

forEachBackend('dynamic shapes: every operation with a named dimension', (backend) => {
  let ctx: MLContext;
  withDynamicShapes(true);
  before(async () => {
    ctx = await contextFor(backend);
  });

  it('the table has a case for every builder operation', () => {
    const methods = allOps().filter((d) => d.method !== undefined).map((d) => d.name);
    const covered = new Set(CASES.map((c) => c.op));
    const missing = methods.filter((op) => !covered.has(op));
    if (missing.length > 0) throw new Error(`no case for ${missing.join(', ')}`);
    const unknown = [...covered, ...REJECTIONS.map((r) => r.op)].filter((op) => !methods.includes(op));
    if (unknown.length > 0) throw new Error(`cases for unknown operations ${unknown.join(', ')}`);
  });

  for (const c of CASES) {
    const title = c.knownIssue ? `${c.title} [known issue: ${c.knownIssue.reason}]` : c.title;
    it(title, () => withKnownIssue(c.knownIssue, () => checkCase(ctx, c)));
  }

  describe('build rejects static dimensions that contradict', () => {
    for (const r of REJECTIONS) {
      it(r.title, async () => {
        const b = newBuilder(ctx);
        const x: Record<string, MLOperand> = {};
        for (const spec of r.inputs) x[spec.name] = b.input(spec.name, { dataType: spec.dataType, shape: [...spec.shape] });
        await assertThrows(() => r.build(b, x), 'TypeError', r.message);
      });
    }
  });
});
