import type { MLContext } from '../../src/api/context.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size,
} from '../util/harness.js';

type Gather = (input: MLOperand, indices: MLOperand, options?: object) => MLOperand;
const gatherOf = (b: MLGraphBuilder) => (b as unknown as { gather: Gather }).gather.bind(b);

/**
 * output[outer, i..., inner] = input[outer, index(indices[i...]), inner]; negative indices count from the end and
 * indices outside [-n, n) are clamped to the nearest end (this implementation's choice; nothing reads out of bounds).
 */
function gatherReference(data: readonly number[], shape: readonly number[], indices: readonly number[],
  indicesShape: readonly number[], axis: number) {
  const n = shape[axis]!;
  const outer = size(shape.slice(0, axis));
  const inner = size(shape.slice(axis + 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of indices) {
      const i = Math.min(Math.max(raw < 0 ? raw + n : raw, 0), n - 1);
      const base = (o * n + i) * inner;
      out.push(...data.slice(base, base + inner));
    }
  }
  return { shape: [...shape.slice(0, axis), ...indicesShape, ...shape.slice(axis + 1)], data: out };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const rangeFor = (t: MLOperandDataType): [number, number] => (t === 'uint8' ? [0, 255] : t === 'int8' ? [-128, 127] : [-1000, 1000]);

forEachBackend('gather', (backend) => {
  const cases: [number[], number[], number[], number | undefined][] = [
    [[4], [], [2], undefined],
    [[4], [], [-1], 0],
    [[4], [5], [3, 0, -4, -1, 1], undefined],
    [[4, 3], [2], [3, 1], undefined],
    [[4, 3], [3], [2, 1, 1], 1],
    [[4, 3], [2, 2], [0, 1, 1, 2], 1],
    [[2, 3, 4], [2, 1], [-2, 3], 2],
    [[2, 3, 2, 2], [3], [2, -3, 0], 1],
    [[2, 1, 3, 2, 2], [2], [1, -1], 4],
  ];
  for (const dataType of TYPES) {
    for (const [shape, indicesShape, indices, axis] of cases) {
      it(`${dataType} [${shape}] indices [${indicesShape}] ${JSON.stringify(indices)} axis ${axis ?? 'default'}`, async () => {
        const [lo, hi] = rangeFor(dataType);
        const data = representable(randomData(size(shape), 31, lo, hi), dataType);
        const expected = gatherReference(data, shape, indices, indicesShape, axis ?? 0);
        const result = await runGraph(backend, {
          x: { dataType, shape, data }, i: { dataType: 'int32', shape: indicesShape, data: indices },
        }, (b, { x, i }) => ({ out: gatherOf(b)(x!, i!, axis === undefined ? {} : { axis }) }));
        assertClose(result['out']!, expected);
      });
    }
  }

  it('clamps out-of-range indices instead of reading out of bounds (graph input indices)', async () => {
    const data = [10, 11, 12, 20, 21, 22];
    const indices = [3, -4, 100, -100, 2147483647, -2147483648, 2, -3];
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [2, 3], data }, i: { dataType: 'int32', shape: [8], data: indices },
    }, (b, { x, i }) => ({ out: gatherOf(b)(x!, i!, { axis: 1 }) }));
    assertClose(result['out']!, gatherReference(data, [2, 3], indices, [8], 1));
  });

  it('constant indices, negative and out of range', async () => {
    const data = [1, 2, 3, 4, 5, 6, 7, 8];
    const indices = [-1, 0, 9, -9];
    const result = await runGraph(backend, { x: { dataType: 'int32', shape: [4, 2], data } }, (b, { x }) => ({
      out: gatherOf(b)(x!, b.constant({ dataType: 'int32', shape: [2, 2] }, Int32Array.from(indices))),
    }));
    assertClose(result['out']!, gatherReference(data, [4, 2], indices, [2, 2], 0));
  });

  it('advertises the index types int32, uint32, int64', async () => {
    const ctx = await contextFor(backend) as MLContext;
    const limits = (ctx.opSupportLimits() as unknown as Record<string, Record<string, { dataTypes: string[] }>>)['gather']!;
    if (limits['indices']!.dataTypes.join() !== 'int32,uint32,int64') throw new Error(`indices ${limits['indices']!.dataTypes}`);
    for (const t of TYPES) if (!limits['input']!.dataTypes.includes(t)) throw new Error(`input lacks ${t}`);
  });

  it('rejects invalid operands and axes', async () => {
    const b = await builderFor(backend);
    const g = gatherOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [4, 3] });
    const i = b.input('i', { dataType: 'int32', shape: [2] });
    await assertThrows(() => g(x, b.input('f', { dataType: 'float32', shape: [2] })), 'TypeError', 'gather');
    await assertThrows(() => g(x, b.input('u', { dataType: 'uint8', shape: [2] })), 'TypeError', 'gather');
    await assertThrows(() => g(x, i, { axis: 2 }), 'TypeError', 'gather');
    await assertThrows(() => g(x, i, { axis: -1 }), 'TypeError', 'gather');
    await assertThrows(() => g(b.input('s', { dataType: 'float32', shape: [] }), i), 'TypeError', 'gather');
    await assertThrows(() => g(b.input('r6', { dataType: 'float32', shape: [1, 2, 1, 2, 1, 2] }),
      b.input('i2', { dataType: 'int32', shape: [2, 2] })), 'TypeError', 'gather');
    const other = (await builderFor(backend)).input('i', { dataType: 'int32', shape: [2] });
    await assertThrows(() => g(x, other), 'TypeError', 'gather');
  });
});
