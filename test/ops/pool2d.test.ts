import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size,
} from '../util/harness.js';
import { NCHW_TO_NHWC, pool2dRef, transposeData, type PoolKind } from './conv-reference.js';
import { kernelsOf } from '../graph/passes/pass-test-util.js';

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;

const METHODS: Record<PoolKind, string> = { average: 'averagePool2d', l2: 'l2Pool2d', max: 'maxPool2d' };

interface Case {
  name: string;
  input: number[]; // NCHW
  options: {
    windowDimensions?: number[]; padding?: number[]; strides?: number[]; dilations?: number[];
    outputShapeRounding?: 'floor' | 'ceil'; outputSizes?: number[];
  };
  /** Expected spatial output size. */
  output: number[];
}

const cases: Case[] = [
  { name: 'global (default window)', input: [2, 3, 4, 5], options: {}, output: [1, 1] },
  { name: '3x3 window', input: [1, 2, 5, 6], options: { windowDimensions: [3, 3] }, output: [3, 4] },
  { name: 'asymmetric padding and strides', input: [1, 2, 6, 5],
    options: { windowDimensions: [3, 2], padding: [1, 2, 0, 1], strides: [2, 3] }, output: [4, 2] },
  { name: 'ceil rounding', input: [1, 2, 6, 7],
    options: { windowDimensions: [3, 3], strides: [2, 2], outputShapeRounding: 'ceil' }, output: [3, 3] },
  { name: 'ceil rounding with padding', input: [1, 1, 6, 5],
    options: { windowDimensions: [2, 3], strides: [2, 2], padding: [1, 0, 0, 1], outputShapeRounding: 'ceil' }, output: [4, 3] },
  { name: 'outputSizes (ceil of the computed size)', input: [1, 2, 6, 7],
    options: { windowDimensions: [3, 3], strides: [2, 2], outputSizes: [3, 3] }, output: [3, 3] },
  { name: 'outputSizes (floor of the computed size)', input: [1, 2, 6, 7],
    options: { windowDimensions: [3, 3], strides: [2, 2], outputSizes: [2, 3], outputShapeRounding: 'ceil' }, output: [2, 3] },
  { name: 'dilations', input: [1, 2, 7, 6], options: { windowDimensions: [2, 3], dilations: [3, 2], padding: [1, 0, 1, 1] }, output: [5, 4] },
  { name: 'strides and dilations', input: [2, 2, 9, 8],
    options: { windowDimensions: [3, 2], strides: [2, 3], dilations: [2, 3], padding: [0, 1, 2, 0] }, output: [3, 3] },
  { name: 'dilations with ceil rounding', input: [1, 1, 8, 8],
    options: { windowDimensions: [2, 2], strides: [2, 2], dilations: [2, 2], outputShapeRounding: 'ceil' }, output: [4, 4] },
];

forEachBackend('pool2d', (backend) => {
  const run = async (kind: PoolKind, c: Case, layout: 'nchw' | 'nhwc', dataType: MLOperandDataType = 'float32') => {
    const x = { data: representable(randomData(size(c.input), 31, -2, 2), dataType), shape: c.input };
    const window = c.options.windowDimensions ?? c.input.slice(2);
    const expected = pool2dRef(kind, x, { ...c.options, window, outputSize: c.output });
    const xIn = layout === 'nchw' ? x : transposeData(x, NCHW_TO_NHWC);
    const want = layout === 'nchw' ? expected : transposeData(expected, NCHW_TO_NHWC);
    const result = await runGraph(backend, { x: { dataType, ...xIn } }, (b, { x: input }) =>
      ({ out: (b as Builder)[METHODS[kind]]!(input, { ...c.options, layout }) }));
    assertClose(result['out']!, dataType === 'float16' ? { ...want, data: representable(want.data, 'float16') } : want);
  };
  for (const kind of ['average', 'l2', 'max'] as const) {
    for (const c of cases) {
      for (const layout of ['nchw', 'nhwc'] as const) {
        it(`${METHODS[kind]} ${c.name} (${layout})`, () => run(kind, c, layout));
      }
    }
    it(`${METHODS[kind]} float16`, async () => {
      await run(kind, cases[2]!, 'nchw', 'float16');
      await run(kind, cases[8]!, 'nhwc', 'float16');
    });
  }

  // Integer max pooling is exact: int32 values beyond 2^24 that differ by 1 stay apart; a window with no input cell
  // gives the type's lowest value (where a float gives -Infinity).
  const INTEGER_RANGES: [MLOperandDataType, number, number][] = [['int32', -2147483648, 2147483647], ['int8', -128, 127], ['uint8', 0, 255]];
  for (const [dataType, lowest, highest] of INTEGER_RANGES) {
    it(`maxPool2d ${dataType}: exact, in both layouts, with padding, dilations and windows wholly in padding`, async () => {
      const integerCases: Case[] = [...cases,
        { name: 'windows in padding', input: [1, 2, 3, 3], options: { windowDimensions: [1, 2], strides: [2, 1], padding: [0, 2, 0, 0] },
          output: [3, 2] }];
      for (const c of integerCases) {
        const count = size(c.input);
        // Near the type's extremes, neighbours 1 apart: float32 would merge the int32 ones.
        const data = Array.from({ length: count }, (_, i) => (i % 3 === 0 ? highest - (i % 5) : i % 3 === 1 ? lowest + (i % 7) : (i * 37) % 101));
        const x = { data, shape: c.input };
        const window = c.options.windowDimensions ?? c.input.slice(2);
        const expected = pool2dRef('max', x, { ...c.options, window, outputSize: c.output });
        const exact = { ...expected, data: expected.data.map((v) => (v === -Infinity ? lowest : v)) };
        for (const layout of ['nchw', 'nhwc'] as const) {
          const xIn = layout === 'nchw' ? x : transposeData(x, NCHW_TO_NHWC);
          const want = layout === 'nchw' ? exact : transposeData(exact, NCHW_TO_NHWC);
          const result = await runGraph(backend, { x: { dataType, ...xIn } }, (b, { x: input }) =>
            ({ out: (b as Builder)['maxPool2d']!(input, { ...c.options, layout }) }));
          assertClose(result['out']!, want, undefined, `${c.name} ${layout}`);
        }
      }
    });
  }
  it('averagePool2d and l2Pool2d take float types only; maxPool2d the integers held exactly too', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as Record<string, { input: { dataTypes: string[] } }>;
    if (limits['maxPool2d']!.input.dataTypes.join() !== 'float32,float16,int32,int8,uint8') throw new Error('maxPool2d types');
    if (limits['averagePool2d']!.input.dataTypes.join() !== 'float32,float16') throw new Error('averagePool2d types');
    if (limits['l2Pool2d']!.input.dataTypes.join() !== 'float32,float16') throw new Error('l2Pool2d types');
  });

  it('global average and max pooling run one kernel each (a reduction; the average on cpu an AvgPool, on wasm ours)', async () => {
    const kernels = await kernelsOf(backend, { x: { dataType: 'float32', shape: [1, 4, 5, 3], data: randomData(60, 8) } },
      (b, { x }) => ({ mean: b.averagePool2d(x, { layout: 'nhwc' }), max: b.maxPool2d(x, { layout: 'nhwc' }) }));
    const wanted = { cpu: 'AvgPool,Max', wasm: 'Max,WebNNMeanOfRows' }[backend as string] ?? 'Max,Mean';
    if ([...kernels].sort().join() !== wanted) throw new Error(`kernels: ${kernels.join(', ')}`);
  });
  it('a global average and a reduceMean over height and width give NaN for a channel holding one, in either layout', async () => {
    // NHWC [1, 3, 4, 2]: channel 0 holds a NaN, channel 1 does not; the same data as NCHW for the other layout.
    const data = randomData(24, 12);
    data[2 * 5] = NaN;
    const nhwc = { data, shape: [1, 3, 4, 2] };
    const channelMean = (c: number) => data.filter((_, i) => i % 2 === c).reduce((p, v) => p + Math.fround(v), 0) / 12;
    const expected = [NaN, channelMean(1)];
    const nchw = transposeData(nhwc, [0, 3, 1, 2]);
    for (const [layout, x] of [['nhwc', nhwc], ['nchw', nchw]] as const) {
      const axes = layout === 'nhwc' ? [1, 2] : [2, 3];
      const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, { x: input }) => ({
        pooled: (b as Builder)['averagePool2d']!(input, { layout }),
        reduced: (b as Builder)['reduceMean']!(input, { axes }),
      }));
      for (const name of ['pooled', 'reduced']) {
        const got = result[name]!.data;
        if (!Number.isNaN(got[0]) || Math.abs(got[1]! - expected[1]!) > 1e-6) throw new Error(`${layout} ${name}: [${got.join(', ')}]`);
      }
    }
  });

  it('windows lying wholly in padding: average NaN, l2 0, max -Infinity', async () => {
    const x = { data: [1, -2, 3, 4, 5, -6, 7, 8, 9], shape: [1, 1, 3, 3] };
    const options = { windowDimensions: [1, 2], strides: [2, 1], padding: [0, 2, 0, 0] };
    for (const kind of ['average', 'l2', 'max'] as const) {
      const expected = pool2dRef(kind, x, { ...options, window: options.windowDimensions, outputSize: [3, 2] });
      const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, { x: input }) =>
        ({ out: (b as Builder)[METHODS[kind]]!(input, options) }));
      assertClose(result['out']!, expected, undefined, kind);
    }
  });

  it('max pooling ignores padding even when every input value is negative', async () => {
    const x = { data: randomData(2 * 4 * 4, 5, -9, -1), shape: [1, 2, 4, 4] };
    const options = { windowDimensions: [3, 3], padding: [1, 1, 2, 1], strides: [1, 2] };
    const expected = pool2dRef('max', { ...x, data: x.data.map(Math.fround) }, { ...options, window: [3, 3], outputSize: [4, 3] });
    const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, { x: input }) =>
      ({ out: (b as Builder)['maxPool2d']!(input, options) }));
    assertClose(result['out']!, expected);
  });

  describe('validation', () => {
    const check = async (kind: PoolKind, body: (b: Builder, x: MLOperand) => unknown, shape = [1, 2, 5, 5],
      dataType: MLOperandDataType = 'float32') => {
      const b = (await builderFor(backend)) as Builder;
      const x = b.input('x', { dataType, shape });
      await assertThrows(() => body(b, x), 'TypeError', new RegExp(`^${METHODS[kind]}: `));
    };
    for (const kind of ['average', 'l2', 'max'] as const) {
      const m = METHODS[kind];
      it(`${m} rejects bad inputs and options`, async () => {
        await check(kind, (b, x) => b[m]!(x), [2, 5, 5]);
        await check(kind, (b, x) => b[m]!(x), [1, 2, 5, 5], kind === 'max' ? 'int64' : 'int32');
        await check(kind, (b, x) => b[m]!(x, { windowDimensions: [2] }));
        await check(kind, (b, x) => b[m]!(x, { windowDimensions: [0, 2] }));
        await check(kind, (b, x) => b[m]!(x, { padding: [1, 1] }));
        await check(kind, (b, x) => b[m]!(x, { strides: [1, 0] }));
        await check(kind, (b, x) => b[m]!(x, { dilations: [0, 1] }));
        await check(kind, (b, x) => b[m]!(x, { dilations: [1, 1, 1] }));
        await check(kind, (b, x) => b[m]!(x, { layout: 'hwcn' }));
        await check(kind, (b, x) => b[m]!(x, { outputShapeRounding: 'round' }));
        await check(kind, (b, x) => b[m]!(x, { windowDimensions: [6, 2] })); // larger than the input
        await check(kind, (b, x) => b[m]!(x, { windowDimensions: [3, 3], dilations: [3, 1] }));
        // computed size 2 x 2 exactly: only [2, 2] is allowed
        await check(kind, (b, x) => b[m]!(x, { windowDimensions: [3, 3], strides: [2, 2], outputSizes: [3, 3] }));
        await check(kind, (b, x) => b[m]!(x, { windowDimensions: [3, 3], strides: [2, 2], outputSizes: [2] }));
      });
    }
    it('outputSizes must round both dimensions the same way', async () => {
      // computed size [2.5, 2.5] on a 6x6 input: [2, 2] and [3, 3] are allowed, [2, 3] is not
      const b = (await builderFor(backend)) as Builder;
      const x = b.input('x', { dataType: 'float32', shape: [1, 1, 6, 6] });
      const ok = b['averagePool2d']!(x, { windowDimensions: [3, 3], strides: [2, 2], outputSizes: [3, 3] });
      if (ok.shape.join() !== '1,1,3,3') throw new Error(`shape ${ok.shape.join()}`);
      await assertThrows(() => b['averagePool2d']!(x, { windowDimensions: [3, 3], strides: [2, 2], outputSizes: [2, 3] }),
        'TypeError', /^averagePool2d: /);
    });
  });
});
