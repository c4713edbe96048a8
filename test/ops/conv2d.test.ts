import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size, typedArrayFor,
} from '../util/harness.js';
import { conv2dRef, NCHW_TO_NHWC, transposeData, type ConvParams, type Data } from './conv-reference.js';

type FilterLayout = 'oihw' | 'hwio' | 'ohwi' | 'ihwo';
/** From OIHW to each layout. */
const FROM_OIHW: Record<FilterLayout, number[]> = {
  oihw: [0, 1, 2, 3], hwio: [2, 3, 1, 0], ohwi: [0, 2, 3, 1], ihwo: [1, 2, 3, 0],
};

interface Conv2dCase {
  name: string;
  input: number[]; // NCHW shape
  filter: number[]; // OIHW shape
  params?: ConvParams;
  bias?: boolean;
}

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;

function makeData(shape: number[], seed: number, dataType: MLOperandDataType): Data {
  return { data: representable(randomData(size(shape), seed), dataType), shape };
}

async function runConv(backend: string, c: Conv2dCase, inputLayout: 'nchw' | 'nhwc', filterLayout: FilterLayout,
  dataType: MLOperandDataType = 'float32', constantFilter = false): Promise<void> {
  const x = makeData(c.input, 11, dataType);
  const w = makeData(c.filter, 23, dataType);
  const bias = c.bias ? representable(randomData(c.filter[0]!, 5), dataType) : undefined;
  const expected = conv2dRef(x, w, bias, c.params);
  const xIn = inputLayout === 'nchw' ? x : transposeData(x, NCHW_TO_NHWC);
  const wIn = transposeData(w, FROM_OIHW[filterLayout]);
  const want = inputLayout === 'nchw' ? expected : transposeData(expected, NCHW_TO_NHWC);
  const inputs: Record<string, { dataType: MLOperandDataType; shape: number[]; data: number[] }> = {
    input: { dataType, ...xIn },
  };
  if (!constantFilter) inputs['filter'] = { dataType, ...wIn };
  if (bias) inputs['bias'] = { dataType, shape: [bias.length], data: bias };
  const result = await runGraph(backend as never, inputs, (b, ops) => {
    const builder = b as Builder;
    const filter = constantFilter
      ? builder.constant({ dataType, shape: wIn.shape }, typedArrayFor({ dataType, ...wIn }))
      : ops['filter'];
    const options: Record<string, unknown> = { ...c.params, inputLayout, filterLayout };
    if (bias) options['bias'] = ops['bias'];
    return { out: builder.conv2d(ops['input'], filter, options) };
  });
  const tolerance = dataType === 'float16' ? undefined : { atol: 1e-5, rtol: 1e-5 };
  assertClose(result['out']!, dataType === 'float16' ? { ...want, data: representable(want.data, 'float16') } : want, tolerance);
}

const cases: Conv2dCase[] = [
  { name: 'plain 3x3', input: [1, 2, 5, 5], filter: [3, 2, 3, 3] },
  { name: 'asymmetric padding, strides, bias', input: [2, 3, 6, 5], filter: [4, 3, 3, 2], bias: true,
    params: { padding: [1, 0, 2, 1], strides: [2, 1] } },
  { name: 'dilations with padding', input: [1, 2, 7, 6], filter: [2, 2, 3, 2], params: { padding: [2, 1, 0, 1], dilations: [2, 3] } },
  { name: 'strides and dilations together', input: [1, 2, 9, 8], filter: [3, 2, 3, 2], bias: true,
    params: { padding: [1, 2, 1, 0], strides: [2, 3], dilations: [2, 2] } },
  { name: 'depthwise', input: [1, 4, 5, 5], filter: [4, 1, 3, 3], bias: true, params: { groups: 4, padding: [1, 1, 1, 1] } },
  { name: 'depthwise with multiplier, strides and dilations', input: [2, 3, 8, 7], filter: [6, 1, 2, 3],
    params: { groups: 3, strides: [2, 2], dilations: [3, 1], padding: [0, 1, 2, 0] } },
  { name: 'groups 2', input: [1, 4, 5, 6], filter: [6, 2, 3, 3], bias: true, params: { groups: 2, padding: [1, 0, 0, 1], strides: [1, 2] } },
  { name: 'groups 2 with strides and dilations', input: [1, 4, 8, 8], filter: [4, 2, 2, 2],
    params: { groups: 2, strides: [3, 2], dilations: [2, 3] } },
  { name: 'filter as large as the input', input: [1, 2, 3, 3], filter: [2, 2, 3, 3] },
];

forEachBackend('conv2d', (backend) => {
  for (const c of cases) {
    for (const inputLayout of ['nchw', 'nhwc'] as const) {
      for (const filterLayout of ['oihw', 'hwio', 'ohwi', 'ihwo'] as const) {
        it(`${c.name} (${inputLayout}, ${filterLayout})`, () => runConv(backend, c, inputLayout, filterLayout));
      }
    }
  }
  it('constant filter in every layout (rewritten once at build)', async () => {
    for (const filterLayout of ['oihw', 'hwio', 'ohwi', 'ihwo'] as const) {
      await runConv(backend, cases[3]!, 'nhwc', filterLayout, 'float32', true);
      await runConv(backend, cases[5]!, 'nchw', filterLayout, 'float32', true);
    }
  });
  it('bias computed by reshape from another rank', async () => {
    const c = cases[1]!;
    const x = makeData(c.input, 11, 'float32');
    const w = makeData(c.filter, 23, 'float32');
    const bias = representable(randomData(c.filter[0]!, 5), 'float32');
    const result = await runGraph(backend, {
      input: { dataType: 'float32', ...x }, filter: { dataType: 'float32', ...w },
      bias: { dataType: 'float32', shape: [1, bias.length], data: bias },
    }, (b, ops) => {
      const builder = b as Builder;
      const options = { ...c.params, bias: builder.reshape(ops['bias'], [bias.length]) };
      return { out: builder.conv2d(ops['input'], ops['filter'], options) };
    });
    assertClose(result['out']!, conv2dRef(x, w, bias, c.params), { atol: 1e-5, rtol: 1e-5 });
  });
  it('float16', async () => {
    await runConv(backend, cases[1]!, 'nchw', 'oihw', 'float16');
    await runConv(backend, cases[4]!, 'nhwc', 'ihwo', 'float16');
    await runConv(backend, cases[6]!, 'nhwc', 'ohwi', 'float16', true);
  });

  describe('validation', () => {
    // Every spec TypeError names the operation; a stray TypeError from a bug would not.
    const check = async (body: (b: Builder) => unknown) => {
      const b = (await builderFor(backend)) as Builder;
      await assertThrows(() => body(b), 'TypeError', /^conv2d: /);
    };
    const input = (b: Builder, shape = [1, 2, 5, 5], dataType: MLOperandDataType = 'float32') => b.input('x', { dataType, shape });
    const filter = (b: Builder, shape = [3, 2, 3, 3], dataType: MLOperandDataType = 'float32') => b.input('w', { dataType, shape });
    it('ranks and data types', async () => {
      await check((b) => b.conv2d(input(b, [2, 5, 5]), filter(b)));
      await check((b) => b.conv2d(input(b), filter(b, [3, 2, 3])));
      await check((b) => b.conv2d(input(b, [1, 2, 5, 5], 'int32'), filter(b, [3, 2, 3, 3], 'int32')));
      await check((b) => b.conv2d(input(b), filter(b, [3, 2, 3, 3], 'float16')));
      await check((b) => b.conv2d(input(b), filter(b), { bias: b.input('b', { dataType: 'float16', shape: [3] }) }));
      await check((b) => b.conv2d(input(b), filter(b), { bias: b.input('b', { dataType: 'float32', shape: [1, 3] }) }));
      await check((b) => b.conv2d(input(b), filter(b), { bias: b.input('b', { dataType: 'float32', shape: [2] }) }));
    });
    it('option lists', async () => {
      await check((b) => b.conv2d(input(b), filter(b), { padding: [1, 1] }));
      await check((b) => b.conv2d(input(b), filter(b), { strides: [1] }));
      await check((b) => b.conv2d(input(b), filter(b), { strides: [0, 1] }));
      await check((b) => b.conv2d(input(b), filter(b), { dilations: [1, 1, 1] }));
      await check((b) => b.conv2d(input(b), filter(b), { dilations: [1, 0] }));
      await check((b) => b.conv2d(input(b), filter(b), { padding: [-1, 0, 0, 0] }));
      await check((b) => b.conv2d(input(b), filter(b), { inputLayout: 'nwhc' }));
      await check((b) => b.conv2d(input(b), filter(b), { filterLayout: 'iohw' }));
    });
    it('groups and channels', async () => {
      await check((b) => b.conv2d(input(b), filter(b), { groups: 0 }));
      await check((b) => b.conv2d(input(b), filter(b), { groups: 2 })); // filter input channels must be 1
      await check((b) => b.conv2d(input(b, [1, 3, 5, 5]), filter(b, [3, 1, 3, 3]), { groups: 2 }));
      await check((b) => b.conv2d(input(b, [1, 4, 5, 5]), filter(b, [3, 2, 3, 3]), { groups: 2 })); // 3 outputs % 2
      await check((b) => b.conv2d(input(b), filter(b, [3, 3, 3, 3])));
    });
    it('output size', async () => {
      await check((b) => b.conv2d(input(b), filter(b, [3, 2, 6, 3])));
      await check((b) => b.conv2d(input(b), filter(b), { dilations: [3, 1] }));
    });
    it('operands from another builder', async () => {
      const other = (await builderFor(backend)) as Builder;
      await check((b) => b.conv2d(input(b), filter(other)));
      await check((b) => b.conv2d(input(b), filter(b), { bias: other.input('b', { dataType: 'float32', shape: [3] }) }));
    });
  });
});
