import type { MLOperand } from '../../../src/api/operand.js';
import { fuseNormalizationActivations } from '../../../src/graph/passes/normalization-activation.js';
import { runsJsKernels } from '../../../src/runtime/js-kernels.js';
import { assertClose, forEachBackend, runGraph } from '../../util/harness.js';
import { constantOf, data, kernelsOf, opsOf, passNodes, type Builder, type Data } from './pass-test-util.js';

interface Case {
  name: string;
  apply: (b: Builder, x: MLOperand) => MLOperand;
  ref: (x: number) => number;
  /** The operations the pass leaves. */
  ops: string;
}

const CASES: Case[] = [
  { name: 'relu', apply: (b, x) => b.relu(x), ref: (x) => (x < 0 ? 0 : x), ops: 'layerNormalization' },
  { name: 'sigmoid', apply: (b, x) => b.sigmoid(x), ref: (x) => 1 / (1 + Math.exp(-x)), ops: 'layerNormalization' },
  { name: 'leakyRelu(0.2)', apply: (b, x) => b.leakyRelu(x, { alpha: 0.2 }), ref: (x) => (x < 0 ? Math.fround(0.2) * x : x),
    ops: 'layerNormalization' },
  { name: 'elu', apply: (b, x) => b.elu(x), ref: (x) => (x < 0 ? Math.expm1(x) : x), ops: 'layerNormalization' },
  { name: 'elu(0.5) (left alone)', apply: (b, x) => b.elu(x, { alpha: 0.5 }), ref: (x) => (x < 0 ? 0.5 * Math.expm1(x) : x),
    ops: 'layerNormalization, elu' },
  { name: 'clamp(0) (left alone)', apply: (b, x) => b.clamp(x, { minValue: 0 }), ref: (x) => (x < 0 ? 0 : x),
    ops: 'layerNormalization, clamp' },
];

const SHAPE = [2, 3, 8];
const SCALE = data([8], 31).data;
const BIAS = data([8], 33).data;
const EPSILON = 1e-3;
const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

/** Layer normalization over the last axis with SCALE and BIAS, in float64. */
function normalizedRef(x: Data): number[] {
  const out: number[] = [];
  for (let start = 0; start < x.data.length; start += 8) {
    const row = x.data.slice(start, start + 8);
    const mean = row.reduce((s, v) => s + v, 0) / 8;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 8;
    row.forEach((v, i) => out.push((v - mean) / Math.sqrt(variance + Math.fround(EPSILON)) * SCALE[i]! + BIAS[i]!));
  }
  return out;
}

const normalize = (b: Builder, x: MLOperand, axes = [2]) => b.layerNormalization(x, {
  axes, epsilon: EPSILON, scale: constantOf(b, [8], SCALE), bias: constantOf(b, [8], BIAS),
});

forEachBackend('normalization-activation fusion', (backend) => {
  for (const c of CASES) {
    it(`layerNormalization + ${c.name}: ${c.ops}; values match the float64 reference`, async () => {
      const build = (b: Builder, { x }: Record<string, MLOperand>) => ({ out: c.apply(b, normalize(b, x!)) });
      const nodes = await passNodes(backend, fuseNormalizationActivations, { x: SHAPE }, build);
      if (opsOf(nodes) !== c.ops) throw new Error(`planned ${opsOf(nodes)}`);
      const x = data(SHAPE, 35);
      const inputs = { x: { dataType: 'float32' as const, ...x } };
      const out = await runGraph(backend, inputs, (b, o) => build(b as Builder, o));
      assertClose(out['out']!, { shape: SHAPE, data: normalizedRef(x).map(c.ref) }, TOLERANCE);
      if (runsJsKernels(backend) && c.ops === 'layerNormalization') {
        const kernels = await kernelsOf(backend, inputs, build);
        if (kernels.join() !== 'WebNNLayerNormalization') throw new Error(`kernels: ${kernels.join(', ')}`);
      }
    });
  }

  it('a normalization that is also a graph output keeps its activation apart', async () => {
    const build = (b: Builder, { x }: Record<string, MLOperand>) => {
      const normalized = normalize(b, x!);
      return { normalized, out: b.relu(normalized) };
    };
    const nodes = await passNodes(backend, fuseNormalizationActivations, { x: SHAPE }, build);
    if (opsOf(nodes) !== 'layerNormalization, relu') throw new Error(`planned ${opsOf(nodes)}`);
  });

  it('NaN rows stay NaN through the activation; other rows are unaffected', async () => {
    const x = data(SHAPE, 37);
    x.data[3] = Number.NaN;
    const expected = normalizedRef(x).map((v) => (v < 0 ? 0 : v));
    const out = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, { x: xo }) => ({ out: (b as Builder).relu(normalize(b as Builder, xo!)) }));
    if (!expected.slice(0, 8).every(Number.isNaN)) throw new Error('the reference row is not NaN');
    assertClose(out['out']!, { shape: SHAPE, data: expected }, TOLERANCE);
  });

  it('over axes that are not the trailing ones (TF.js\'s kernels), the activation still applies', async () => {
    const x = data([2, 8, 3], 39);
    // Normalizing [2, 8, 3] over axis 1 is normalizing its transpose [2, 3, 8] over axis 2.
    const rows: Data = { shape: SHAPE, data: [] };
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let i = 0; i < 8; i++) rows.data.push(x.data[n * 24 + i * 3 + c]!);
    const byRow = normalizedRef(rows).map((v) => 1 / (1 + Math.exp(-v)));
    const expected: number[] = [];
    for (let n = 0; n < 2; n++) for (let i = 0; i < 8; i++) for (let c = 0; c < 3; c++) expected.push(byRow[n * 24 + c * 8 + i]!);
    const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => ({
      out: b.sigmoid(b.layerNormalization(xo!, {
        axes: [1], epsilon: EPSILON, scale: constantOf(b, [8], SCALE), bias: constantOf(b, [8], BIAS),
      })),
    });
    const nodes = await passNodes(backend, fuseNormalizationActivations, { x: [2, 8, 3] }, build);
    if (opsOf(nodes) !== 'layerNormalization') throw new Error(`planned ${opsOf(nodes)}`);
    const out = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, o) => build(b as Builder, o));
    assertClose(out['out']!, { shape: [2, 8, 3], data: expected }, TOLERANCE);
  });
});
