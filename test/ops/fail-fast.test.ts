/**
 * Builder steps check sizes before any work that grows with them: an output too large for a tensor is a TypeError at
 * once, and a large valid one is recorded at once (its index vectors are made when build() folds them). "Too large"
 * is the context's maxTensorByteLength (2^31 - 1 on most backends, less on webgpu, where the device's buffers bound it).
 */
import { assertThrows, builderFor, contextFor, forEachBackend } from '../util/harness.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;

const U32_MAX = 2 ** 32 - 1;
/** Far above any builder step's own work; these calls took minutes or aborted the process before. */
const BOUND_MS = 100;

interface Case {
  readonly name: string;
  /** `maxElements`: the most float32 values a tensor of the context may hold. */
  readonly call: (b: Builder, x: (shape: number[]) => MLOperand, maxElements: number) => unknown;
  /** The output shape of a valid call (a TypeError naming the operation where it exceeds the limit); absent: one always. */
  readonly shape?: number[];
  /** Values of the largest tensor the step makes, where more than its output's (that one must fit the limit too). */
  readonly largest?: number;
}

const CASES: readonly Case[] = [
  { name: 'resample2d [1, 1, 536870911, 1] scales [2, 2]', call: (b, x, maxElements) =>
    b.resample2d(x([1, 1, Math.min(536870911, maxElements), 1]), { scales: [2, 2] }) },
  { name: 'resample2d sizes 2^31 - 1', call: (b, x) => b.resample2d(x([1, 1, 1, 1]), { sizes: [2 ** 31 - 1, 2 ** 31 - 1] }) },
  { name: 'resample2d nearest sizes [2^27, 2]', call: (b, x) => b.resample2d(x([1, 1, 1, 1]), { sizes: [2 ** 27, 2] }), shape: [1, 1, 2 ** 27, 2] },
  { name: 'resample2d linear sizes [3, 2^27]', call: (b, x) => b.resample2d(x([1, 1, 2, 2]), { sizes: [3, 2 ** 27], mode: 'linear' }),
    shape: [1, 1, 3, 2 ** 27] },
  { name: 'pad edge by 2^32 - 2', call: (b, x) => b.pad(x([2, 2]), [0, U32_MAX - 1], [0, 0], { mode: 'edge' }) },
  { name: 'pad edge by 2^27', call: (b, x) => b.pad(x([2, 2]), [0, 2 ** 27], [0, 0], { mode: 'edge' }), shape: [2, 2 ** 27 + 2] },
  { name: 'pad reflection, rank 5 (gathers on webgl)', call: (b, x) => b.pad(x([1, 1, 1, 1, 3]), [0, 0, 0, 0, 2], [0, 0, 0, 0, U32_MAX], { mode: 'reflection' }) },
  { name: 'pad constant by 2^32 - 1', call: (b, x) => b.pad(x([2, 2]), [U32_MAX, 0], [0, U32_MAX]) },
  { name: 'expand to [2^31 - 1, 2^31 - 1]', call: (b, x) => b.expand(x([1, 1]), [2 ** 31 - 1, 2 ** 31 - 1]) },
  { name: 'tile by 2^32 - 1', call: (b, x) => b.tile(x([2, 2]), [U32_MAX, U32_MAX]) },
  { name: 'convTranspose2d strides and outputSizes near 2^32', call: (b, x) => b.convTranspose2d(x([1, 1, 2, 2]), x([1, 1, 1, 1]),
    { strides: [U32_MAX, U32_MAX], outputSizes: [U32_MAX - 1, U32_MAX - 1] }) },
  { name: 'convTranspose2d dilations 2^32 - 1', call: (b, x) => b.convTranspose2d(x([1, 1, 2, 2]), x([1, 1, 3, 3]), { dilations: [U32_MAX, U32_MAX] }) },
  { name: 'conv2d dilations 2^32 - 1', call: (b, x) => b.conv2d(x([1, 1, 2, 2]), x([1, 1, 3, 3]), { dilations: [U32_MAX, U32_MAX] }) },
  { name: 'maxPool2d padding 2^32 - 1', call: (b, x) => b.maxPool2d(x([1, 1, 2, 2]), { windowDimensions: [1, 1], padding: [U32_MAX, U32_MAX, 0, 0] }) },
  { name: 'maxPool2d dilated, padding 2^26', call: (b, x) => b.maxPool2d(x([1, 1, 2, 2]),
    { windowDimensions: [2, 2], padding: [2 ** 26, 2 ** 26, 0, 0], dilations: [2, 1] }), shape: [1, 1, 2 ** 27, 1],
    // Its windows' row positions: two per output row.
    largest: 2 ** 28 },
  { name: 'averagePool2d window 2^32 - 1', call: (b, x) => b.averagePool2d(x([1, 1, 2, 2]),
    { windowDimensions: [U32_MAX, U32_MAX], padding: [U32_MAX, U32_MAX, U32_MAX, U32_MAX] }) },
  { name: 'slice strides 2^32 - 1', call: (b, x) => b.slice(x([2, 2]), [0, 0], [2, 2], { strides: [U32_MAX, U32_MAX] }), shape: [1, 1] },
  { name: 'reshape to [2^32 - 1, 2^32 - 1]', call: (b, x) => b.reshape(x([2, 2]), [U32_MAX, U32_MAX]) },
  { name: 'gather with 2^27 indices', call: (b) => b.gather(b.input('g', { dataType: 'float32', shape: [2, 2] }),
    b.input('i', { dataType: 'int32', shape: [2 ** 27] })), shape: [2 ** 27, 2] },
];

forEachBackend('builder steps fail fast', (backend) => {
  for (const c of CASES) {
    it(`${c.name}: ${c.shape ? `[${c.shape.join(', ')}]` : 'TypeError'} within ${BOUND_MS} ms`, async () => {
      const b = (await builderFor(backend)) as Builder;
      const limits = (await contextFor(backend)).opSupportLimits() as unknown as { maxTensorByteLength: number };
      const maxElements = Math.floor(limits.maxTensorByteLength / 4);
      let n = 0;
      const x = (shape: number[]) => b.input(`x${n++}`, { dataType: 'float32', shape });
      const started = performance.now();
      if (c.shape && Math.max(c.shape.reduce((p, d) => p * d, 1), c.largest ?? 0) <= maxElements) {
        const out = c.call(b, x, maxElements) as MLOperand;
        if (out.shape.join() !== c.shape.join()) throw new Error(`shape [${out.shape.join(', ')}]`);
      } else {
        await assertThrows(() => c.call(b, x, maxElements), 'TypeError', c.name.split(' ')[0]);
      }
      const took = performance.now() - started;
      if (took > BOUND_MS) throw new Error(`took ${took.toFixed(0)} ms`);
    });
  }
});
