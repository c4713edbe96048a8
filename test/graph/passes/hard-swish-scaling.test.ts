import { runsJsKernels } from '../../../src/runtime/js-kernels.js';
import type { MLOperand } from '../../../src/api/operand.js';
import { scaleHardSwishes } from '../../../src/graph/passes/hard-swish-scaling.js';
import { assertClose, forEachBackend, runGraph } from '../../util/harness.js';
import { conv2dRef, NCHW_TO_NHWC, transposeData, type ConvParams } from '../../ops/conv-reference.js';
import { constantOf, data, kernelsOf, opsOf, passNodes, type Builder, type Data } from './pass-test-util.js';
import type { BackendName } from '../../../src/runtime/backends.js';

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

/**
 * The pass takes every hardSwish of `build`'s graph; through the whole pipeline its outputs equal `expected` (float64)
 * and no kernel divides.
 */
async function checkScaled(backend: BackendName, x: Data, build: (b: Builder, o: Record<string, MLOperand>) => Record<string, MLOperand>,
  expected: Record<string, Data>): Promise<void> {
  const nodes = await passNodes(backend, scaleHardSwishes, { x: x.shape }, build);
  if (nodes.some((n) => n.op === 'hardSwish') || !nodes.some((n) => n.op === 'hardSwish.timesSix')) throw new Error(`nodes: ${opsOf(nodes)}`);
  const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, o) => build(b as Builder, o));
  for (const [name, values] of Object.entries(expected)) assertClose(result[name]!, values, { atol: 1e-5, rtol: 1e-5 });
  const kernels = await kernelsOf(backend, { x: { dataType: 'float32', ...x } }, build);
  if (kernels.includes('RealDiv')) throw new Error(`kernels: ${kernels.join(', ')}`);
}

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
      await checkScaled(backend, xIn, build, { out: y });
    });
  }

  it('a squeeze-and-excitation block after a hardSwish: the / 6 passes the pooling, the gate\'s product and a max pool into three filters', async () => {
    const x = { ...data([1, 4, 4, 4], 61) };
    x.data = x.data.map((v) => v * 3);
    const w1 = data([2, 4, 1, 1], 63);
    const w2 = data([4, 2, 1, 1], 65);
    const w3 = data([3, 4, 1, 1], 67);
    const w4 = data([3, 4, 1, 1], 69);
    const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => {
      const h = b.hardSwish(xo!);
      const squeezed = b.averagePool2d(h);
      const gate = b.hardSigmoid(b.conv2d(b.relu(b.conv2d(squeezed, constantOf(b, w1.shape, w1.data))), constantOf(b, w2.shape, w2.data)));
      const excited = b.conv2d(b.mul(h, gate), constantOf(b, w3.shape, w3.data));
      const pooled = b.conv2d(b.maxPool2d(h, { windowDimensions: [2, 2], strides: [2, 2] }), constantOf(b, w4.shape, w4.data));
      return { excited, pooled };
    };
    // The reference, in float64.
    const hs = { ...x, data: x.data.map(hardSwish) };
    const area = 16;
    const mean = [0, 1, 2, 3].map((c) => hs.data.slice(c * area, (c + 1) * area).reduce((p, v) => p + v, 0) / area);
    const hidden = conv2dRef({ data: mean, shape: [1, 4, 1, 1] }, w1, undefined, {});
    const gateRaw = conv2dRef({ ...hidden, data: hidden.data.map((v) => Math.max(0, v)) }, w2, undefined, {});
    const gate = gateRaw.data.map((v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)));
    const excited = conv2dRef({ ...hs, data: hs.data.map((v, i) => v * gate[Math.floor(i / area)]!) }, w3, undefined, {});
    const pooledIn: number[] = [];
    for (let c = 0; c < 4; c++) {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          const at = (di: number, dj: number) => hs.data[c * area + (2 * i + di) * 4 + 2 * j + dj]!;
          pooledIn.push(Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1)));
        }
      }
    }
    const pooled = conv2dRef({ data: pooledIn, shape: [1, 4, 2, 2] }, w4, undefined, {});
    await checkScaled(backend, x, build, { excited, pooled });
  });

  it('hardSwish, a learnable affine step (mul, add of scalars) and a 1x1 conv2d, as PP-OCRv4 writes them: hardSwish\'s own 3 kernels and the convolution', async () => {
    const x = { ...data([1, 5, 5, 4], 81) };
    x.data = x.data.map((v) => v * 3);
    const w = data([3, 4, 1, 1], 83);
    const [scale, shift] = [Math.fround(0.8), Math.fround(-0.3)];
    const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => ({
      out: b.conv2d(b.add(b.mul(constantOf(b, [1], [scale]), b.hardSwish(xo!)), constantOf(b, [1], [shift])), constantOf(b, w.shape, w.data),
        { inputLayout: 'nhwc', filterLayout: 'oihw' }),
    });
    const affine = transposeData(x, [0, 3, 1, 2]);
    const expected = transposeData(conv2dRef({ ...affine, data: affine.data.map((v) => scale * hardSwish(v) + shift) }, w, undefined, {}), NCHW_TO_NHWC);
    const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, o) => build(b as Builder, o));
    assertClose(result['out']!, expected, { atol: 1e-5, rtol: 1e-5 });
    const kernels = await kernelsOf(backend, { x: { dataType: 'float32', ...x } }, build);
    // On wasm and cpu the scaled hardSwish is one kernel of ours (ops/js-clamps.ts).
    const scaled = runsJsKernels(backend) ? 'WebNNHardSwish' : 'Add, Relu6, Multiply';
    if (kernels.join(', ') !== `${scaled}, FusedConv2D`) throw new Error(`kernels: ${kernels.join(', ')}`);
  });

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
      ['squared', { x: [1, 3, 4, 4] }, (b, { x }) => {
        const h = b.hardSwish(x!);
        return { out: b.conv2d(b.mul(h, h), constantOf(b, w.shape, w.data)) };
      }],
      ['times its own pooling', { x: [1, 3, 4, 4] }, (b, { x }) => {
        const h = b.hardSwish(x!);
        return { out: b.conv2d(b.mul(h, b.averagePool2d(h)), constantOf(b, w.shape, w.data)) };
      }],
      ['pooled into an output', { x: [1, 3, 4, 4] }, (b, { x }) => {
        const h = b.hardSwish(x!);
        return { out: b.conv2d(h, constantOf(b, w.shape, w.data)), pooled: b.averagePool2d(h) };
      }],
    ];
    for (const [name, shapes, build] of cases) {
      const nodes = await passNodes(backend, scaleHardSwishes, shapes, build);
      if (!nodes.some((n) => n.op === 'hardSwish') || nodes.some((n) => n.op === 'hardSwish.timesSix')) throw new Error(`${name}: ${opsOf(nodes)}`);
    }
  });
});
