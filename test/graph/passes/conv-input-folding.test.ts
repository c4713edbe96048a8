import type { MLOperand } from '../../../src/api/operand.js';
import { foldConvInputs } from '../../../src/graph/passes/conv-input-folding.js';
import { isConstant } from '../../../src/graph/passes/fusion-util.js';
import { assertClose, forEachBackend, runGraph } from '../../util/harness.js';
import { conv2dRef, NCHW_TO_NHWC, transposeData, type ConvParams } from '../../ops/conv-reference.js';
import { constantOf, data, kernelsOf, opsOf, passNodes, type Builder, type Data } from './pass-test-util.js';

interface Case {
  name: string;
  layout: 'nchw' | 'nhwc';
  filter: number[]; // OIHW
  params: ConvParams;
  /** Before the convolution, in order: a mul or an add of a constant of `shape` (NCHW-ordered per-channel, or one value). */
  steps: { op: 'mul' | 'add'; perChannel: boolean }[];
}

const cases: Case[] = [
  { name: '1x1, per-channel mul then scalar add', layout: 'nhwc', filter: [5, 4, 1, 1], params: {}, steps: [{ op: 'mul', perChannel: true }, { op: 'add', perChannel: false }] },
  { name: '3x3 valid, scalar mul then per-channel add', layout: 'nchw', filter: [3, 4, 3, 3], params: { strides: [2, 1] }, steps: [{ op: 'mul', perChannel: false }, { op: 'add', perChannel: true }] },
  { name: 'depthwise 3x3 padded, per-channel mul', layout: 'nhwc', filter: [8, 1, 3, 3], params: { groups: 4, padding: [1, 1, 1, 1] }, steps: [{ op: 'mul', perChannel: true }] },
  { name: 'depthwise 2x2 valid, add then mul', layout: 'nchw', filter: [4, 1, 2, 2], params: { groups: 4 }, steps: [{ op: 'add', perChannel: true }, { op: 'mul', perChannel: true }] },
];

/** The constant of a step as the builder takes it, shaped for `layout` (per channel: along its channel axis). */
function stepConstant(b: Builder, layout: 'nchw' | 'nhwc', values: readonly number[]): MLOperand {
  if (values.length === 1) return constantOf(b, [], values);
  return constantOf(b, layout === 'nchw' ? [values.length, 1, 1] : [values.length], values);
}

forEachBackend('conv input folding', (backend) => {
  for (const c of cases) {
    it(`${c.name} before a conv2d ${c.layout}: folded into the filter and bias; equal to the float64 reference`, async () => {
      const x = data([1, 4, 5, 5], 71);
      const w = data(c.filter, 73);
      const bias = data([c.filter[0]!], 75).data;
      const constants = c.steps.map((s, i) => data([s.perChannel ? 4 : 1], 77 + i).data);
      // The reference: the steps on NCHW data in float64, then the convolution.
      let stepped: Data = x;
      c.steps.forEach((s, i) => {
        const k = constants[i]!;
        stepped = { ...stepped, data: stepped.data.map((v, j) => {
          const value = k.length === 1 ? k[0]! : k[Math.floor(j / 25) % 4]!;
          return s.op === 'mul' ? v * value : v + value;
        }) };
      });
      let expected = conv2dRef(stepped, w, bias, c.params);
      if (c.layout === 'nhwc') expected = transposeData(expected, NCHW_TO_NHWC);
      const xIn = c.layout === 'nchw' ? x : transposeData(x, NCHW_TO_NHWC);
      const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => {
        let v = xo!;
        c.steps.forEach((s, i) => { v = s.op === 'mul' ? b.mul(v, stepConstant(b, c.layout, constants[i]!)) : b.add(stepConstant(b, c.layout, constants[i]!), v); });
        return { out: b.conv2d(v, constantOf(b, w.shape, w.data), { ...c.params, inputLayout: c.layout, filterLayout: 'oihw', bias: constantOf(b, [bias.length], bias) }) };
      };
      const nodes = await passNodes(backend, foldConvInputs, { x: xIn.shape }, build);
      const runtime = nodes.filter((n) => !n.outputs.every(isConstant)).map((n) => n.op);
      if (runtime.join(', ') !== 'conv2d') throw new Error(`run-time nodes ${runtime.join(', ')}; all: ${opsOf(nodes)}`);
      const result = await runGraph(backend, { x: { dataType: 'float32', ...xIn } }, (b, o) => build(b as Builder, o));
      assertClose(result['out']!, expected, { atol: 1e-5, rtol: 1e-5 });
      // Through the whole pipeline: NCHW data read from a graph input is laid out as NHWC right before the convolution,
      // after the steps, which then stay (the layout pass does not move the transpose up to the input).
      const kernels = (await kernelsOf(backend, { x: { dataType: 'float32', ...xIn } }, build)).filter((k) => k !== 'Transpose');
      if (c.layout === 'nhwc' && kernels.length !== 1) throw new Error(`kernels: ${kernels.join(', ')}`);
    });
  }

  it('conv2d, mul, add, conv2d 1x1: the steps fold into the first convolution (normalization folding), the second reads its result', async () => {
    const x = data([1, 4, 5, 5], 91);
    const w1 = data([4, 4, 3, 3], 93);
    const w2 = data([2, 4, 1, 1], 95);
    const [scale, shift] = [Math.fround(1.5), Math.fround(-0.25)];
    const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => {
      const first = b.conv2d(xo!, constantOf(b, w1.shape, w1.data), { padding: [1, 1, 1, 1] });
      const affine = b.add(b.mul(first, constantOf(b, [1], [scale])), constantOf(b, [1], [shift]));
      return { out: b.conv2d(affine, constantOf(b, w2.shape, w2.data)) };
    };
    const first = conv2dRef(x, w1, undefined, { padding: [1, 1, 1, 1] });
    const expected = conv2dRef({ ...first, data: first.data.map((v) => v * scale + shift) }, w2, undefined, {});
    const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, o) => build(b as Builder, o));
    assertClose(result['out']!, expected, { atol: 1e-5, rtol: 1e-5 });
    const kernels = (await kernelsOf(backend, { x: { dataType: 'float32', ...x } }, build)).filter((k) => k !== 'Transpose');
    if (kernels.join(', ') !== 'FusedConv2D, FusedConv2D') throw new Error(`kernels: ${kernels.join(', ')}`);
  });

  it('leaves alone: an add before a padded convolution, a step read elsewhere, a non-constant or non-channel operand', async () => {
    const w = data([4, 4, 3, 3], 81);
    const conv = (b: Builder, v: MLOperand, padding = [1, 1, 1, 1]) => b.conv2d(v, constantOf(b, w.shape, w.data), { padding });
    const shapes = { x: [1, 4, 5, 5] };
    const cases: [string, Record<string, number[]>, (b: Builder, o: Record<string, MLOperand>) => Record<string, MLOperand>][] = [
      ['add, padded', shapes, (b, { x }) => ({ out: conv(b, b.add(x!, constantOf(b, [4, 1, 1], [1, 2, 3, 4]))) })],
      ['mul read elsewhere', shapes, (b, { x }) => {
        const m = b.mul(x!, constantOf(b, [4, 1, 1], [1, 2, 3, 4]));
        return { out: conv(b, m), m: b.relu(m) };
      }],
      ['mul by an input', { ...shapes, k: [4, 1, 1] }, (b, { x, k }) => ({ out: conv(b, b.mul(x!, k!)) })],
      ['mul along the width', shapes, (b, { x }) => ({ out: conv(b, b.mul(x!, constantOf(b, [5], [1, 2, 3, 4, 5]))) })],
    ];
    for (const [name, inputShapes, build] of cases) {
      const nodes = await passNodes(backend, foldConvInputs, inputShapes, build);
      if (!nodes.some((n) => n.op === 'mul' || n.op === 'add')) throw new Error(`${name}: folded (${opsOf(nodes)})`);
    }
  });
});
