import type { MLOperand } from '../../../src/api/operand.js';
import { recognizeDecompositions } from '../../../src/graph/passes/decompositions.js';
import { runsJsKernels } from '../../../src/runtime/js-kernels.js';
import { assertClose, forEachBackend, runGraph } from '../../util/harness.js';
import { constantOf, data, dispatchProfile, opsOf, passNodes, type Builder, type Data } from './pass-test-util.js';
import { erf } from '../../ops/erf-reference.js';

const scalar = (b: Builder, value: number, rank = 0) => constantOf(b, new Array<number>(rank).fill(1), [value]);

interface Decomposition {
  name: string;
  shape: number[];
  build: (b: Builder, x: MLOperand) => MLOperand;
  /** The chain's value in float64, from the float32 constants it holds. */
  ref: (x: Data) => number[];
  /** The nodes the pass leaves (graph constants aside). */
  ops: string;
  /** Kernels of one dispatch, before (the chain as written) and after, as TF.js kernels compose them. */
  kernels: [number, number];
  /** Instead of counts: the operation built directly, whose kernels the recognised chain must run. */
  operation?: (b: Builder, x: MLOperand) => MLOperand;
}

const f = Math.fround;
const hardSigmoidRef = (v: number, alpha: number) => Math.min(1, Math.max(0, f(alpha) * v + 0.5));

function layerNormRef(x: Data, axesFrom: number, scale: number[] | null, bias: number[] | null, epsilon: number): number[] {
  const inner = x.shape.slice(axesFrom).reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let start = 0; start < x.data.length; start += inner) {
    const row = x.data.slice(start, start + inner);
    const mean = row.reduce((s, v) => s + v, 0) / inner;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / inner;
    row.forEach((v, i) => out.push((v - mean) / Math.sqrt(variance + f(epsilon)) * (scale?.[i] ?? 1) + (bias?.[i] ?? 0)));
  }
  return out;
}

const SCALE = data([8], 61).data;
const BIAS = data([8], 63).data;

/** (x - mean) / sqrt(mean((x - mean)^2) + epsilon) over `axes`, written out as ONNX exporters do. */
function decomposedLayerNorm(b: Builder, x: MLOperand, axes: number[], square: 'pow' | 'mul', divide: 'div' | 'reciprocal',
  epsilon: number, affine: boolean): MLOperand {
  const mean = b.reduceMean(x, { axes, keepDimensions: true });
  const centered = b.sub(x, mean);
  const squared = square === 'pow' ? b.pow(centered, scalar(b, 2)) : b.mul(centered, centered);
  const root = b.sqrt(b.add(b.reduceMean(squared, { axes, keepDimensions: true }), scalar(b, epsilon, 1)));
  let y = divide === 'div' ? b.div(centered, root) : b.mul(b.reciprocal(root), centered);
  if (affine) y = b.add(b.mul(y, constantOf(b, [8], SCALE)), constantOf(b, [8], BIAS));
  return y;
}

const CASES: Decomposition[] = [
  {
    name: 'hardSwish as x * hardSigmoid(x), alpha 1/6', shape: [2, 9], ops: 'hardSwish', kernels: [5, 4],
    build: (b, x) => b.mul(x, b.hardSigmoid(x, { alpha: 1 / 6, beta: 0.5 })),
    ref: (x) => x.data.map((v) => v * hardSigmoidRef(v, 1 / 6)),
  },
  {
    name: 'hardSwish as hardSigmoid(x) * x, alpha 0.1666667', shape: [2, 9], ops: 'hardSwish', kernels: [5, 4],
    build: (b, x) => b.mul(b.hardSigmoid(x, { alpha: 0.1666667, beta: 0.5 }), x),
    ref: (x) => x.data.map((v) => v * hardSigmoidRef(v, 0.1666667)),
  },
  {
    name: 'hardSwish as x * clamp(x + 3, 0, 6) / 6', shape: [1, 3, 2, 3], ops: 'hardSwish', kernels: [5, 4],
    build: (b, x) => b.div(b.mul(x, b.clamp(b.add(x, scalar(b, 3, 4)), { minValue: 0, maxValue: 6 })), scalar(b, 6)),
    ref: (x) => x.data.map((v) => v * Math.min(6, Math.max(0, v + 3)) / 6),
  },
  {
    name: 'hardSwish as (clamp(3 + x, 0, 6) / 6) * x', shape: [18], ops: 'hardSwish', kernels: [5, 4],
    build: (b, x) => b.mul(b.div(b.clamp(b.add(scalar(b, 3), x), { minValue: 0, maxValue: 6 }), scalar(b, 6)), x),
    ref: (x) => x.data.map((v) => v * (Math.min(6, Math.max(0, v + 3)) / 6)),
  },
  {
    name: 'layerNormalization with pow and div over the last axis', shape: [2, 3, 8], ops: 'layerNormalization', kernels: [7, 7],
    build: (b, x) => decomposedLayerNorm(b, x, [2], 'pow', 'div', 1e-5, false),
    ref: (x) => layerNormRef(x, 2, null, null, 1e-5),
  },
  {
    name: 'layerNormalization with a product and a reciprocal, then scale and bias', shape: [3, 8], ops: 'layerNormalization',
    kernels: [10, 9],
    build: (b, x) => decomposedLayerNorm(b, x, [1], 'mul', 'reciprocal', 1e-3, true),
    ref: (x) => layerNormRef(x, 1, SCALE, BIAS, 1e-3),
  },
  {
    name: 'layerNormalization over the last two axes', shape: [2, 2, 4], ops: 'layerNormalization', kernels: [7, 7],
    build: (b, x) => decomposedLayerNorm(b, x, [1, 2], 'pow', 'div', 1e-5, false),
    ref: (x) => layerNormRef(x, 1, null, null, 1e-5),
  },
  ...([
    ['gelu as x * 0.5 * (1 + erf(x / sqrt 2)), the half last', (b: Builder, x: MLOperand) =>
      b.mul(b.mul(x, b.add(b.erf(b.div(x, scalar(b, Math.SQRT2))), scalar(b, 1))), scalar(b, 0.5))],
    ['gelu as (0.5 * x) * (erf(x * (1 / sqrt 2)) + 1), the half first', (b: Builder, x: MLOperand) =>
      b.mul(b.mul(scalar(b, 0.5), x), b.add(scalar(b, 1), b.erf(b.mul(x, scalar(b, Math.SQRT1_2, 2)))))],
  ] as const).map(([name, build]): Decomposition => ({
    name, shape: [3, 40], ops: 'gelu', kernels: [0, 0], build, operation: (b, x) => b.gelu(x),
    ref: (x) => x.data.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))),
  })),
];

/** The float32 harness default: a few units in the last place, as the chains and the operations round differently. */
const TOLERANCE = { atol: 1e-6, rtol: 1e-5 };

forEachBackend('decompositions', (backend) => {
  for (const c of CASES) {
    // A float32 layerNormalization over trailing axes and a hardSwish are one kernel of ours on wasm and cpu; webgl and
    // webgpu compose them of TF.js kernels, webgl a layerNormalization with Sqrt and Reciprocal where the chain as
    // counted has Rsqrt.
    const ours = runsJsKernels(backend) && (c.ops === 'layerNormalization' || c.ops === 'hardSwish');
    const expected = ours ? 1 : c.ops === 'layerNormalization' && backend === 'webgl' ? c.kernels[1] + 1 : c.kernels[1];
    it(`${c.name}: recognised, equal to the float64 reference, ${c.operation ? 'the operation\'s' : expected} kernels`, async () => {
      const x = data(c.shape, 51);
      const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => ({ out: c.build(b, xo!) });
      const nodes = await passNodes(backend, recognizeDecompositions, { x: c.shape }, build);
      if (opsOf(nodes) !== c.ops) throw new Error(`planned ${opsOf(nodes)}`);
      const inputs = { x: { dataType: 'float32' as const, ...x } };
      const result = await runGraph(backend, inputs, (b, o) => build(b as Builder, o));
      assertClose(result['out']!, { shape: c.shape, data: c.ref(x) }, TOLERANCE);
      const kernels = (await dispatchProfile(backend, inputs, build)).kernels.filter((name) => name !== 'Reshape');
      if (c.operation) {
        const operation = c.operation;
        const direct = (await dispatchProfile(backend, inputs, (b, { x: xo }) => ({ out: operation(b, xo!) }))).kernels
          .filter((name) => name !== 'Reshape');
        if (kernels.join() !== direct.join()) throw new Error(`kernels: ${kernels.join(', ')}; the operation's: ${direct.join(', ')}`);
      } else if (kernels.length !== expected) {
        throw new Error(`kernels: ${kernels.join(', ')}`);
      }
    });
  }

  it('leaves alone: another alpha, bound or scale, an intermediate read elsewhere, a mean without kept dimensions', async () => {
    const graphs: [string, (b: Builder, x: MLOperand) => Record<string, MLOperand>][] = [
      ['alpha 0.2', (b, x) => ({ out: b.mul(x, b.hardSigmoid(x, { alpha: 0.2, beta: 0.5 })) })],
      ['another input', (b, x) => ({ out: b.mul(b.relu(x), b.hardSigmoid(x, { alpha: 1 / 6, beta: 0.5 })) })],
      ['clamp(0, 5)', (b, x) => ({ out: b.div(b.mul(x, b.clamp(b.add(x, scalar(b, 3)), { minValue: 0, maxValue: 5 })), scalar(b, 6)) })],
      ['hardSigmoid read twice', (b, x) => {
        const h = b.hardSigmoid(x, { alpha: 1 / 6, beta: 0.5 });
        return { out: b.mul(x, h), h };
      }],
      ['centered values read thrice', (b, x) => {
        const centered = b.sub(x, b.reduceMean(x, { axes: [1], keepDimensions: true }));
        const root = b.sqrt(b.add(b.reduceMean(b.pow(centered, scalar(b, 2)), { axes: [1], keepDimensions: true }), scalar(b, 1e-5)));
        return { out: b.div(centered, root), c: b.relu(centered) };
      }],
      ['variance over other axes', (b, x) => {
        const centered = b.sub(x, b.reduceMean(x, { axes: [1], keepDimensions: true }));
        const root = b.sqrt(b.add(b.reduceMean(b.pow(centered, scalar(b, 2)), { axes: [0, 1], keepDimensions: true }), scalar(b, 1e-5)));
        return { out: b.div(centered, root) };
      }],
      ['gelu dividing by 1.5', (b, x) => ({ out: b.mul(b.mul(x, b.add(b.erf(b.div(x, scalar(b, 1.5))), scalar(b, 1))), scalar(b, 0.5)) })],
      ['gelu whose erf is read twice', (b, x) => {
        const e = b.erf(b.div(x, scalar(b, Math.SQRT2)));
        return { out: b.mul(b.mul(x, b.add(e, scalar(b, 1))), scalar(b, 0.5)), e };
      }],
    ];
    for (const [name, make] of graphs) {
      const nodes = await passNodes(backend, recognizeDecompositions, { x: [2, 8] }, (b, { x }) => make(b, x!));
      if (nodes.some((n) => n.op === 'hardSwish' || n.op === 'layerNormalization' || n.op === 'gelu')) throw new Error(`${name}: recognised (${opsOf(nodes)})`);
    }
  });
});
