import type { MLOperand } from '../../../src/api/operand.js';
import { scaleHardSwishes } from '../../../src/graph/passes/hard-swish-scaling.js';
import { assertClose, forEachBackend, runGraph } from '../../util/harness.js';
import { conv2dRef, NCHW_TO_NHWC, transposeData, type ConvParams } from '../../ops/conv-reference.js';
import { constantOf, data, kernelsOf, opsOf, passNodes, type Builder } from './pass-test-util.js';

const hardSwish = (v: number) => v * Math.min(6, Math.max(0, v + 3)) / 6;

interface Case {
  layout: 'nchw' | 'nhwc';
  filter: number[]; // OIHW
  params: ConvParams;
}

const cases: Case[] = [
  { layout: 'nchw', filter: [4, 3, 3, 3], params: { padding: [1, 1, 1, 1] } },
  { layout: 'nhwc', filter: [6, 1, 3, 3], params: { groups: 3, strides: [2, 2], padding: [1, 0, 1, 0] } },
];

forEachBackend('hardSwish scaling', (backend) => {
  for (const c of cases) {
    const kind = c.params.groups ? 'depthwise ' : '';
    it(`hardSwish then ${kind}conv2d ${c.layout} with bias: the filter takes the / 6; equal to the float64 reference`, async () => {
      // Values well beyond [-3, 3], where hardSwish is linear or zero, and within it.
      const x = { ...data([1, 3, 5, 5], 51) };
      x.data = x.data.map((v) => v * 3);
      const xIn = c.layout === 'nchw' ? x : transposeData(x, NCHW_TO_NHWC);
      const w = data(c.filter, 53);
      const bias = data([c.filter[0]!], 55).data;
      let y = conv2dRef({ ...x, data: x.data.map(hardSwish) }, w, bias, c.params);
      if (c.layout === 'nhwc') y = transposeData(y, NCHW_TO_NHWC);
      const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => ({
        out: b.conv2d(b.hardSwish(xo!), constantOf(b, w.shape, w.data),
          { ...c.params, inputLayout: c.layout, filterLayout: 'oihw', bias: constantOf(b, [bias.length], bias) }),
      });
      const nodes = await passNodes(backend, scaleHardSwishes, { x: xIn.shape }, build);
      if (nodes.some((n) => n.op === 'hardSwish') || !nodes.some((n) => n.op === 'hardSwish.timesSix')) throw new Error(`nodes: ${opsOf(nodes)}`);
      const result = await runGraph(backend, { x: { dataType: 'float32', ...xIn } }, (b, o) => build(b as Builder, o));
      assertClose(result['out']!, y, { atol: 1e-5, rtol: 1e-5 });
      const kernels = await kernelsOf(backend, { x: { dataType: 'float32', ...xIn } }, build);
      if (kernels.includes('RealDiv')) throw new Error(`kernels: ${kernels.join(', ')}`);
    });
  }

  it('leaves alone a hardSwish read elsewhere too, or read as the filter, or before a filter that is an input', async () => {
    const w = data([4, 3, 1, 1], 57);
    const cases: [string, Record<string, number[]>, (b: Builder, o: Record<string, MLOperand>) => Record<string, MLOperand>][] = [
      ['read elsewhere', { x: [1, 3, 4, 4] }, (b, { x }) => {
        const h = b.hardSwish(x!);
        return { out: b.conv2d(h, constantOf(b, w.shape, w.data)), h: b.relu(h) };
      }],
      ['a graph output', { x: [1, 3, 4, 4] }, (b, { x }) => {
        const h = b.hardSwish(x!);
        return { out: b.conv2d(h, constantOf(b, w.shape, w.data)), h };
      }],
      ['the filter', { x: [1, 3, 4, 4], f: [4, 3, 1, 1] }, (b, { x, f }) => ({ out: b.conv2d(x!, b.hardSwish(f!)) })],
      ['filter an input', { x: [1, 3, 4, 4], f: [4, 3, 1, 1] }, (b, { x, f }) => ({ out: b.conv2d(b.hardSwish(x!), f!) })],
    ];
    for (const [name, shapes, build] of cases) {
      const nodes = await passNodes(backend, scaleHardSwishes, shapes, build);
      if (!nodes.some((n) => n.op === 'hardSwish') || nodes.some((n) => n.op === 'hardSwish.timesSix')) throw new Error(`${name}: ${opsOf(nodes)}`);
    }
  });
});
