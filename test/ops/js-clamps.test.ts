/**
 * clamp, hardSigmoid and hardSwish as kernels of ours (ops/js-clamps.ts; on wasm our SIMD kernels, four values a step
 * and the rest one by one): values against float64 formulas written here, NaN and infinities included, at the start
 * and in the last values, and which kernels run.
 */
import { runsJsKernels } from '../../src/runtime/js-kernels.js';
import { assertClose, forEachBackend, randomData, representable, runGraph } from '../util/harness.js';
import { kernelsOf, type Builder } from '../graph/passes/pass-test-util.js';
import type { MLOperand } from '../../src/api/operand.js';

const f = Math.fround;
const SPECIAL = [Number.NaN, Infinity, -Infinity, 0, -3, 3, 2.9999998, -2.9999998, 1e-30, -1e-30];

interface Case {
  op: string;
  apply: (b: Builder, x: MLOperand) => MLOperand;
  ref: (x: number) => number;
  kernel: string;
}

const CASES: Case[] = [
  { op: 'clamp(-1, 2.5)', apply: (b, x) => b.clamp(x, { minValue: -1, maxValue: 2.5 }), ref: (x) => Math.min(Math.max(x, -1), 2.5),
    kernel: 'WebNNClamp' },
  { op: 'hardSigmoid(0.3, 0.4)', apply: (b, x) => b.hardSigmoid(x, { alpha: 0.3, beta: 0.4 }),
    ref: (x) => Math.min(Math.max(f(0.3) * x + f(0.4), 0), 1), kernel: 'WebNNHardSigmoid' },
  { op: 'hardSwish', apply: (b, x) => b.hardSwish(x), ref: (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
    kernel: 'WebNNHardSwish' },
];

const TOLERANCE = { atol: 1e-6, rtol: 1e-6 };

forEachBackend('clamps as kernels of ours', (backend) => {
  for (const size of [64, 67, 20003]) {
    for (const c of CASES) {
      it(`${c.op} of ${size} values`, async () => {
        const middle = randomData(size - 2 * SPECIAL.length, 71, -8, 8);
        const data = representable([...SPECIAL, ...middle, ...[...SPECIAL].reverse()], 'float32');
        const inputs = { x: { dataType: 'float32' as const, shape: [size], data } };
        const build = (b: Builder, { x }: Record<string, MLOperand>) => ({ out: c.apply(b, x!) });
        const out = await runGraph(backend, inputs, (b, o) => build(b as Builder, o));
        assertClose(out['out']!, { shape: [size], data: data.map(c.ref) }, TOLERANCE);
        if (!runsJsKernels(backend)) return;
        const kernels = (await kernelsOf(backend, inputs, build)).join();
        if (kernels !== c.kernel) throw new Error(`kernels: ${kernels}`);
      });
    }
  }
});
