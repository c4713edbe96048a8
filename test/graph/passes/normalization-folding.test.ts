import type { MLOperand } from '../../../src/api/operand.js';
import { isConstant } from '../../../src/graph/passes/fusion-util.js';
import { foldNormalizations } from '../../../src/graph/passes/normalization-folding.js';
import type { GraphNode } from '../../../src/graph/ir.js';
import { assertClose, forEachBackend, runGraph } from '../../util/harness.js';
import { conv2dRef, NCHW_TO_NHWC, transposeData, type ConvParams } from '../../ops/conv-reference.js';
import { constantOf, data, kernelsOf, matmulRef, opsOf, passNodes, type Builder, type Data } from './pass-test-util.js';

/** A per-channel step after the convolution or product, in float64. */
interface Step {
  name: string;
  apply: (b: Builder, y: MLOperand, channelAxis: number, channels: number) => MLOperand;
  /** The value of element `v` in channel `c`. */
  ref: (v: number, c: number) => number;
}

const CHANNEL_SEEDS = { mean: 3, variance: 5, scale: 7, bias: 9, mul: 11, add: 13 };
const channelData = (channels: number, seed: number): number[] => data([channels], seed).data;

/** batchNormalization with every option; variance positive. */
function batchNorm(channels: number, epsilon: number): Step {
  const mean = channelData(channels, CHANNEL_SEEDS.mean);
  const variance = channelData(channels, CHANNEL_SEEDS.variance).map((v) => Math.fround(Math.abs(v) + 0.1));
  const scale = channelData(channels, CHANNEL_SEEDS.scale);
  const bias = channelData(channels, CHANNEL_SEEDS.bias);
  return {
    name: `batchNormalization epsilon ${epsilon}`,
    apply: (b, y, axis) => b.batchNormalization(y, constantOf(b, [channels], mean), constantOf(b, [channels], variance),
      { axis, epsilon, scale: constantOf(b, [channels], scale), bias: constantOf(b, [channels], bias) }),
    ref: (v, c) => (v - mean[c]!) * scale[c]! / Math.sqrt(variance[c]! + Math.fround(epsilon)) + bias[c]!,
  };
}

/** Shape of a per-channel constant of `rank` dimensions along `axis` (trailing ones dropped when `trim`). */
function channelShape(rank: number, axis: number, channels: number, trim: boolean): number[] {
  const shape = Array.from({ length: rank }, (_, i) => (i === axis ? channels : 1));
  return trim ? shape.slice(axis) : shape;
}

function mulThenAdd(channels: number): Step {
  const factor = channelData(channels, CHANNEL_SEEDS.mul);
  const shift = channelData(channels, CHANNEL_SEEDS.add);
  return {
    name: 'mul then add of per-channel constants',
    apply: (b, y, axis) => {
      const rank = y.shape.length;
      const scaled = b.mul(y, constantOf(b, channelShape(rank, axis, channels, false), factor));
      return b.add(constantOf(b, channelShape(rank, axis, channels, true), shift), scaled);
    },
    ref: (v, c) => v * factor[c]! + shift[c]!,
  };
}

const relu = (b: Builder, y: MLOperand) => b.relu(y);

/** Applies `step` then relu to `y` along its channel axis, in float64. */
function expectedAfter(y: Data, channelAxis: number, step: Step): Data {
  const channels = y.shape[channelAxis]!;
  const inner = y.shape.slice(channelAxis + 1).reduce((p, d) => p * d, 1);
  return { ...y, data: y.data.map((v, i) => Math.max(0, step.ref(v, Math.floor(i / inner) % channels))) };
}

/** Every node except those named computes from constants only (the plan runs those once at build). */
function checkOnlyBuildTimeBesides(nodes: readonly GraphNode[], runtimeOps: readonly string[]): void {
  const runtime = nodes.filter((n) => !n.outputs.every(isConstant)).map((n) => n.op);
  if (runtime.join(', ') !== runtimeOps.join(', ')) throw new Error(`run-time nodes ${runtime.join(', ')}; all: ${opsOf(nodes)}`);
}

interface ConvCase {
  layout: 'nchw' | 'nhwc';
  input: number[]; // NCHW
  filter: number[]; // OIHW
  params?: ConvParams;
  biasOption?: boolean;
  step: (channels: number) => Step;
}

const convCases: ConvCase[] = [];
for (const layout of ['nchw', 'nhwc'] as const) {
  convCases.push({ layout, input: [1, 3, 5, 5], filter: [4, 3, 3, 3], params: { padding: [1, 1, 0, 1] }, biasOption: true,
    step: (c) => batchNorm(c, 1e-3) });
  convCases.push({ layout, input: [2, 4, 5, 5], filter: [8, 1, 3, 3], params: { groups: 4, strides: [2, 2] }, step: (c) => batchNorm(c, 1e-5) });
  convCases.push({ layout, input: [1, 4, 5, 5], filter: [6, 2, 2, 2], params: { groups: 2 }, biasOption: true, step: mulThenAdd });
}

const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

forEachBackend('normalization folding', (backend) => {
  for (const c of convCases) {
    const channels = c.filter[0]!;
    const step = c.step(channels);
    const kind = c.params?.groups ? (c.params.groups === c.input[1] ? 'depthwise ' : 'grouped ') : '';
    it(`${kind}conv2d ${c.layout}${c.biasOption ? ' with bias' : ''} + ${step.name} + relu: folded, equal to the float64 reference`, async () => {
      const x = data(c.input, 21);
      const xIn = c.layout === 'nchw' ? x : transposeData(x, NCHW_TO_NHWC);
      const w = data(c.filter, 23);
      const bias = c.biasOption ? data([channels], 25).data : undefined;
      const channelAxis = c.layout === 'nchw' ? 1 : 3;
      let y = conv2dRef(x, w, bias, c.params);
      if (c.layout === 'nhwc') y = transposeData(y, NCHW_TO_NHWC);
      const expected = expectedAfter(y, channelAxis, step);
      const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => {
        const options: Record<string, unknown> = { ...c.params, inputLayout: c.layout, filterLayout: 'oihw' };
        if (bias) options['bias'] = constantOf(b, [channels], bias);
        const conv = b.conv2d(xo!, constantOf(b, w.shape, w.data), options);
        return { out: relu(b, step.apply(b, conv, channelAxis, channels)) };
      };
      checkOnlyBuildTimeBesides(await passNodes(backend, foldNormalizations, { x: xIn.shape }, build), ['conv2d', 'relu']);
      const result = await runGraph(backend, { x: { dataType: 'float32', ...xIn } }, (b, o) => build(b as Builder, o));
      assertClose(result['out']!, expected, TOLERANCE);
    });
  }

  const products: { name: string; make: (b: Builder, x: MLOperand, w: Data) => MLOperand; w: number[];
    ref: (x: Data, w: Data) => Data }[] = [
    { name: 'matmul', w: [5, 4], make: (b, x, w) => b.matmul(x, constantOf(b, w.shape, w.data)), ref: (x, w) => matmulRef(x, w) },
    {
      name: 'gemm with c [1, 4], beta 0.5, bTranspose', w: [4, 5],
      make: (b, x, w) => b.gemm(x, constantOf(b, w.shape, w.data), { c: constantOf(b, [1, 4], [0.5, -1, 2, 0.25]), beta: 0.5, bTranspose: true }),
      ref: (x, w) => {
        const y = matmulRef(x, w, false, true);
        return { ...y, data: y.data.map((v, i) => v + 0.5 * [0.5, -1, 2, 0.25][i % 4]!) };
      },
    },
  ];
  for (const p of products) {
    for (const step of [batchNorm(4, 1e-5), mulThenAdd(4)]) {
      it(`${p.name} + ${step.name} + relu: folded into one gemm, equal to the float64 reference`, async () => {
        const x = data([3, 5], 31);
        const w = data(p.w, 33);
        const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => ({ out: relu(b, step.apply(b, p.make(b, xo!, w), 1, 4)) });
        checkOnlyBuildTimeBesides(await passNodes(backend, foldNormalizations, { x: x.shape }, build), ['gemm', 'relu']);
        const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, o) => build(b as Builder, o));
        assertClose(result['out']!, expectedAfter(p.ref(x, w), 1, step), TOLERANCE);
      });
    }
  }

  it('leaves alone: another axis, non-constant parameters or weights, a convolution output read elsewhere', async () => {
    const w = data([4, 3, 3, 3], 23);
    const conv = (b: Builder, x: MLOperand) => b.conv2d(x, constantOf(b, w.shape, w.data));
    const shapes = { x: [1, 3, 5, 5] };
    const cases: [string, Record<string, number[]>, (b: Builder, o: Record<string, MLOperand>) => Record<string, MLOperand>][] = [
      ['along the height', shapes, (b, { x }) => ({ out: b.batchNormalization(conv(b, x!), constantOf(b, [3], [1, 2, 3]), constantOf(b, [3], [1, 2, 3]), { axis: 2 }) })],
      ['mean an input', { ...shapes, m: [4] }, (b, { x, m }) => ({ out: b.batchNormalization(conv(b, x!), m!, constantOf(b, [4], [1, 2, 3, 4])) })],
      ['filter an input', { ...shapes, f: [4, 3, 3, 3] }, (b, { x, f }) => ({ out: b.mul(b.conv2d(x!, f!), constantOf(b, [4, 1, 1], [1, 2, 3, 4])) })],
      ['mul by a non-channel constant', shapes, (b, { x }) => ({ out: b.mul(conv(b, x!), constantOf(b, [3], [1, 2, 3])) })],
      ['shared output', shapes, (b, { x }) => {
        const y = conv(b, x!);
        return { out: b.mul(y, constantOf(b, [4, 1, 1], [1, 2, 3, 4])), y };
      }],
    ];
    for (const [name, inputShapes, build] of cases) {
      const nodes = await passNodes(backend, foldNormalizations, inputShapes, build);
      if (!nodes.some((n) => n.op === 'batchNormalization' || n.op === 'mul')) throw new Error(`${name}: folded (${opsOf(nodes)})`);
    }
  });

  it('conv2d + batchNormalization + relu runs one kernel (webgl: and relu)', async () => {
    const step = batchNorm(4, 1e-5);
    const x = transposeData(data([1, 3, 5, 5], 21), NCHW_TO_NHWC);
    const w = data([4, 3, 3, 3], 23);
    const build = (b: Builder, { x: xo }: Record<string, MLOperand>) =>
      ({ out: relu(b, step.apply(b, b.conv2d(xo!, constantOf(b, w.shape, w.data), { inputLayout: 'nhwc', filterLayout: 'oihw' }), 3, 4)) });
    const kernels = await kernelsOf(backend, { x: { dataType: 'float32', ...x } }, build);
    // webgl's fused relu gives -0 for negative values: there relu follows the kernel.
    if (kernels.join(', ') !== (backend === 'webgl' ? 'FusedConv2D, Maximum' : 'FusedConv2D')) throw new Error(`kernels: ${kernels.join(', ')}`);
  });
});

forEachBackend('normalization folding: hardSigmoid', (backend) => {
  const hardSigmoid = (v: number, alpha: number, beta: number) => Math.min(1, Math.max(0, alpha * v + beta));
  for (const [layout, groups] of [['nchw', 1], ['nhwc', 1], ['nchw', 4]] as const) {
    it(`conv2d ${layout}${groups > 1 ? ' depthwise' : ''} + bias + hardSigmoid: folded, a clamp(0, 1) left; the relu runs in the kernel; equal to the float64 reference`, async () => {
      const [alpha, beta] = [0.2, 0.5];
      const x = data([1, 4, 5, 5], 41);
      const xIn = layout === 'nchw' ? x : transposeData(x, NCHW_TO_NHWC);
      const w = data([4, 4 / groups, 3, 3], 43);
      const bias = data([4], 45).data;
      let y = conv2dRef(x, w, bias, { padding: [1, 1, 1, 1], groups });
      if (layout === 'nhwc') y = transposeData(y, NCHW_TO_NHWC);
      const expected = { ...y, data: y.data.map((v) => hardSigmoid(v, alpha, beta)) };
      const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => ({
        out: b.hardSigmoid(b.conv2d(xo!, constantOf(b, w.shape, w.data),
          { padding: [1, 1, 1, 1], groups, inputLayout: layout, filterLayout: 'oihw', bias: constantOf(b, [4], bias) }), { alpha, beta }),
      });
      checkOnlyBuildTimeBesides(await passNodes(backend, foldNormalizations, { x: xIn.shape }, build), ['conv2d', 'clamp']);
      const result = await runGraph(backend, { x: { dataType: 'float32', ...xIn } }, (b, o) => build(b as Builder, o));
      assertClose(result['out']!, expected, TOLERANCE);
      const kernels = (await kernelsOf(backend, { x: { dataType: 'float32', ...xIn } }, build)).filter((k) => k !== 'Transpose');
      const conv = groups > 1 ? 'FusedDepthwiseConv2D' : 'FusedConv2D';
      // webgl's fused relu gives -0 for negative values: there relu follows the kernel. On wasm and cpu the clamp is a
      // kernel of ours (ops/js-clamps.ts); on webgpu the relu runs in the kernel and a Minimum bounds it above.
      const wanted = backend === 'webgl' ? `${conv}, Maximum, Minimum` : backend === 'webgpu' ? `${conv}, Minimum` : `${conv}, WebNNClamp`;
      if (kernels.join(', ') !== wanted) throw new Error(`kernels: ${kernels.join(', ')}`);
    });
  }

  it('leaves a hardSigmoid alone after a convolution whose output is read elsewhere', async () => {
    const w = data([4, 3, 3, 3], 23);
    const nodes = await passNodes(backend, foldNormalizations, { x: [1, 3, 5, 5] }, (b, { x }) => {
      const y = b.conv2d(x!, constantOf(b, w.shape, w.data));
      return { out: b.hardSigmoid(y), y };
    });
    if (!nodes.some((n) => n.op === 'hardSigmoid')) throw new Error(`folded: ${opsOf(nodes)}`);
  });
});
