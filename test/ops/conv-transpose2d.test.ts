import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size, typedArrayFor,
} from '../util/harness.js';
import { convTranspose2dRef, NCHW_TO_NHWC, transposeData, type ConvTransposeParams, type Data } from './conv-reference.js';
import { kernelsOf } from '../graph/passes/pass-test-util.js';

type FilterLayout = 'iohw' | 'hwoi' | 'ohwi';
/** From IOHW ([in, out / groups, h, w]) to each layout. */
const FROM_IOHW: Record<FilterLayout, number[]> = { iohw: [0, 1, 2, 3], hwoi: [2, 3, 1, 0], ohwi: [1, 2, 3, 0] };

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;

interface Case {
  name: string;
  input: number[]; // NCHW
  filter: number[]; // IOHW
  params?: ConvTransposeParams;
  bias?: boolean;
}

function makeData(shape: number[], seed: number, dataType: MLOperandDataType): Data {
  return { data: representable(randomData(size(shape), seed), dataType), shape };
}

async function runCase(backend: string, c: Case, inputLayout: 'nchw' | 'nhwc', filterLayout: FilterLayout,
  dataType: MLOperandDataType = 'float32', constantFilter = false): Promise<void> {
  const x = makeData(c.input, 3, dataType);
  const w = makeData(c.filter, 17, dataType);
  const groups = c.params?.groups ?? 1;
  const bias = c.bias ? representable(randomData(c.filter[1]! * groups, 9), dataType) : undefined;
  const expected = convTranspose2dRef(x, w, bias, c.params);
  const xIn = inputLayout === 'nchw' ? x : transposeData(x, NCHW_TO_NHWC);
  const wIn = transposeData(w, FROM_IOHW[filterLayout]);
  const want = inputLayout === 'nchw' ? expected : transposeData(expected, NCHW_TO_NHWC);
  const inputs: Record<string, { dataType: MLOperandDataType; shape: number[]; data: number[] }> = { input: { dataType, ...xIn } };
  if (!constantFilter) inputs['filter'] = { dataType, ...wIn };
  if (bias) inputs['bias'] = { dataType, shape: [bias.length], data: bias };
  const result = await runGraph(backend as never, inputs, (b, ops) => {
    const builder = b as Builder;
    const filter = constantFilter
      ? builder.constant({ dataType, shape: wIn.shape }, typedArrayFor({ dataType, ...wIn }))
      : ops['filter'];
    const options: Record<string, unknown> = { ...c.params, inputLayout, filterLayout };
    if (bias) options['bias'] = ops['bias'];
    return { out: builder.convTranspose2d(ops['input'], filter, options) };
  });
  if (dataType === 'float16') assertClose(result['out']!, { ...want, data: representable(want.data, 'float16') });
  else assertClose(result['out']!, want, { atol: 1e-5, rtol: 1e-5 });
}

const cases: Case[] = [
  { name: 'plain', input: [1, 2, 3, 3], filter: [2, 3, 3, 3] },
  { name: 'strides and bias', input: [2, 3, 3, 4], filter: [3, 2, 3, 2], bias: true, params: { strides: [2, 3] } },
  { name: 'asymmetric padding', input: [1, 2, 4, 4], filter: [2, 2, 3, 3], params: { padding: [1, 0, 2, 1], strides: [2, 2] } },
  { name: 'outputPadding past the end padding', input: [1, 2, 3, 3], filter: [2, 1, 2, 3], bias: true,
    params: { strides: [3, 2], padding: [1, 0, 0, 1], outputPadding: [2, 1] } },
  { name: 'outputSizes', input: [1, 1, 3, 4], filter: [1, 2, 3, 3], params: { strides: [2, 3], padding: [1, 1, 0, 0], outputSizes: [6, 12] } },
  { name: 'dilations', input: [1, 2, 3, 3], filter: [2, 2, 2, 3], params: { dilations: [2, 3], padding: [0, 1, 1, 1] } },
  { name: 'strides and dilations', input: [1, 2, 3, 3], filter: [2, 2, 3, 2], bias: true,
    params: { strides: [2, 3], dilations: [2, 2], padding: [1, 2, 0, 1], outputPadding: [1, 2] } },
  { name: 'groups 2', input: [1, 4, 3, 3], filter: [4, 3, 2, 2], bias: true, params: { groups: 2, strides: [2, 1], padding: [0, 1, 1, 0] } },
  { name: 'depthwise groups', input: [2, 3, 3, 2], filter: [3, 1, 3, 3], params: { groups: 3, strides: [2, 2], dilations: [1, 2] } },
  // The spec does not require groups to divide the input channels: channel c feeds group floor(c / (channels / groups)).
  { name: 'groups not dividing the channels', input: [1, 5, 3, 3], filter: [5, 2, 2, 2], bias: true, params: { groups: 3, strides: [2, 1] } },
  { name: 'more groups than channels', input: [1, 2, 3, 2], filter: [2, 1, 2, 2], bias: true, params: { groups: 3 } },
  // Filter windows tiling the output (filter size = strides, no padding): on wasm, a 1x1 convolution and a transpose.
  { name: 'filter size = strides 2', input: [2, 5, 3, 4], filter: [5, 3, 2, 2], bias: true, params: { strides: [2, 2] } },
  { name: 'filter size = strides 3', input: [1, 2, 2, 3], filter: [2, 4, 3, 3], params: { strides: [3, 3] } },
  { name: 'dilated filter size = strides', input: [1, 2, 3, 2], filter: [2, 2, 2, 2], params: { strides: [3, 3], dilations: [2, 2] } },
];

forEachBackend('convTranspose2d', (backend) => {
  for (const c of cases) {
    for (const inputLayout of ['nchw', 'nhwc'] as const) {
      for (const filterLayout of ['iohw', 'hwoi', 'ohwi'] as const) {
        it(`${c.name} (${inputLayout}, ${filterLayout})`, () => runCase(backend, c, inputLayout, filterLayout));
      }
    }
  }
  it('filter size = strides runs, on wasm, a 1x1 convolution and an interleaving of its rows', async () => {
    const kernels = await kernelsOf(backend as never, { x: { dataType: 'float32', shape: [1, 3, 4, 2], data: randomData(24, 4) } },
      (b, { x }) => ({ out: b.convTranspose2d(x, b.constant({ dataType: 'float32', shape: [2, 2, 5, 2] },
        new Float32Array(randomData(40, 5))), { strides: [2, 2], inputLayout: 'nhwc', filterLayout: 'hwoi' }) }));
    const expected = backend === 'wasm' ? 'FusedConv2D,Reshape,Transpose,Reshape' : 'Conv2DBackpropInput';
    if (kernels.join() !== expected) throw new Error(`kernels: ${kernels.join(', ')}`);
  });
  it('constant filter', async () => {
    await runCase(backend, cases[6]!, 'nchw', 'iohw', 'float32', true);
    await runCase(backend, cases[7]!, 'nhwc', 'ohwi', 'float32', true);
  });
  it('float16', async () => {
    await runCase(backend, cases[3]!, 'nchw', 'iohw', 'float16');
    await runCase(backend, cases[7]!, 'nhwc', 'hwoi', 'float16', true);
  });

  describe('validation', () => {
    const check = async (body: (b: Builder) => unknown) => {
      const b = (await builderFor(backend)) as Builder;
      await assertThrows(() => body(b), 'TypeError', /^convTranspose2d: /);
    };
    const input = (b: Builder, shape = [1, 2, 3, 3], dataType: MLOperandDataType = 'float32') => b.input('x', { dataType, shape });
    const filter = (b: Builder, shape = [2, 3, 3, 3], dataType: MLOperandDataType = 'float32') => b.input('w', { dataType, shape });
    it('ranks, data types, bias', async () => {
      await check((b) => b.convTranspose2d(input(b, [2, 3, 3]), filter(b)));
      await check((b) => b.convTranspose2d(input(b), filter(b, [2, 3, 3])));
      await check((b) => b.convTranspose2d(input(b, [1, 2, 3, 3], 'int32'), filter(b, [2, 3, 3, 3], 'int32')));
      await check((b) => b.convTranspose2d(input(b), filter(b, [2, 3, 3, 3], 'float16')));
      await check((b) => b.convTranspose2d(input(b), filter(b), { bias: b.input('b', { dataType: 'float32', shape: [2] }) }));
      await check((b) => b.convTranspose2d(input(b), filter(b), { bias: b.input('b', { dataType: 'float16', shape: [3] }) }));
    });
    it('option lists', async () => {
      await check((b) => b.convTranspose2d(input(b), filter(b), { padding: [0, 0, 0] }));
      await check((b) => b.convTranspose2d(input(b), filter(b), { strides: [0, 1] }));
      await check((b) => b.convTranspose2d(input(b), filter(b), { dilations: [1, 0] }));
      await check((b) => b.convTranspose2d(input(b), filter(b), { outputPadding: [1] }));
      await check((b) => b.convTranspose2d(input(b), filter(b), { outputPadding: [1, 0] })); // not below strides
      await check((b) => b.convTranspose2d(input(b), filter(b), { strides: [2, 2], outputPadding: [2, 0] }));
      await check((b) => b.convTranspose2d(input(b), filter(b), { outputSizes: [5] }));
      await check((b) => b.convTranspose2d(input(b), filter(b), { filterLayout: 'oihw' }));
    });
    it('outputSizes range', async () => {
      // calculated size 7 with strides 2: 7 and 8 are allowed
      await check((b) => b.convTranspose2d(input(b), filter(b), { strides: [2, 2], outputSizes: [6, 7] }));
      await check((b) => b.convTranspose2d(input(b), filter(b), { strides: [2, 2], outputSizes: [7, 9] }));
      const b = (await builderFor(backend)) as Builder;
      const out = b.convTranspose2d(input(b), filter(b), { strides: [2, 2], outputSizes: [8, 7], outputPadding: [5, 5] });
      if (out.shape.join() !== '1,3,8,7') throw new Error(`shape ${out.shape.join()}`);
    });
    it('channels and groups', async () => {
      await check((b) => b.convTranspose2d(input(b), filter(b, [3, 3, 3, 3])));
      await check((b) => b.convTranspose2d(input(b), filter(b), { groups: 0 }));
      // No rule that groups divide the input channels (the spec's steps have none): output channels = filter's * groups.
      const b = (await builderFor(backend)) as Builder;
      const out = b.convTranspose2d(input(b, [1, 3, 3, 3]), filter(b, [3, 1, 3, 3]), { groups: 2 });
      if (out.shape.join() !== '1,2,5,5') throw new Error(`shape ${out.shape.join()}`);
    });
    it('padding larger than the output', async () => {
      await check((b) => b.convTranspose2d(input(b), filter(b), { padding: [3, 2, 0, 0] }));
    });
  });
});
