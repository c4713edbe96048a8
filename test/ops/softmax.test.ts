import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size, strides,
} from '../util/harness.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';

type Softmax = (...args: unknown[]) => MLOperand;
const softmax = (builder: unknown) => (builder as { softmax: Softmax }).softmax.bind(builder);

/** float64 softmax along `axis` of a row-major array. */
function reference(data: readonly number[], shape: readonly number[], axis: number): number[] {
  const out = new Array<number>(data.length);
  const stride = strides(shape)[axis]!;
  const n = shape[axis]!;
  for (let base = 0; base < data.length; base++) {
    if (Math.floor(base / stride) % n !== 0) continue; // the first element of each line along `axis`
    const line = Array.from({ length: n }, (_, k) => data[base + k * stride]!);
    const max = Math.max(...line);
    const e = line.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, k) => { out[base + k * stride] = v / sum; });
  }
  return out;
}

async function run(backend: BackendName, t: MLOperandDataType, shape: number[], data: number[], axis: number) {
  const result = await runGraph(backend, { x: { dataType: t, shape, data } }, (builder, { x }) => ({ out: softmax(builder)(x, axis) }));
  return result['out']!;
}

forEachBackend('softmax', (backend) => {
  const shapes: number[][] = [[7], [3, 4], [2, 3, 4], [2, 3, 2, 4], [2, 1, 3, 2, 3]];
  for (const t of ['float32', 'float16'] as MLOperandDataType[]) {
    for (const shape of shapes) {
      for (let axis = 0; axis < shape.length; axis++) {
        it(`${t} [${shape}] axis ${axis}`, async () => {
          const data = representable(randomData(size(shape), 5 + axis, -4, 4), t);
          assertClose(await run(backend, t, shape, data, axis), { shape, data: representable(reference(data, shape, axis), t) });
        });
      }
    }
    it(`${t}: large logits do not overflow; -Infinity gives 0; a row of -Infinity and a +Infinity give NaN`, async () => {
      const data = representable([1000, 1001, 999, -Infinity, 60000, 60000, -60000, 0, -Infinity, -Infinity, -Infinity, -Infinity,
        Infinity, 1, 2, 3], t);
      const shape = [4, 4];
      const expected = reference(data, shape, 1);
      assertClose(await run(backend, t, shape, data, 1), { shape, data: representable(expected, t) });
      if (!Number.isNaN(expected[8]!) || !Number.isNaN(expected[12]!)) throw new Error('reference lost its NaN rows');
    });
  }

  describe('validation', () => {
    it('axis out of range, rank 0, integer input, bad axis values and foreign operands throw TypeError', async () => {
      const builder = await builderFor(backend);
      const x = builder.input('x', { dataType: 'float32', shape: [2, 3] });
      await assertThrows(() => softmax(builder)(x, 2), 'TypeError', 'softmax');
      await assertThrows(() => softmax(builder)(x, -1), 'TypeError', 'softmax');
      await assertThrows(() => softmax(builder)(x, NaN), 'TypeError', 'softmax');
      await assertThrows(() => softmax(builder)(x, 2 ** 32), 'TypeError', 'softmax');
      await assertThrows(() => softmax(builder)(x), 'TypeError');
      await assertThrows(() => softmax(builder)(builder.input('s', { dataType: 'float32', shape: [] }), 0), 'TypeError', 'softmax');
      await assertThrows(() => softmax(builder)(builder.input('i', { dataType: 'int32', shape: [3] }), 0), 'TypeError', 'softmax');
      await assertThrows(() => softmax(builder)('x', 0), 'TypeError', 'softmax');
      const other = (await builderFor(backend)).input('x', { dataType: 'float32', shape: [3] });
      await assertThrows(() => softmax(builder)(other, 0, { label: 'lbl' }), 'TypeError', 'softmax [lbl]');
      const out = softmax(builder)(builder.input('h', { dataType: 'float16', shape: [2, 5] }), 0);
      if (out.dataType !== 'float16' || out.shape.join() !== '2,5') throw new Error(`${out.dataType} [${out.shape}]`);
      if ((builder as unknown as { softmax: { length: number } }).softmax.length !== 2) throw new Error('softmax.length');
    });

    it('opSupportLimits: float32 and float16, ranks 1 to 5', async () => {
      const limits = ((await contextFor(backend)).opSupportLimits() as unknown as
        Record<string, Record<string, { dataTypes: string[]; rankRange: { min: number; max: number } }>>)['softmax']!;
      if (Object.keys(limits).sort().join() !== 'input,output') throw new Error(`members ${Object.keys(limits)}`);
      const input = limits['input']!;
      if (input.dataTypes.join() !== 'float32,float16' || input.rankRange.min !== 1 || input.rankRange.max < 5) {
        throw new Error(JSON.stringify(input));
      }
    });
  });
});
