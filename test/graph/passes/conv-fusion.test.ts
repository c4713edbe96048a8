import type { MLGraphBuilder } from '../../../src/api/graph-builder.js';
import { graphSlots } from '../../../src/api/internals.js';
import type { MLOperand } from '../../../src/api/operand.js';
import { fuseConvolutions } from '../../../src/graph/passes/conv-fusion.js';
import { FUSED_ACTIVATIONS, kernelsOf, passNodes, type FusedActivationCase } from './pass-test-util.js';
import { fusedNodeCount, isConstant } from '../../../src/graph/passes/fusion-util.js';
import type { GraphNode } from '../../../src/graph/ir.js';
import type { MLOperandDataType } from '../../../src/types/data-type.js';
import type { BackendName } from '../../../src/runtime/backends.js';
import { assertClose, builderFor, forEachBackend, randomData, representable, runGraph, size, typedArrayFor } from '../../util/harness.js';
import { conv2dRef, NCHW_TO_NHWC, transposeData, type ConvParams, type Data } from '../../ops/conv-reference.js';

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;

type Activation = FusedActivationCase;
const ACTIVATIONS = FUSED_ACTIVATIONS;

/** An activation no fused kernel computes: the chain must stop before it. */
const CLAMP_OTHER: Activation = {
  name: 'clamp(-1, 1)', apply: (b, x) => b.clamp(x, { minValue: -1, maxValue: 1 }), ref: (x) => Math.min(1, Math.max(-1, x)),
};

interface Chain {
  layout: 'nchw' | 'nhwc';
  input: number[]; // NCHW
  filter: number[]; // OIHW
  params?: ConvParams;
  biasOption?: boolean;
  /** Shape of the constant added after the convolution (null: no add). */
  addShape?: number[] | null;
  activation?: Activation;
}

const data = (shape: number[], seed: number): Data => ({ data: representable(randomData(size(shape), seed, -2, 2), 'float32'), shape });

/** Builds the chain; returns the operands to expose as outputs (`exposeConv` makes the conv output a graph output). */
function buildChain(b: Builder, x: MLOperand, c: Chain, w: Data, bias: number[] | undefined, add: Data | null,
  exposeConv: boolean): Record<string, MLOperand> {
  const dataType: MLOperandDataType = 'float32';
  const wOperand = b.constant({ dataType, shape: w.shape }, typedArrayFor({ dataType, ...w }));
  const options: Record<string, unknown> = { ...c.params, inputLayout: c.layout, filterLayout: 'oihw' };
  if (bias) options['bias'] = b.constant({ dataType, shape: [bias.length] }, typedArrayFor({ dataType, shape: [bias.length], data: bias }));
  const conv = b.conv2d(x, wOperand, options);
  let y = conv;
  if (add) y = b.add(y, b.constant({ dataType, shape: add.shape }, typedArrayFor({ dataType, ...add })));
  if (c.activation) y = c.activation.apply(b, y);
  return exposeConv ? { out: y, conv } : { out: y };
}

function expectedChain(c: Chain, x: Data, w: Data, bias: number[] | undefined, add: Data | null): Data {
  let y = conv2dRef(x, w, bias, c.params);
  if (c.layout === 'nhwc') y = transposeData(y, NCHW_TO_NHWC);
  if (add) {
    const channelAxis = c.layout === 'nchw' ? 1 : 3;
    const channels = y.shape[channelAxis]!;
    const inner = y.shape.slice(channelAxis + 1).reduce((p, d) => p * d, 1);
    y = { ...y, data: y.data.map((v, i) => v + add.data[add.data.length === 1 ? 0 : Math.floor(i / inner) % channels]!) };
  }
  if (c.activation) y = { ...y, data: y.data.map(c.activation.ref) };
  return y;
}

/** The nodes build() would plan for the graph `build` makes. */
function plannedNodes(backend: string, build: (b: Builder, x: MLOperand) => Record<string, MLOperand>,
  inputShape: number[]): Promise<GraphNode[]> {
  return passNodes(backend as BackendName, fuseConvolutions, { x: inputShape }, (b, { x }) => build(b, x!));
}

async function fusedCount(backend: string, build: (b: Builder, x: MLOperand) => Record<string, MLOperand>,
  inputShape: number[]): Promise<number> {
  return fusedNodeCount(await plannedNodes(backend, build, inputShape));
}

const chains: Chain[] = [];
for (const layout of ['nchw', 'nhwc'] as const) {
  const channelShape = layout === 'nchw' ? [1, 4, 1, 1] : [4];
  for (const activation of ACTIVATIONS) {
    chains.push({ layout, input: [1, 3, 5, 5], filter: [4, 3, 3, 3], params: { padding: [1, 1, 0, 1] }, addShape: channelShape, activation });
  }
  chains.push({ layout, input: [2, 3, 6, 5], filter: [4, 3, 2, 2], params: { strides: [2, 1] }, biasOption: true, addShape: channelShape });
  chains.push({ layout, input: [1, 4, 5, 5], filter: [4, 1, 3, 3], params: { groups: 4, padding: [1, 1, 1, 1] },
    biasOption: true, addShape: channelShape, activation: ACTIVATIONS[1] });
  chains.push({ layout, input: [1, 4, 6, 6], filter: [8, 1, 3, 3], params: { groups: 4, strides: [2, 2], dilations: [2, 1] },
    activation: ACTIVATIONS[4] });
  chains.push({ layout, input: [1, 4, 5, 5], filter: [6, 2, 3, 3], params: { groups: 2 }, addShape: [1], activation: ACTIVATIONS[3] });
  chains.push({ layout, input: [1, 3, 5, 5], filter: [4, 3, 3, 3], biasOption: true, activation: ACTIVATIONS[5] });
}

function describeChain(c: Chain): string {
  const parts = [`conv2d ${c.layout}${c.params?.groups ? ` groups ${c.params.groups}` : ''}${c.biasOption ? ' bias' : ''}`];
  if (c.addShape) parts.push(`add [${c.addShape}]`);
  if (c.activation) parts.push(c.activation.name);
  return parts.join(' + ');
}

forEachBackend('conv2d fusion', (backend) => {
  for (const c of chains) {
    it(`${describeChain(c)}: fused and unfused graphs match the float64 reference`, async () => {
      const x = data(c.input, 71);
      const xIn = c.layout === 'nchw' ? x : transposeData(x, NCHW_TO_NHWC);
      const w = data(c.filter, 73);
      const bias = c.biasOption ? data([c.filter[0]!], 79).data : undefined;
      const add = c.addShape ? data(c.addShape, 83) : null;
      const expected = expectedChain(c, x, w, bias, add);
      const inputs = { x: { dataType: 'float32' as const, ...xIn } };

      const steps = (c.addShape ? 1 : 0) + (c.activation ? 1 : 0);
      const nodes = await plannedNodes(backend, (b, xo) => buildChain(b, xo, c, w, bias, add, false), xIn.shape);
      if (fusedNodeCount(nodes) !== 1 || nodes.some((n) => n.op !== 'conv2d' && !n.outputs.every(isConstant))) {
        throw new Error(`the chain was not fused into one node: ${nodes.map((n) => n.op).join(', ')}`);
      }
      if (steps > 0 && await fusedCount(backend, (b, xo) => buildChain(b, xo, c, w, bias, add, true), xIn.shape) !== 0) {
        throw new Error('a chain whose convolution output is a graph output was fused');
      }
      const fused = await runGraph(backend, inputs, (b, { x: xo }) => buildChain(b as Builder, xo!, c, w, bias, add, false));
      assertClose(fused['out']!, expected, { atol: 1e-5, rtol: 1e-5 }, 'fused');
      const unfused = await runGraph(backend, inputs, (b, { x: xo }) => buildChain(b as Builder, xo!, c, w, bias, add, true));
      assertClose(unfused['out']!, expected, { atol: 1e-5, rtol: 1e-5 }, 'unfused');
    });
  }

  for (const layout of ['nchw', 'nhwc'] as const) {
    for (const [input, filter, groups, slopeShape] of [[[1, 3, 5, 5], [4, 3, 3, 3], 1, layout === 'nchw' ? [4, 1, 1] : [4]],
      [[1, 4, 5, 5], [4, 1, 3, 3], 4, [1]]] as [number[], number[], number, number[]][]) {
      it(`conv2d ${layout}${groups > 1 ? ' depthwise' : ''} + bias + prelu with a constant slope [${slopeShape}]: one fused node; matches the float64 reference`, async () => {
        const x = data(input, 71);
        const xIn = layout === 'nchw' ? x : transposeData(x, NCHW_TO_NHWC);
        const w = data(filter, 73);
        const bias = data([4], 79).data;
        const slope = data(slopeShape, 89).data;
        const build = (b: Builder, xo: MLOperand) => {
          const constant = (shape: number[], values: number[]) =>
            b.constant({ dataType: 'float32', shape }, typedArrayFor({ dataType: 'float32', shape, data: values }));
          const conv = b.conv2d(xo, constant(filter, w.data),
            { inputLayout: layout, filterLayout: 'oihw', groups, padding: [1, 1, 1, 1], bias: constant([4], bias) });
          return { out: b.prelu(conv, constant(slopeShape, slope)) };
        };
        const nodes = await plannedNodes(backend, build, xIn.shape);
        if (fusedNodeCount(nodes) !== 1 || nodes.some((n) => n.op !== 'conv2d' && !n.outputs.every(isConstant))) {
          throw new Error(`the chain was not fused into one node: ${nodes.map((n) => n.op).join(', ')}`);
        }
        let y = conv2dRef(x, w, bias, { groups, padding: [1, 1, 1, 1] });
        if (layout === 'nhwc') y = transposeData(y, NCHW_TO_NHWC);
        const channelAxis = layout === 'nchw' ? 1 : 3;
        const inner = y.shape.slice(channelAxis + 1).reduce((p, d) => p * d, 1);
        const expected = { ...y, data: y.data.map((v, i) => (v < 0 ? slope[slope.length === 1 ? 0 : Math.floor(i / inner) % 4]! * v : v)) };
        const result = await runGraph(backend, { x: { dataType: 'float32', ...xIn } }, (b, { x: xo }) => build(b as Builder, xo!));
        assertClose(result['out']!, expected, { atol: 1e-5, rtol: 1e-5 });
      });
    }
  }

  it('stops at an activation no fused kernel has, at a non-constant or non-per-channel add, at shared values', async () => {
    const base: Chain = { layout: 'nchw', input: [1, 3, 5, 5], filter: [4, 3, 3, 3] };
    const w = data(base.filter, 73);
    const conv = (b: Builder, x: MLOperand) =>
      b.conv2d(x, b.constant({ dataType: 'float32', shape: w.shape }, typedArrayFor({ dataType: 'float32', ...w })));
    const constant = (b: Builder, shape: number[]) =>
      b.constant({ dataType: 'float32', shape }, typedArrayFor({ dataType: 'float32', shape, data: data(shape, 5).data }));
    const counts = [
      await fusedCount(backend, (b, x) => ({ out: CLAMP_OTHER.apply(b, conv(b, x)) }), base.input),
      await fusedCount(backend, (b, x) => ({ out: b.add(conv(b, x), constant(b, [1, 4, 3, 3])) }), base.input),
      await fusedCount(backend, (b, x) => ({ out: b.add(conv(b, x), constant(b, [3])) }), base.input), // along the width
      await fusedCount(backend, (b, x) => ({ out: b.add(conv(b, x), b.input('y', { dataType: 'float32', shape: [1, 4, 1, 1] })) }), base.input),
      await fusedCount(backend, (b, x) => {
        const y = conv(b, x);
        return { out: b.relu(y), other: b.sigmoid(y) };
      }, base.input),
      await fusedCount(backend, (b, x) => {
        const y = conv(b, x);
        return { out: b.add(y, y) };
      }, base.input),
    ];
    if (counts.some((n) => n !== 0)) throw new Error(`unexpected fusion: ${counts.join(', ')}`);
    // A chain broken by a non-fusable activation still computes the right values.
    const x = data(base.input, 71);
    const chain: Chain = { ...base, activation: CLAMP_OTHER };
    const result = await runGraph(backend, { x: { dataType: 'float32', ...x } },
      (b, { x: xo }) => ({ out: CLAMP_OTHER.apply(b as Builder, conv(b as Builder, xo!)) }));
    assertClose(result['out']!, expectedChain(chain, x, w, undefined, null), { atol: 1e-5, rtol: 1e-5 });
  });

  it('work on constants runs once at build: each of these plans has a single step besides the layout transposes', async () => {
    const f32 = (shape: number[], seed: number) =>
      typedArrayFor({ dataType: 'float32', shape, data: data(shape, seed).data });
    // NCHW convolutions run on NHWC data: one transpose at the graph's input and one at its output.
    const graphs: [string, (b: Builder, x: MLOperand) => MLOperand, number][] = [
      ['conv2d oihw filter, bias, relu', (b, x) => b.relu(b.conv2d(x, b.constant({ dataType: 'float32', shape: [4, 3, 3, 3] }, f32([4, 3, 3, 3], 1)),
        { bias: b.constant({ dataType: 'float32', shape: [4] }, f32([4], 2)) })), 3],
      ['depthwise conv2d with strides and dilations', (b, x) => b.conv2d(x,
        b.constant({ dataType: 'float32', shape: [6, 1, 2, 2] }, f32([6, 1, 2, 2], 3)), { groups: 3, strides: [2, 2], dilations: [2, 2] }), 3],
      ['convTranspose2d iohw filter with dilations', (b, x) => b.convTranspose2d(x,
        b.constant({ dataType: 'float32', shape: [3, 2, 2, 2] }, f32([3, 2, 2, 2], 4)), { dilations: [2, 1] }), 3],
      ['batchNormalization', (b, x) => b.batchNormalization(x, b.constant({ dataType: 'float32', shape: [3] }, f32([3], 5)),
        b.constant({ dataType: 'float32', shape: [3] }, new Float32Array([1, 2, 3])),
        { scale: b.constant({ dataType: 'float32', shape: [3] }, f32([3], 6)) }), 1],
      ['maxPool2d with dilations', (b, x) => b.maxPool2d(x, { windowDimensions: [2, 2], dilations: [2, 2] }), 1],
      ['averagePool2d with dilations', (b, x) => b.averagePool2d(x, { windowDimensions: [2, 2], dilations: [2, 2], padding: [1, 1, 1, 1] }), 1],
      ['resample2d nearest-neighbor', (b, x) => b.resample2d(x, { scales: [1.5, 0.5] }), 1],
      ['resample2d linear with scales', (b, x) => b.resample2d(x, { mode: 'linear', scales: [1.5, 1.3] }), 1],
    ];
    for (const [name, make, expected] of graphs) {
      const b = (await builderFor(backend)) as Builder;
      const graph = await b.build({ out: make(b, b.input('x', { dataType: 'float32', shape: [1, 3, 6, 6] })) });
      const steps = graphSlots.get(graph, 'test').plan!.stepCount;
      graph.destroy();
      if (steps !== expected) throw new Error(`${name}: ${steps} steps, expected ${expected}`);
    }
  });

  it('add of a per-channel constant then relu fuses into one node', async () => {
    const nodes = await plannedNodes(backend, (b, x) => {
      const w = b.constant({ dataType: 'float32', shape: [1, 1, 2, 4] }, new Float32Array(8));
      const y = b.conv2d(x, w, { inputLayout: 'nhwc', filterLayout: 'hwio' });
      return { out: b.relu(b.add(b.constant({ dataType: 'float32', shape: [1, 1, 1, 4] }, new Float32Array(4)), y)) };
    }, [1, 3, 3, 2]);
    const ops = nodes.map((n) => n.op).join(', ');
    if (ops !== 'conv.channelVector, conv2d' || fusedNodeCount(nodes) !== 1) throw new Error(`planned ${ops}`);
  });
});

forEachBackend('conv fusion: clamp(0, max)', (backend) => {
  it('conv2d + clamp(0, 2.5): the kernel applies relu, a clamp to 2.5 follows; equal to the float64 reference', async () => {
    const chain: Chain = { layout: 'nchw', input: [1, 3, 5, 5], filter: [4, 3, 3, 3] };
    const capped: Activation = { name: 'clamp(0, 2.5)', apply: (b, y) => b.clamp(y, { minValue: 0, maxValue: 2.5 }), ref: (v) => Math.min(2.5, Math.max(0, v)) };
    const x = data(chain.input, 81);
    const w = data(chain.filter, 83);
    const build = (b: Builder, xo: MLOperand) => ({ out: capped.apply(b, b.conv2d(xo, b.constant({ dataType: 'float32', shape: w.shape },
      typedArrayFor({ dataType: 'float32', ...w })), { inputLayout: 'nchw', filterLayout: 'oihw' })) });
    const nodes = await plannedNodes(backend, build, chain.input);
    const fused = nodes.find((n) => n.op === 'conv2d');
    const clamp = nodes.find((n) => n.op === 'clamp');
    if ((fused?.attrs['activation'] as { kind?: string } | undefined)?.kind !== 'relu' || clamp?.attrs['minValue'] !== -Infinity ||
      clamp.attrs['maxValue'] !== 2.5 || clamp.inputs[0] !== fused!.outputs[0]) {
      throw new Error(`planned ${nodes.map((n) => n.op).join(', ')}`);
    }
    const expected = expectedChain({ ...chain, activation: capped }, x, w, undefined, null);
    if (!expected.data.some((v) => v === 2.5) || !expected.data.some((v) => v === 0)) throw new Error('the data should reach both bounds');
    const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, { x: xo }) => build(b as Builder, xo!));
    assertClose(result['out']!, expected, { atol: 1e-5, rtol: 1e-5 });
  });
});

forEachBackend('conv fusion: activations read only by convolutions', (backend) => {
  it('conv2d + relu6 read only by a depthwise conv2d: both activations in their kernels (webgl too); equal to the float64 reference', async () => {
    const x = data([1, 3, 5, 5], 91);
    const w1 = data([4, 3, 1, 1], 93);
    const w2 = data([4, 1, 3, 3], 95);
    const relu6: Activation = { name: 'relu6', apply: (b, y) => b.clamp(y, { minValue: 0, maxValue: 6 }), ref: (v) => Math.min(6, Math.max(0, v)) };
    const constant = (b: Builder, d: Data) => b.constant({ dataType: 'float32', shape: d.shape }, typedArrayFor({ dataType: 'float32', ...d }));
    const build = (b: Builder, xo: MLOperand) => {
      const first = relu6.apply(b, b.conv2d(xo, constant(b, w1)));
      return { out: relu6.apply(b, b.conv2d(first, constant(b, w2), { groups: 4, padding: [1, 1, 1, 1] })) };
    };
    const first = conv2dRef(x, w1, undefined, {});
    const middle = { ...first, data: first.data.map(relu6.ref) };
    const second = conv2dRef(middle, w2, undefined, { groups: 4, padding: [1, 1, 1, 1] });
    const expected = { ...second, data: second.data.map(relu6.ref) };
    const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, { x: xo }) => build(b as Builder, xo!));
    assertClose(result['out']!, expected, { atol: 1e-5, rtol: 1e-5 });
    const kernels = (await kernelsOf(backend, { x: { dataType: 'float32', ...x } }, (b, { x: xo }) => build(b as Builder, xo!)))
      .filter((k) => k !== 'Transpose');
    // The graph's output is relu6's own: on webgl its relu6 follows the kernel, where a -0 would show.
    const wanted = backend === 'webgl' ? 'FusedConv2D, FusedDepthwiseConv2D, Maximum, Minimum' : 'FusedConv2D, FusedDepthwiseConv2D';
    if (kernels.join(', ') !== wanted) throw new Error(`kernels: ${kernels.join(', ')}`);
  });
});
