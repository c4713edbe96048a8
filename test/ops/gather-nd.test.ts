import type { MLContext } from '../../src/api/context.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size, strides,
  typedArrayFor,
} from '../util/harness.js';

type GatherND = (input: MLOperand, indices: MLOperand, options?: object) => MLOperand;
const gatherNDOf = (b: MLGraphBuilder) => (b as unknown as { gatherND: GatherND }).gatherND.bind(b);

/** A coordinate as this implementation reads it: negative counts from the end, then clamped into [0, n). */
const inRange = (raw: number, n: number) => Math.min(Math.max(raw < 0 ? raw + n : raw, 0), n - 1);

/** output[i..., rest...] = input[indices[i..., :], rest...] (float64 / exact reference). */
function gatherNDReference(data: readonly number[], shape: readonly number[], indices: readonly number[],
  indicesShape: readonly number[]) {
  const k = indicesShape[indicesShape.length - 1]!;
  const sliceSize = size(shape.slice(k));
  const st = strides(shape);
  const out: number[] = [];
  for (let row = 0; row < indices.length / k; row++) {
    let base = 0;
    for (let j = 0; j < k; j++) base += inRange(indices[row * k + j]!, shape[j]!) * st[j]!;
    out.push(...data.slice(base, base + sliceSize));
  }
  return { shape: [...indicesShape.slice(0, -1), ...shape.slice(k)], data: out };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const RANGE: Partial<Record<MLOperandDataType, [number, number]>> = {
  float32: [-1000, 1000], float16: [-1000, 1000], int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

forEachBackend('gatherND', (backend) => {
  // [input shape, indices shape, indices]
  const cases: [number[], number[], number[]][] = [
    [[2, 2], [3, 2], [0, 0, 1, 1, 1, 0]],
    [[2, 2], [2, 1], [1, 0]],
    [[2, 2, 2], [2, 2], [0, 1, 1, 0]],
    [[2, 2, 2], [3, 1], [1, 0, 1]],
    [[2, 2, 2], [5, 3], [0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1]],
    [[5], [1], [3]],
    [[3, 4], [2], [-1, -4]],
    [[3, 4], [1], [-2]],
    [[4, 3], [2, 2, 1], [3, -1, 0, -4]],
    [[2, 3, 4], [2, 2], [1, -1, -2, 2]],
    [[2, 3, 2, 2, 3], [2, 3], [1, 2, 0, -2, -1, 1]],
    [[2, 3, 2, 2, 3], [1, 1, 1, 1, 5], [1, 2, 1, 1, 2]],
  ];
  for (const dataType of TYPES) {
    for (const [shape, indicesShape, indices] of cases) {
      it(`${dataType} [${shape}] indices [${indicesShape}] ${JSON.stringify(indices)}`, async () => {
        const [lo, hi] = RANGE[dataType]!;
        const data = representable(randomData(size(shape), 17, lo, hi), dataType);
        const expected = gatherNDReference(data, shape, indices, indicesShape);
        const result = await runGraph(backend, {
          x: { dataType, shape, data }, i: { dataType: 'int32', shape: indicesShape, data: indices },
        }, (b, { x, i }) => ({ out: gatherNDOf(b)(x!, i!) }));
        assertClose(result['out']!, expected);
      });
    }
  }

  it('spec example: [2,2,2] by [5,3] coordinates gives [1,2,4,6,7]', async () => {
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [2, 2, 2], data: [0, 1, 2, 3, 4, 5, 6, 7] },
      i: { dataType: 'int32', shape: [5, 3], data: [0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1] },
    }, (b, { x, i }) => ({ out: gatherNDOf(b)(x!, i!) }));
    assertClose(result['out']!, { shape: [5], data: [1, 2, 4, 6, 7] });
  });

  it('int32 values at the ends of the range', async () => {
    const data = [2147483647, -2147483648, 2147483646, -2147483647, 16777217, -16777217];
    const indices = [0, 1, 2, 0, 1, 1, 2, 1, 1, 0];
    const result = await runGraph(backend, {
      x: { dataType: 'int32', shape: [3, 2], data }, i: { dataType: 'int32', shape: [5, 2], data: indices },
    }, (b, { x, i }) => ({ out: gatherNDOf(b)(x!, i!) }));
    assertClose(result['out']!, gatherNDReference(data, [3, 2], indices, [5, 2]));
  });

  it('clamps out-of-range coordinates instead of reading out of bounds', async () => {
    const data = randomData(24, 5, -10, 10).map(Math.fround);
    const indices = [2, 3, 100, -100, 2147483647, -2147483648, -3, 9, 1, -4, 0, 2147483647];
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [2, 3, 4], data }, i: { dataType: 'int32', shape: [6, 2], data: indices },
    }, (b, { x, i }) => ({ out: gatherNDOf(b)(x!, i!) }));
    assertClose(result['out']!, gatherNDReference(data, [2, 3, 4], indices, [6, 2]));
  });

  it('constant indices, negative and out of range', async () => {
    const data = [1, 2, 3, 4, 5, 6, 7, 8];
    const indices = [-1, 0, 9, -9, 1, -2];
    const result = await runGraph(backend, { x: { dataType: 'uint8', shape: [4, 2], data } }, (b, { x }) => ({
      out: gatherNDOf(b)(x!, b.constant({ dataType: 'int32', shape: [3, 2] }, Int32Array.from(indices))),
    }));
    assertClose(result['out']!, gatherNDReference(data, [4, 2], indices, [3, 2]));
  });

  it('constant input and indices (computed once when built)', async () => {
    const data = [-5, 6, -7, 8, 100, -128];
    const indices = [2, 0, -3];
    const result = await runGraph(backend, {}, (b) => ({
      out: gatherNDOf(b)(b.constant({ dataType: 'int8', shape: [3, 2] }, typedArrayFor({ dataType: 'int8', shape: [3, 2], data })),
        b.constant({ dataType: 'int32', shape: [3, 1] }, Int32Array.from(indices))),
    }));
    assertClose(result['out']!, gatherNDReference(data, [3, 2], indices, [3, 1]));
  });

  it('advertises the required types and the index types int32, uint32, int64', async () => {
    const ctx = await contextFor(backend) as MLContext;
    const limits = (ctx.opSupportLimits() as unknown as Record<string, Record<string, { dataTypes: string[];
      rankRange: { min: number; max: number } }>>)['gatherND']!;
    if (limits['indices']!.dataTypes.join() !== 'int32,uint32,int64') throw new Error(`indices ${limits['indices']!.dataTypes}`);
    for (const t of TYPES) {
      if (!limits['input']!.dataTypes.includes(t) || !limits['output']!.dataTypes.includes(t)) throw new Error(`lacks ${t}`);
    }
    if (limits['input']!.rankRange.min !== 1 || limits['input']!.rankRange.max < 5) throw new Error('input ranks');
    if (limits['output']!.rankRange.min !== 0) throw new Error('output ranks');
  });

  it('rejects invalid operands and shapes', async () => {
    const b = await builderFor(backend);
    const g = gatherNDOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [4, 3] });
    const i = b.input('i', { dataType: 'int32', shape: [2, 2] });
    await assertThrows(() => g(x, b.input('f', { dataType: 'float32', shape: [2, 2] })), 'TypeError', 'gatherND');
    await assertThrows(() => g(x, b.input('u', { dataType: 'uint8', shape: [2, 2] })), 'TypeError', 'gatherND');
    await assertThrows(() => g(x, b.input('k3', { dataType: 'int32', shape: [2, 3] })), 'TypeError', 'gatherND');
    await assertThrows(() => g(x, b.input('s', { dataType: 'int32', shape: [] })), 'TypeError', 'gatherND');
    await assertThrows(() => g(b.input('x0', { dataType: 'float32', shape: [] }), i), 'TypeError', 'gatherND');
    // Output rank 3 + 4 - 1 = 6 exceeds the supported ranks.
    await assertThrows(() => g(b.input('r5', { dataType: 'float32', shape: [2, 2, 2, 2, 2] }),
      b.input('i4', { dataType: 'int32', shape: [2, 2, 2, 1] })), 'TypeError', 'gatherND');
    await assertThrows(() => g(x, {} as MLOperand), 'TypeError', 'gatherND');
    const other = (await builderFor(backend)).input('i', { dataType: 'int32', shape: [2, 2] });
    await assertThrows(() => g(x, other), 'TypeError', 'gatherND');
    if (g(x, i, { label: 'ok' }).shape.join() !== '2') throw new Error('output shape');
    if (g(x, b.input('i1', { dataType: 'int32', shape: [5, 1] })).shape.join() !== '5,3') throw new Error('output shape');
  });
});
