import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size } from '../util/harness.js';

type Split = (input: MLOperand, splits: unknown, options?: object) => MLOperand[];
const splitOf = (b: MLGraphBuilder) => (b as unknown as { split: Split }).split.bind(b);

/** The i-th output takes, per outer index, sizes[i] * inner consecutive values. */
function splitReference(data: readonly number[], shape: readonly number[], sizes: readonly number[], axis: number) {
  const outer = size(shape.slice(0, axis));
  const inner = size(shape.slice(axis + 1));
  let offset = 0;
  return sizes.map((s) => {
    const out: number[] = [];
    for (let o = 0; o < outer; o++) {
      const base = o * shape[axis]! * inner + offset * inner;
      out.push(...data.slice(base, base + s * inner));
    }
    offset += s;
    const outShape = [...shape];
    outShape[axis] = s;
    return { shape: outShape, data: out };
  });
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const rangeFor = (t: MLOperandDataType): [number, number] => (t === 'uint8' ? [0, 255] : t === 'int8' ? [-128, 127] : [-1000, 1000]);

forEachBackend('split', (backend) => {
  const cases: [number[], number | number[], number | undefined][] = [
    [[6], 3, undefined], [[6], [1, 2, 3], undefined], [[4, 3], 1, 0], [[4, 3], [2, 1], 1], [[2, 6, 2], 2, 1],
    [[2, 5, 2], [3, 2], 1], [[2, 2, 3], [1, 1, 1], 2], [[1, 2, 3, 2, 4], [1, 3], 4],
  ];
  for (const dataType of TYPES) {
    for (const [shape, splits, axis] of cases) {
      it(`${dataType} [${shape}] splits ${JSON.stringify(splits)} axis ${axis ?? 'default'}`, async () => {
        const [lo, hi] = rangeFor(dataType);
        const data = representable(randomData(size(shape), 17, lo, hi), dataType);
        const a = axis ?? 0;
        const sizes = typeof splits === 'number' ? new Array<number>(splits).fill(shape[a]! / splits) : splits;
        const expected = splitReference(data, shape, sizes, a);
        const result = await runGraph(backend, { x: { dataType, shape, data } }, (b, { x }) => {
          const outs = splitOf(b)(x!, splits, axis === undefined ? {} : { axis });
          if (!Array.isArray(outs) || outs.length !== sizes.length) throw new Error('split must return one operand per output');
          return Object.fromEntries(outs.map((o, i) => [`out${i}`, o]));
        });
        expected.forEach((e, i) => assertClose(result[`out${i}`]!, e, undefined, `output ${i}`));
      });
    }
  }

  it('rejects invalid splits', async () => {
    const b = await builderFor(backend);
    const s = splitOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [4, 6] });
    await assertThrows(() => s(x, 5, { axis: 1 }), 'TypeError', 'split');
    await assertThrows(() => s(x, 0), 'TypeError', 'split');
    await assertThrows(() => s(x, []), 'TypeError', 'split');
    await assertThrows(() => s(x, [2, 2, 1]), 'TypeError', 'split');
    await assertThrows(() => s(x, [4, 0]), 'TypeError', 'split');
    await assertThrows(() => s(x, 2, { axis: 2 }), 'TypeError', 'split');
    await assertThrows(() => s(x, -2), 'TypeError', 'split');
    await assertThrows(() => s(b.input('s', { dataType: 'float32', shape: [] }), 1), 'TypeError', 'split');
  });
});
