import type { MLOperand } from '../../../src/api/operand.js';
import type { GraphNode } from '../../../src/graph/ir.js';
import type { BackendName } from '../../../src/runtime/backends.js';
import { optimizeLayout, transposeBytes } from '../../../src/graph/passes/layout.js';
import { assertClose, forEachBackend, randomData, runGraph, size, strides } from '../../util/harness.js';
import { passNodes, type Builder } from './pass-test-util.js';
import { conv2dRef, NCHW_TO_NHWC, NHWC_TO_NCHW, pool2dRef, transposeData, type Data } from '../../ops/conv-reference.js';

const f32 = (shape: number[]) => ({ dataType: 'float32' as const, shape });
const X: Data = { shape: [1, 3, 5, 5], data: randomData(75, 1) };
const W: Data = { shape: [4, 3, 3, 3], data: randomData(108, 2, -0.5, 0.5) };
const BIAS = randomData(4, 3);
const CHANNEL_ADD: Data = { shape: [4, 1, 1], data: randomData(4, 4) };
const GATHER_INDICES = [3, 0];

/** The value at `index` of NCHW-ordered (row-major) data. */
function at(x: Data, index: readonly number[]): number {
  const s = strides(x.shape);
  return x.data[index.reduce((offset, i, d) => offset + i * s[d]!, 0)]!;
}

/** Data of `shape` whose element at each index is `value(index)`. */
function fill(shape: number[], value: (index: number[]) => number): Data {
  const s = strides(shape);
  const data = Array.from({ length: size(shape) }, (_, flat) => value(shape.map((_d, k) => Math.floor(flat / s[k]!) % shape[k]!)));
  return { shape, data };
}

/** relu(conv2d(x) + bias): the NCHW convolution every case below starts from. */
function convRelu(): Data {
  const y = conv2dRef(X, W, BIAS, { padding: [1, 1, 1, 1] });
  return { ...y, data: y.data.map((v) => Math.max(0, v)) };
}

function buildConvRelu(b: Builder, x: MLOperand): MLOperand {
  const filter = b.constant(f32(W.shape), new Float32Array(W.data));
  const bias = b.constant(f32([4]), new Float32Array(BIAS));
  return b.relu(b.conv2d(x, filter, { bias, padding: [1, 1, 1, 1] }));
}

/** The nodes before and after optimizeLayout() for the graph `build` makes over an input of `shape`. */
async function laidOut(backend: BackendName, shape: number[], build: (b: Builder, x: MLOperand) => Record<string, MLOperand>):
  Promise<{ before: GraphNode[]; after: GraphNode[] }> {
  let before: GraphNode[] = [];
  const after = await passNodes(backend, (order, outputs) => {
    before = [...order];
    return optimizeLayout(order, outputs);
  }, { x: shape }, (b, { x }) => build(b, x!));
  return { before, after };
}

const count = (nodes: readonly GraphNode[], op: string) => nodes.filter((n) => n.op === op).length;

/** Each case: operations after the NCHW convolution, and their float64 results from the convolution's. */
interface Case {
  name: string;
  build: (b: Builder, y: MLOperand) => MLOperand[];
  expected: (y: Data) => Data[];
  /** Transposes left: one at the input, one per output whose NHWC order differs from NCHW, one before a reshape. */
  transposes: number;
}

const CASES: Case[] = [
  {
    name: 'add of a [C, 1, 1] constant',
    transposes: 2,
    build: (b, y) => [b.add(y, b.constant(f32(CHANNEL_ADD.shape), new Float32Array(CHANNEL_ADD.data)))],
    expected: (y) => [fill(y.shape, ([n, c, h, w]) => at(y, [n!, c!, h!, w!]) + CHANNEL_ADD.data[c!]!)],
  },
  {
    name: 'softmax along the channels',
    transposes: 2,
    build: (b, y) => [b.softmax(y, 1)],
    expected: (y) => [fill(y.shape, ([n, c, h, w]) => {
      const all = [0, 1, 2, 3].map((k) => Math.exp(at(y, [n!, k, h!, w!])));
      return all[c!]! / all.reduce((p, v) => p + v, 0);
    })],
  },
  {
    name: 'slice and pad',
    transposes: 3,
    build: (b, y) => [b.slice(y, [0, 1, 1, 0], [1, 2, 3, 4]), b.pad(y, [0, 1, 0, 2], [0, 0, 1, 0], { value: 0.5 })],
    expected: (y) => [
      fill([1, 2, 3, 4], ([n, c, h, w]) => at(y, [n!, c! + 1, h! + 1, w!])),
      fill([1, 5, 6, 7], ([n, c, h, w]) => (c! < 1 || h! >= 5 || w! < 2 ? 0.5 : at(y, [n!, c! - 1, h!, w! - 2]))),
    ],
  },
  {
    name: 'reductions with and without kept dimensions',
    transposes: 1,
    build: (b, y) => [b.reduceSum(y, { axes: [1, 3] }), b.reduceMax(y, { axes: [1], keepDimensions: true })],
    expected: (y) => [
      fill([1, 5], ([n, h]) => [0, 1, 2, 3].reduce((p, c) => p + [0, 1, 2, 3, 4].reduce((q, w) => q + at(y, [n!, c, h!, w]), 0), 0)),
      fill([1, 1, 5, 5], ([n, , h, w]) => Math.max(...[0, 1, 2, 3].map((c) => at(y, [n!, c, h!, w!])))),
    ],
  },
  {
    name: 'gather and split along the channels',
    transposes: 4,
    build: (b, y) => [
      b.gather(y, b.constant({ dataType: 'int32', shape: [2] }, new Int32Array(GATHER_INDICES)), { axis: 1 }),
      ...(b.split(y, 2, { axis: 1 }) as unknown as MLOperand[]),
    ],
    expected: (y) => [
      fill([1, 2, 5, 5], ([n, c, h, w]) => at(y, [n!, GATHER_INDICES[c!]!, h!, w!])),
      fill([1, 2, 5, 5], ([n, c, h, w]) => at(y, [n!, c!, h!, w!])),
      fill([1, 2, 5, 5], ([n, c, h, w]) => at(y, [n!, c! + 2, h!, w!])),
    ],
  },
  {
    name: 'concat along the channels, average pooling, instance normalization',
    transposes: 4,
    build: (b, y) => [
      b.concat([y, b.neg(y)], 1),
      b.averagePool2d(y, { windowDimensions: [2, 2] }),
      b.instanceNormalization(y, { epsilon: 1e-3 }),
    ],
    expected: (y) => [
      fill([1, 8, 5, 5], ([n, c, h, w]) => (c! < 4 ? at(y, [n!, c!, h!, w!]) : -at(y, [n!, c! - 4, h!, w!]))),
      pool2dRef('average', y, { window: [2, 2], outputSize: [4, 4] }),
      fill(y.shape, ([n, c, h, w]) => {
        const plane = [0, 1, 2, 3, 4].flatMap((i) => [0, 1, 2, 3, 4].map((j) => at(y, [n!, c!, i, j])));
        const mean = plane.reduce((p, v) => p + v, 0) / 25;
        const variance = plane.reduce((p, v) => p + (v - mean) ** 2, 0) / 25;
        return (at(y, [n!, c!, h!, w!]) - mean) / Math.sqrt(variance + 1e-3);
      }),
    ],
  },
  {
    name: 'nearest-neighbor upsampling',
    transposes: 2,
    build: (b, y) => [b.resample2d(y, { scales: [2, 2] })],
    expected: (y) => [fill([1, 4, 10, 10], ([n, c, h, w]) => at(y, [n!, c!, Math.floor(h! / 2), Math.floor(w! / 2)]))],
  },
  {
    name: 'a transpose and a reshape',
    transposes: 3,
    build: (b, y) => [b.transpose(y, { permutation: [0, 2, 1, 3] }), b.reshape(y, [1, 100])],
    expected: (y) => [transposeData(y, [0, 2, 1, 3]), { shape: [1, 100], data: y.data }],
  },
];

forEachBackend('layout pass', (backend) => {
  for (const c of CASES) {
    it(`NCHW convolution then ${c.name}: values, and transposes only at the graph's edges`, async () => {
      const results = await runGraph(backend, { x: { dataType: 'float32', shape: X.shape, data: X.data } }, (b, { x }) => {
        const outputs = c.build(b as Builder, buildConvRelu(b as Builder, x!));
        return Object.fromEntries(outputs.map((o, i) => [`out${i}`, o]));
      });
      const expected = c.expected(convRelu());
      expected.forEach((e, i) => assertClose(results[`out${i}`]!, e, { atol: 1e-5, rtol: 1e-4 }, `${c.name} out${i}`));

      const { before, after } = await laidOut(backend, X.shape, (b, x) =>
        Object.fromEntries(c.build(b, buildConvRelu(b, x)).map((o, i) => [`out${i}`, o])));
      if (count(before, 'conv2d') !== 1 || after.some((n) => n.op === 'conv2d' && n.attrs['inputLayout'] !== 'nhwc')) {
        throw new Error('the convolution should run as NHWC');
      }
      if (count(after, 'transpose') !== c.transposes) {
        throw new Error(`${count(after, 'transpose')} transposes, expected ${c.transposes}: ${after.map((n) => n.op).join(', ')}`);
      }
    });
  }

  it('an NHWC graph whose convolutions are NCHW between transposes runs with no transpose at all', async () => {
    const nhwc = transposeData(X, NCHW_TO_NHWC);
    const build = (b: Builder, x: MLOperand) => {
      const nchw = b.transpose(x, { permutation: NHWC_TO_NCHW });
      return { y: b.transpose(buildConvRelu(b, nchw), { permutation: NCHW_TO_NHWC }) };
    };
    const results = await runGraph(backend, { x: { dataType: 'float32', shape: nhwc.shape, data: nhwc.data } },
      (b, { x }) => build(b as Builder, x!));
    assertClose(results['y']!, transposeData(convRelu(), NCHW_TO_NHWC), { atol: 1e-5, rtol: 1e-4 });
    const { after } = await laidOut(backend, nhwc.shape, build);
    const ops = after.map((n) => n.op);
    if (ops.includes('transpose') || ops.includes('identity')) throw new Error(`nodes: ${ops.join(', ')}`);
  });

  it('a graph without NCHW convolutions, pools or resampling is left as it is', async () => {
    const { before, after } = await laidOut(backend, [2, 3, 4], (b, x) =>
      ({ y: b.softmax(b.transpose(b.relu(x), { permutation: [0, 2, 1] }), 1) }));
    if (after.length !== before.length || after.some((n, i) => n !== before[i])) throw new Error('the graph changed');
  });

  it('a max-pooled NCHW net needs one transpose at its input and none where the result is [N, C, 1, 1]', async () => {
    const build = (b: Builder, x: MLOperand) => ({ y: b.maxPool2d(buildConvRelu(b, x), { windowDimensions: [5, 5] }) });
    const results = await runGraph(backend, { x: { dataType: 'float32', shape: X.shape, data: X.data } },
      (b, { x }) => build(b as Builder, x!));
    assertClose(results['y']!, pool2dRef('max', convRelu(), { window: [5, 5], outputSize: [1, 1] }));
    const { after } = await laidOut(backend, X.shape, build);
    if (count(after, 'transpose') !== 1 || count(after, 'reshape') !== 1) throw new Error(after.map((n) => n.op).join(', '));
  });
});

describe('transposeBytes', () => {
  it('moves elements of every size as a float64 index computation says', () => {
    const shape = [2, 3, 4];
    const perm = [2, 0, 1];
    const values = Array.from({ length: 24 }, (_, i) => i * 1.5 - 7);
    const bytes = new Uint8Array(new Float64Array(values).buffer);
    const out = new Float64Array(transposeBytes(bytes, shape, perm, 8).buffer);
    const expected = transposeData({ shape, data: values }, perm).data;
    if (Array.from(out).join() !== expected.join()) throw new Error(`${Array.from(out).join()} != ${expected.join()}`);
    const small = transposeBytes(new Uint8Array([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0], 1);
    if (Array.from(small).join() !== '1,4,2,5,3,6') throw new Error(Array.from(small).join());
  });
});
