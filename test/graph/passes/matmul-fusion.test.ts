import type { MLOperand } from '../../../src/api/operand.js';
import { fuseMatmuls } from '../../../src/graph/passes/matmul-fusion.js';
import { fusedNodeCount } from '../../../src/graph/passes/fusion-util.js';
import { runsJsKernels } from '../../../src/runtime/js-kernels.js';
import { assertClose, broadcastTo, forEachBackend, runGraph } from '../../util/harness.js';
import {
  constantOf, data, FUSED_ACTIVATIONS, kernelsOf, matmulRef, opsOf, passNodes, type Builder, type Data,
} from './pass-test-util.js';


interface Activation {
  name: string;
  /** Shape of prelu's slope. */
  slopeShape?: number[];
  apply: (b: Builder, x: MLOperand, slope: MLOperand | null) => MLOperand;
  /** The activation of `x`, the `i`-th element of the product (slope: prelu's, broadcast to the output). */
  ref: (x: number, slope: number) => number;
}

const ACTIVATIONS: Activation[] = [
  ...FUSED_ACTIVATIONS,
  { name: 'prelu [4]', slopeShape: [4], apply: (b, x, s) => b.prelu(x, s!), ref: (x, s) => (x < 0 ? s * x : x) },
  { name: 'prelu [1, 1]', slopeShape: [1, 1], apply: (b, x, s) => b.prelu(x, s!), ref: (x, s) => (x < 0 ? s * x : x) },
];

function addRef(x: Data, c: Data, scale = 1): Data {
  const broadcast = broadcastTo(c.data, c.shape, x.shape);
  return { ...x, data: x.data.map((v, i) => v + scale * broadcast[i]!) };
}

function activate(x: Data, activation: Activation | undefined, slope: Data | null): Data {
  if (!activation) return x;
  const s = slope ? broadcastTo(slope.data, slope.shape, x.shape) : [];
  return { ...x, data: x.data.map((v, i) => activation.ref(v, s[i] ?? 0)) };
}

interface MatmulChain {
  a: number[];
  b: number[];
  /** Shape of the constant added after the product (null: none). */
  addShape: number[] | null;
  /** The added constant is the add's first operand. */
  biasFirst?: boolean;
  activation?: Activation;
}

const chains: MatmulChain[] = [
  ...ACTIVATIONS.map((activation) => ({ a: [3, 5], b: [5, 4], addShape: [4], activation })),
  { a: [3, 5], b: [5, 4], addShape: [1, 4] },
  { a: [3, 5], b: [5, 4], addShape: null, activation: ACTIVATIONS[0] },
  { a: [3, 5], b: [5, 4], addShape: [1], biasFirst: true, activation: ACTIVATIONS[3] },
  { a: [2, 3, 5], b: [5, 4], addShape: [1, 1, 4], activation: ACTIVATIONS[6] },
];

function buildMatmulChain(b: Builder, x: MLOperand, c: MatmulChain, w: Data, add: Data | null, slope: Data | null,
  exposeProduct: boolean): Record<string, MLOperand> {
  const product = b.matmul(x, constantOf(b, w.shape, w.data));
  let y = product;
  if (add) {
    const bias = constantOf(b, add.shape, add.data);
    y = c.biasFirst ? b.add(bias, y) : b.add(y, bias);
  }
  if (c.activation) y = c.activation.apply(b, y, slope ? constantOf(b, slope.shape, slope.data) : null);
  return exposeProduct ? { out: y, product } : { out: y };
}

interface GemmCase {
  name: string;
  a: number[];
  b: number[];
  c?: number[];
  alpha?: number;
  beta?: number;
  aTranspose?: boolean;
  bTranspose?: boolean;
  addShape?: number[];
  activation?: Activation;
  /** True when the pass must leave the gemm as it is. */
  unfused?: boolean;
}

const gemms: GemmCase[] = [
  { name: 'c [4], beta 0.5, both transposed, relu6', a: [5, 3], b: [4, 5], c: [4], beta: 0.5, aTranspose: true, bTranspose: true,
    activation: ACTIVATIONS[1] },
  { name: 'c [1, 4]', a: [3, 5], b: [5, 4], c: [1, 4] },
  { name: 'c [] (a scalar), bTranspose, then add [4] and sigmoid', a: [3, 5], b: [4, 5], c: [], bTranspose: true, addShape: [4],
    activation: ACTIVATIONS[3] },
  { name: 'no c, leakyRelu', a: [3, 5], b: [5, 4], activation: ACTIVATIONS[4] },
  { name: 'alpha 2 (left alone)', a: [3, 5], b: [5, 4], c: [4], alpha: 2, activation: ACTIVATIONS[0], unfused: true },
  { name: 'c [3, 1] (left alone)', a: [3, 5], b: [5, 4], c: [3, 1], activation: ACTIVATIONS[0], unfused: true },
];

function buildGemm(b: Builder, x: MLOperand, g: GemmCase, w: Data, c: Data | null, add: Data | null): Record<string, MLOperand> {
  const options: Record<string, unknown> = { aTranspose: g.aTranspose ?? false, bTranspose: g.bTranspose ?? false };
  if (g.alpha !== undefined) options['alpha'] = g.alpha;
  if (g.beta !== undefined) options['beta'] = g.beta;
  if (c) options['c'] = constantOf(b, c.shape, c.data);
  let y = b.gemm(x, constantOf(b, w.shape, w.data), options);
  if (add) y = b.add(y, constantOf(b, add.shape, add.data));
  if (g.activation) y = g.activation.apply(b, y, null);
  return { out: y };
}

function expectedGemm(g: GemmCase, x: Data, w: Data, c: Data | null, add: Data | null): Data {
  let y = matmulRef(x, w, g.aTranspose, g.bTranspose);
  y = { ...y, data: y.data.map((v) => (g.alpha ?? 1) * v) };
  if (c) y = addRef(y, c, g.beta ?? 1);
  if (add) y = addRef(y, add);
  return activate(y, g.activation, null);
}

const describeChain = (c: MatmulChain) => [`matmul [${c.a}] x [${c.b}]`, ...(c.addShape ? [`add [${c.addShape}]`] : []),
  ...(c.activation ? [c.activation.name] : [])].join(' + ');

const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

forEachBackend('matmul fusion', (backend) => {
  for (const c of chains) {
    it(`${describeChain(c)}: one fused node; fused and unfused graphs match the float64 reference`, async () => {
      const x = data(c.a, 11);
      const w = data(c.b, 13);
      const add = c.addShape ? data(c.addShape, 17) : null;
      const slope = c.activation?.slopeShape ? data(c.activation.slopeShape, 19) : null;
      const expected = activate(add ? addRef(matmulRef(x, w), add) : matmulRef(x, w), c.activation, slope);
      const build = (expose: boolean) => (b: Builder, { x: xo }: Record<string, MLOperand>) =>
        buildMatmulChain(b, xo!, c, w, add, slope, expose);

      const nodes = await passNodes(backend, fuseMatmuls, { x: c.a }, build(false));
      const expectedOps = [...(add ? ['conv.channelVector'] : []), ...(slope ? ['conv.channelVector'] : []), 'reshape', 'matmul'].join(', ');
      if (opsOf(nodes) !== expectedOps || fusedNodeCount(nodes) !== 1) throw new Error(`planned ${opsOf(nodes)}`);
      const exposed = await passNodes(backend, fuseMatmuls, { x: c.a }, build(true));
      if (fusedNodeCount(exposed) !== 0) throw new Error('a chain whose product is a graph output was fused');

      const inputs = { x: { dataType: 'float32' as const, ...x } };
      assertClose((await runGraph(backend, inputs, (b, o) => build(false)(b as Builder, o)))['out']!, expected, TOLERANCE, 'fused');
      assertClose((await runGraph(backend, inputs, (b, o) => build(true)(b as Builder, o)))['out']!, expected, TOLERANCE, 'unfused');
    });
  }

  for (const g of gemms) {
    it(`gemm ${g.name}: matches the float64 reference`, async () => {
      const x = data(g.a, 23);
      const w = data(g.b, 29);
      const c = g.c ? data(g.c, 31) : null;
      const add = g.addShape ? data(g.addShape, 37) : null;
      const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => buildGemm(b, xo!, g, w, c, add);
      const nodes = await passNodes(backend, fuseMatmuls, { x: g.a }, build);
      if (g.unfused) {
        if (fusedNodeCount(nodes) !== 0 || !opsOf(nodes).startsWith('gemm')) throw new Error(`planned ${opsOf(nodes)}`);
      } else {
        const made = [...(g.bTranspose ? ['transpose'] : []),
          ...(c && g.beta !== undefined ? ['gemm.scaledC'] : []), ...(c && add ? ['add'] : []),
          ...(c || add ? ['conv.channelVector'] : []), 'reshape', 'matmul'].join(', ');
        if (opsOf(nodes) !== made || fusedNodeCount(nodes) !== 1) throw new Error(`planned ${opsOf(nodes)}, expected ${made}`);
      }
      const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, o) => build(b as Builder, o));
      assertClose(result['out']!, expectedGemm(g, x, w, c, add), TOLERANCE);
    });
  }

  it('stops at a non-constant add, at an add along another axis, at shared values', async () => {
    const w = data([5, 4], 13);
    const product = (b: Builder, x: MLOperand) => b.matmul(x, constantOf(b, w.shape, w.data));
    const counts = [
      await passNodes(backend, fuseMatmuls, { x: [3, 5], y: [4] }, (b, { x, y }) => ({ out: b.add(product(b, x!), y!) })),
      await passNodes(backend, fuseMatmuls, { x: [3, 5] }, (b, { x }) => ({ out: b.add(product(b, x!), constantOf(b, [3, 1], data([3, 1], 5).data)) })),
      await passNodes(backend, fuseMatmuls, { x: [3, 5] }, (b, { x }) => {
        const y = product(b, x!);
        return { out: b.relu(y), other: b.sigmoid(y) };
      }),
      await passNodes(backend, fuseMatmuls, { x: [3, 5] }, (b, { x }) => {
        const y = product(b, x!);
        return { out: b.add(y, y) };
      }),
      await passNodes(backend, fuseMatmuls, { x: [2, 1, 3, 5], y: [3, 5, 4] }, (b, { x, y }) => ({ out: b.relu(b.matmul(x!, y!)) })),
    ].map(fusedNodeCount);
    if (counts.some((n) => n !== 0)) throw new Error(`unexpected fusion: ${counts.join(', ')}`);
  });

  it('relu and clamp(0, 6) after a fused product give +0, not -0, for negative values', async () => {
    for (const activation of [ACTIVATIONS[0]!, ACTIVATIONS[1]!]) {
      const result = await runGraph(backend, { x: { dataType: 'float32', shape: [2, 2], data: [1, 2, -3, 1] } },
        (builder, { x }) => {
          const b = builder as Builder;
          return { out: activation.apply(b, b.add(b.matmul(x!, constantOf(b, [2, 2], [1, -1, -1, 0.5])), constantOf(b, [2], [0, 0])), null) };
        });
      if (result['out']!.data.some((v) => Object.is(v, -0))) throw new Error(`${activation.name}: [${result['out']!.data.map((v) => (Object.is(v, -0) ? '-0' : v))}]`);
    }
  });

  it('a 3-layer perceptron runs one kernel per layer, relu inside (webgl too: each relu is read only by a product)', async () => {
    const layers = [[8, 6], [6, 6], [6, 3]].map(([k, n], i) => ({ w: data([k!, n!], 41 + i), bias: data([n!], 51 + i) }));
    const x = data([2, 8], 61);
    let expected = x;
    layers.forEach(({ w, bias }, i) => {
      expected = addRef(matmulRef(expected, w), bias);
      if (i < layers.length - 1) expected = activate(expected, ACTIVATIONS[0], null);
    });
    const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => {
      let y = xo!;
      layers.forEach(({ w, bias }, i) => {
        y = b.add(b.matmul(y, constantOf(b, w.shape, w.data)), constantOf(b, bias.shape, bias.data));
        if (i < layers.length - 1) y = b.relu(y);
      });
      return { out: y };
    };
    const inputs = { x: { dataType: 'float32' as const, ...x } };
    // Reshapes only relabel data; tf.fused.matMul makes them itself, as in hand-written TF.js. On wasm and cpu products
    // this small are a kernel of ours (ops/js-product.ts).
    const kernels = (await kernelsOf(backend, inputs, build)).filter((name) => name !== 'Reshape');
    const product = runsJsKernels(backend) ? 'WebNNMatMul' : '_FusedMatMul';
    if (kernels.join(', ') !== [product, product, product].join(', ')) throw new Error(`kernels: ${kernels.join(', ')}`);
    assertClose((await runGraph(backend, inputs, (b, o) => build(b as Builder, o)))['out']!, expected, TOLERANCE);
  });
});
