import type { MLOperand } from '../../../src/api/operand.js';
import { makeScalarsConstant } from '../../../src/graph/passes/scalar-constants.js';
import type { OperandRef } from '../../../src/graph/ir.js';
import { assertClose, forEachBackend, runGraph } from '../../util/harness.js';
import { erf } from '../../ops/erf-reference.js';
import { ERF_SCALARS } from '../../../src/ops/erf.js';
import { constantOf, data, dispatchProfile, matmulRef, passNodes, type Builder } from './pass-test-util.js';

interface ScalarCase {
  name: string;
  apply: (b: Builder, x: MLOperand) => MLOperand;
  ref: (x: number) => number;
  /** The constants the pass adds to the node (null: none for that position). */
  scalars: (number | null)[];
}

const f = Math.fround;
const CASES: ScalarCase[] = [
  { name: 'clamp(-1, 1)', apply: (b, x) => b.clamp(x, { minValue: -1, maxValue: 1 }), ref: (x) => Math.min(1, Math.max(-1, x)), scalars: [-1, 1] },
  { name: 'clamp(0.5)', apply: (b, x) => b.clamp(x, { minValue: 0.5 }), ref: (x) => Math.max(0.5, x), scalars: [0.5, null] },
  {
    name: 'hardSigmoid(0.3, 0.4)', apply: (b, x) => b.hardSigmoid(x, { alpha: 0.3, beta: 0.4 }),
    ref: (x) => Math.min(1, Math.max(0, f(0.3) * x + f(0.4))), scalars: [f(0.3), f(0.4), 0, 1],
  },
  { name: 'hardSwish', apply: (b, x) => b.hardSwish(x), ref: (x) => x * Math.min(6, Math.max(0, x + 3)) / 6, scalars: [3, 6] },
  { name: 'linear(2, -0.5)', apply: (b, x) => b.linear(x, { alpha: 2, beta: -0.5 }), ref: (x) => 2 * x - 0.5, scalars: [2, -0.5] },
  { name: 'softsign', apply: (b, x) => b.softsign(x), ref: (x) => x / (1 + Math.abs(x)), scalars: [1] },
  // erf and gelu read their polynomials' coefficients and other numbers (ops/erf.ts).
  { name: 'gelu', apply: (b, x) => b.gelu(x), ref: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), scalars: ERF_SCALARS.map(f) },
  { name: 'erf', apply: (b, x) => b.erf(x), ref: erf, scalars: ERF_SCALARS.map(f) },
];

const TOLERANCE = { atol: 1e-6, rtol: 1e-5 };

/** The value of a float32 scalar constant added by the pass. */
function scalarValue(ref: OperandRef | null): number | null {
  if (!ref) return null;
  if (ref.source.kind !== 'constant' || ref.desc.shape.length !== 0) throw new Error('not a scalar constant');
  const bytes = ref.source.bytes;
  return new Float32Array(bytes.buffer, bytes.byteOffset, 1)[0]!;
}

forEachBackend('scalar constants', (backend) => {
  for (const c of CASES) {
    it(`${c.name}: its scalars are constants of the graph; equal to the float64 reference; no tensor made but kernel outputs`, async () => {
      const x = data([2, 5], 41);
      const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => ({ out: c.apply(b, xo!) });
      const nodes = await passNodes(backend, makeScalarsConstant, { x: x.shape }, build);
      const node = nodes[nodes.length - 1]!;
      const given = node.inputs.slice(1).map(scalarValue);
      if (given.join() !== c.scalars.join()) throw new Error(`scalars [${given.join(', ')}], expected [${c.scalars.join(', ')}]`);
      const inputs = { x: { dataType: 'float32' as const, ...x } };
      const result = await runGraph(backend, inputs, (b, o) => build(b as Builder, o));
      assertClose(result['out']!, { shape: x.shape, data: x.data.map(c.ref) }, TOLERANCE);
      const profile = await dispatchProfile(backend, inputs, build);
      if (profile.newTensors !== profile.kernels.length) {
        throw new Error(`${profile.newTensors} tensors made for ${profile.kernels.length} kernels (${profile.kernels.join(', ')})`);
      }
    });
  }

  it('two nodes with the same value share one constant; a host-typed clamp and other operations are left alone', async () => {
    const nodes = await passNodes(backend, makeScalarsConstant, { x: [4] }, (b, { x }) => ({
      out: b.clamp(b.clamp(x!, { minValue: -1, maxValue: 2 }), { minValue: 2 }),
      wide: b.clamp(b.cast(x!, 'int64'), { minValue: 0 }),
      other: b.relu(x!),
    }));
    const clamps = nodes.filter((n) => n.op === 'clamp' && n.outputs[0]!.desc.dataType === 'float32');
    if (clamps.length !== 2 || clamps[0]!.inputs[2] !== clamps[1]!.inputs[1]) throw new Error('the two 2s are different constants');
    const untouched = nodes.filter((n) => n.op !== 'clamp' || n.outputs[0]!.desc.dataType === 'int64');
    if (untouched.some((n) => n.inputs.length !== 1)) throw new Error('a node without scalars was given some');
  });

  it('gemm alpha 2, beta 0.5 and layerNormalization: alpha, beta and epsilon are constants; equal to the float64 reference', async () => {
    const x = data([3, 5], 43);
    const w = data([5, 4], 45);
    const c = data([4], 47);
    const build = (b: Builder, { x: xo }: Record<string, MLOperand>) => ({
      out: b.layerNormalization(b.gemm(xo!, constantOf(b, w.shape, w.data), { c: constantOf(b, c.shape, c.data), alpha: 2, beta: 0.5 }),
        { axes: [1], epsilon: 0.25 }),
    });
    const nodes = await passNodes(backend, makeScalarsConstant, { x: x.shape }, build);
    const gemm = nodes.find((n) => n.op === 'gemm')!;
    const norm = nodes.find((n) => n.op === 'layerNormalization')!;
    if (gemm.inputs.slice(3).map(scalarValue).join() !== '2,0.5' || scalarValue(norm.inputs[3] ?? null) !== 0.25) {
      throw new Error('scalars missing');
    }
    const product = matmulRef(x, w);
    const rows = Array.from({ length: 3 }, (_, i) => product.data.slice(4 * i, 4 * i + 4).map((v, j) => 2 * v + 0.5 * c.data[j]!));
    const expected = rows.flatMap((row) => {
      const mean = row.reduce((s, v) => s + v, 0) / 4;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 4;
      return row.map((v) => (v - mean) / Math.sqrt(variance + 0.25));
    });
    const result = await runGraph(backend, { x: { dataType: 'float32', ...x } }, (b, o) => build(b as Builder, o));
    assertClose(result['out']!, { shape: [3, 4], data: expected }, { atol: 1e-5, rtol: 1e-5 });
  });
});
