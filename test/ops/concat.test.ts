import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size, type TensorValue,
} from '../util/harness.js';
import { kernelsOf } from '../graph/passes/pass-test-util.js';

type Concat = (inputs: unknown, axis: unknown, options?: object) => MLOperand;
const concatOf = (b: MLGraphBuilder) => (b as unknown as { concat: Concat }).concat.bind(b);

/** Each input contributes, per outer index, a contiguous block of shape[axis] * inner values. */
function concatReference(inputs: readonly TensorValue[], axis: number) {
  const shape = [...inputs[0]!.shape];
  shape[axis] = inputs.reduce((n, t) => n + t.shape[axis]!, 0);
  const outer = size(shape.slice(0, axis));
  const inner = size(shape.slice(axis + 1));
  const data: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const t of inputs) {
      const block = t.shape[axis]! * inner;
      data.push(...t.data.slice(o * block, (o + 1) * block));
    }
  }
  return { shape, data };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const rangeFor = (t: MLOperandDataType): [number, number] => (t === 'uint8' ? [0, 255] : t === 'int8' ? [-128, 127] : [-1000, 1000]);

forEachBackend('concat', (backend) => {
  const cases: [number[][], number][] = [
    [[[3], [2]], 0], [[[2, 3]], 1], [[[2, 3], [1, 3], [3, 3]], 0], [[[2, 3], [2, 1], [2, 2]], 1],
    [[[2, 1, 3], [2, 4, 3]], 1], [[[2, 2, 3], [2, 2, 1]], 2], [[[1, 2, 1, 2, 3], [1, 2, 2, 2, 3]], 2],
    [[[2, 2], [2, 2], [2, 2], [2, 2]], 0],
  ];
  for (const dataType of TYPES) {
    for (const [shapes, axis] of cases) {
      it(`${dataType} ${shapes.map((s) => `[${s}]`).join(' ')} axis ${axis}`, async () => {
        const [lo, hi] = rangeFor(dataType);
        const inputs: Record<string, TensorValue> = {};
        shapes.forEach((shape, i) => {
          inputs[`x${i}`] = { dataType, shape, data: representable(randomData(size(shape), 3 + i, lo, hi), dataType) };
        });
        const expected = concatReference(Object.values(inputs), axis);
        const result = await runGraph(backend, inputs,
          (b, ops) => ({ out: concatOf(b)(shapes.map((_, i) => ops[`x${i}`]!), axis) }));
        assertClose(result['out']!, expected);
      });
    }
  }

  it('float32 along an inner axis: rows of 5, 2 and 9 values (one kernel of ours on wasm), NaN and -0 as they are', async () => {
    const shapes = [[2, 3, 5], [2, 3, 2], [2, 3, 9]];
    const inputs: Record<string, TensorValue> = {};
    shapes.forEach((shape, i) => {
      const data = representable(randomData(size(shape), 11 + i, -5, 5), 'float32');
      data[i] = Number.NaN;
      data[size(shape) - 1] = -0;
      inputs[`x${i}`] = { dataType: 'float32', shape, data };
    });
    const build = (b: MLGraphBuilder, ops: Record<string, MLOperand>) => ({ out: concatOf(b)(shapes.map((_, i) => ops[`x${i}`]!), 2) });
    const result = await runGraph(backend, inputs, build);
    const expected = concatReference(Object.values(inputs), 2);
    result['out']!.data.forEach((v, i) => {
      if (!Object.is(v, expected.data[i]) && !(Number.isNaN(v) && Number.isNaN(expected.data[i]))) throw new Error(`[${i}]: ${v}, want ${expected.data[i]}`);
    });
    const kernels = (await kernelsOf(backend, inputs, (b, ops) => build(b as unknown as MLGraphBuilder, ops))).join();
    if (kernels !== (backend === 'wasm' ? 'WebNNConcat' : 'Concat')) throw new Error(`kernels: ${kernels}`);
  });

  it('concatenates a graph input with a constant', async () => {
    const x: TensorValue = { dataType: 'int32', shape: [2, 2], data: [1, 2, 3, 4] };
    const c: TensorValue = { dataType: 'int32', shape: [2, 1], data: [-7, 16777216] };
    const result = await runGraph(backend, { x }, (b, { x: input }) => ({
      out: concatOf(b)([input!, b.constant({ dataType: 'int32', shape: [2, 1] }, Int32Array.from(c.data))], 1),
    }));
    assertClose(result['out']!, concatReference([x, c], 1));
  });

  it('rejects invalid inputs', async () => {
    const b = await builderFor(backend);
    const c = concatOf(b);
    const a = b.input('a', { dataType: 'float32', shape: [2, 3] });
    await assertThrows(() => c([], 0), 'TypeError', 'concat');
    await assertThrows(() => c([a, a], 2), 'TypeError', 'concat');
    await assertThrows(() => c([a, b.input('b', { dataType: 'float16', shape: [2, 3] })], 0), 'TypeError', 'concat');
    await assertThrows(() => c([a, b.input('c', { dataType: 'float32', shape: [2, 3, 1] })], 0), 'TypeError', 'concat');
    await assertThrows(() => c([a, b.input('d', { dataType: 'float32', shape: [3, 3] })], 1), 'TypeError', 'concat');
    await assertThrows(() => c([b.input('s', { dataType: 'float32', shape: [] })], 0), 'TypeError', 'concat');
    await assertThrows(() => c([a, 1], 0), 'TypeError', 'concat');
    await assertThrows(() => c(a, 0), 'TypeError', 'concat');
    await assertThrows(() => c([a], -1), 'TypeError', 'concat');
    const other = (await builderFor(backend)).input('a', { dataType: 'float32', shape: [2, 3] });
    await assertThrows(() => c([a, other], 0), 'TypeError', 'concat');
  });
});
