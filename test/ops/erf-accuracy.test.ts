/**
 * erf and gelu in float32, in ulps of the float64 reference rounded to float32, over a dense set of inputs: the
 * web-platform-tests hold gelu to a few tens of ulps (after batchNormalization, 24), and erf's tails carry gelu's
 * negative half.
 */
import { forEachBackend, runGraph } from '../util/harness.js';
import type { MLOperand } from '../../src/api/operand.js';
import { erf, erfc } from './erf-reference.js';
import { dispatchProfile } from '../graph/passes/pass-test-util.js';

/** Distance in float32 steps between two float32 values (signed zeros equal). */
function ulpDistance(a: number, b: number): number {
  const order = (v: number) => {
    const bits = new Int32Array(Float32Array.of(v).buffer)[0]!;
    return bits < 0 ? -(bits & 0x7fffffff) : bits;
  };
  return Math.abs(order(a) - order(b));
}

/** Every float32 step of 1/256 in [lo, hi], and magnitudes from 1e-30 to 1 of both signs. */
function inputs(lo: number, hi: number): number[] {
  const values: number[] = [];
  for (let k = lo * 256; k <= hi * 256; k++) values.push(k / 256 + (k % 7) / 4096);
  for (let e = -30; e <= 0; e += 0.25) values.push(10 ** e, -(10 ** e));
  return values.map(Math.fround);
}

/** Bounds per backend: cpu rounds exp exactly, wasm's and WebGL's exp are within a few ulps of it. */
const BOUNDS = { erf: 4, gelu: 8 };

async function worst(backend: never, op: 'erf' | 'gelu', data: number[], ref: (x: number) => number) {
  const result = await runGraph(backend, { x: { dataType: 'float32', shape: [data.length], data } },
    (b, { x }) => ({ out: (b as unknown as Record<string, (x: MLOperand) => MLOperand>)[op]!(x!) }));
  let max = 0;
  let at = 0;
  result['out']!.data.forEach((actual, i) => {
    const d = ulpDistance(actual, Math.fround(ref(data[i]!)));
    if (d > max) [max, at] = [d, data[i]!];
  });
  return { max, at };
}

forEachBackend('erf and gelu accuracy', (backend) => {
  it('float32 erf and gelu: one kernel each on wasm and cpu, TF.js compositions on webgl and webgpu', async () => {
    for (const op of ['erf', 'gelu'] as const) {
      const inputs = { x: { dataType: 'float32' as const, shape: [2, 5], data: [-3, -1, -0.25, 0, 0.25, 1, 3, 7, -Infinity, Infinity] } };
      const { kernels } = await dispatchProfile(backend, inputs, (b, { x }) =>
        ({ y: (b as unknown as Record<string, (x: MLOperand) => MLOperand>)[op]!(x!) }));
      const ours = op === 'erf' ? 'WebNNErf' : 'WebNNGelu';
      if (backend === 'webgl' || backend === 'webgpu' ? kernels.length < 10 : kernels.join() !== ours) throw new Error(`${op}: ${kernels.join(', ')}`);
    }
  });

  it('infinities and NaN: erf(+-Infinity) = +-1, gelu(Infinity) = Infinity, gelu(-Infinity) = -Infinity * 0 = NaN as the spec\'s formula gives', async () => {
    const data = [Infinity, -Infinity, Number.NaN, -0];
    const expected = { erf: [1, -1, Number.NaN, -0], gelu: [Infinity, Number.NaN, Number.NaN, -0] };
    for (const op of ['erf', 'gelu'] as const) {
      const result = await runGraph(backend, { x: { dataType: 'float32', shape: [4], data } },
        (b, { x }) => ({ out: (b as unknown as Record<string, (x: MLOperand) => MLOperand>)[op]!(x!) }));
      const actual = result['out']!.data;
      if (!expected[op].every((e, i) => Object.is(e, actual[i]) || (e === 0 && actual[i] === 0))) {
        throw new Error(`${op}(${data.join(', ')}) = ${actual.join(', ')}, expected ${expected[op].join(', ')}`);
      }
    }
  });
  it(`erf float32 within ${BOUNDS.erf} ulps on [-6, 6] and near zero`, async () => {
    const { max, at } = await worst(backend as never, 'erf', inputs(-6, 6), erf);
    if (max > BOUNDS.erf) throw new Error(`${max} ulps at ${at}`);
  });
  it(`gelu float32 within ${BOUNDS.gelu} ulps on [-12, 12] and near zero (its negative tail from erfc)`, async () => {
    const { max, at } = await worst(backend as never, 'gelu', inputs(-12, 12), (x) => 0.5 * x * erfc(-x / Math.SQRT2));
    if (max > BOUNDS.gelu) throw new Error(`${max} ulps at ${at}`);
  });
});
