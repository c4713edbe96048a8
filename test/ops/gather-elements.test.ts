import type { MLContext } from '../../src/api/context.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size, strides,
} from '../util/harness.js';

type GatherElements = (input: MLOperand, indices: MLOperand, options?: object) => MLOperand;
const gatherElementsOf = (b: MLGraphBuilder) =>
  (b as unknown as { gatherElements: GatherElements }).gatherElements.bind(b);

/** An index as this implementation reads it: negative counts from the end, then clamped into [0, n). */
const inRange = (raw: number, n: number) => Math.min(Math.max(raw < 0 ? raw + n : raw, 0), n - 1);

/** output[c] = input[c with c[axis] = indices[c]]; the output has the indices' shape. */
function gatherElementsReference(data: readonly number[], shape: readonly number[], indices: readonly number[],
  indicesShape: readonly number[], axis: number) {
  const inputStrides = strides(shape);
  const indexStrides = strides(indicesShape);
  const out = indices.map((raw, p) => {
    let offset = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = d === axis ? inRange(raw, shape[axis]!) : Math.floor(p / indexStrides[d]!) % indicesShape[d]!;
      offset += c * inputStrides[d]!;
    }
    return data[offset]!;
  });
  return { shape: [...indicesShape], data: out };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const RANGE: Partial<Record<MLOperandDataType, [number, number]>> = {
  float32: [-1000, 1000], float16: [-1000, 1000], int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

forEachBackend('gatherElements', (backend) => {
  // [input shape, indices shape, indices, axis]
  const cases: [number[], number[], number[], number | undefined][] = [
    [[4, 3], [2, 3], [3, 1, 1, 2, 0, 3], undefined],
    [[4, 3], [4, 1], [2, 1, 0, 2], 1],
    [[4, 2, 2], [1, 2, 2], [0, 2, 1, 3], 0],
    [[5], [3], [4, -1, -5], 0],
    [[2, 3], [2, 5], [0, 1, 2, -1, -3, 2, 2, 1, 0, -2], 1],
    [[3, 2], [6, 2], [0, 0, 1, 1, 2, 2, -1, -1, -2, -2, -3, -3], 0],
    [[2, 3, 4], [2, 2, 4], [0, 1, 2, -1, -2, -3, 0, 1, 2, 2, 1, 0, -1, 0, 1, 2], 1],
    [[2, 3, 4], [2, 3, 1], [3, 2, 1, 0, -1, -4], 2],
    [[2, 1, 3, 2, 2], [2, 1, 3, 1, 2], [1, 0, -1, -2, 0, 0, 1, 1, 0, 1, -1, 0], 3],
    [[2, 1, 3, 2, 2], [2, 1, 3, 2, 3], randomData(36, 9, -2, 2).map(Math.floor), 4],
  ];
  for (const dataType of TYPES) {
    for (const [shape, indicesShape, indices, axis] of cases) {
      it(`${dataType} [${shape}] indices [${indicesShape}] ${JSON.stringify(indices)} axis ${axis ?? 'default'}`, async () => {
        const [lo, hi] = RANGE[dataType]!;
        const data = representable(randomData(size(shape), 23, lo, hi), dataType);
        const expected = gatherElementsReference(data, shape, indices, indicesShape, axis ?? 0);
        const result = await runGraph(backend, {
          x: { dataType, shape, data }, i: { dataType: 'int32', shape: indicesShape, data: indices },
        }, (b, { x, i }) => ({ out: gatherElementsOf(b)(x!, i!, axis === undefined ? {} : { axis }) }));
        assertClose(result['out']!, expected);
      });
    }
  }

  it('spec example: axis 1 of [4,3] by [4,1] indices', async () => {
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [4, 3], data: [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32] },
      i: { dataType: 'int32', shape: [4, 1], data: [2, 1, 0, 2] },
    }, (b, { x, i }) => ({ out: gatherElementsOf(b)(x!, i!, { axis: 1 }) }));
    assertClose(result['out']!, { shape: [4, 1], data: [2, 11, 20, 32] });
  });

  it('int32 values at the ends of the range', async () => {
    const data = [2147483647, -2147483648, 2147483646, -2147483647, 16777217, -16777217];
    const indices = [2, 0, -3, 1, 1, 2];
    const result = await runGraph(backend, {
      x: { dataType: 'int32', shape: [3, 2], data }, i: { dataType: 'int32', shape: [3, 2], data: indices },
    }, (b, { x, i }) => ({ out: gatherElementsOf(b)(x!, i!) }));
    assertClose(result['out']!, gatherElementsReference(data, [3, 2], indices, [3, 2], 0));
  });

  it('clamps out-of-range indices instead of reading out of bounds', async () => {
    const data = randomData(12, 5, -10, 10).map(Math.fround);
    const indices = [4, -5, 100, -100, 2147483647, -2147483648, 3, -4, 2147483647, -2147483648, 7, -7];
    const result = await runGraph(backend, {
      x: { dataType: 'float32', shape: [4, 3], data }, i: { dataType: 'int32', shape: [4, 3], data: indices },
    }, (b, { x, i }) => ({ out: gatherElementsOf(b)(x!, i!, { axis: 0 }) }));
    assertClose(result['out']!, gatherElementsReference(data, [4, 3], indices, [4, 3], 0));
  });

  it('constant indices, negative and out of range', async () => {
    const data = [1, 2, 3, 4, 5, 6, 7, 8];
    const indices = [-1, 0, 9, -9, 1, -2];
    const result = await runGraph(backend, { x: { dataType: 'int32', shape: [2, 4], data } }, (b, { x }) => ({
      out: gatherElementsOf(b)(x!, b.constant({ dataType: 'int32', shape: [2, 3] }, Int32Array.from(indices)), { axis: 1 }),
    }));
    assertClose(result['out']!, gatherElementsReference(data, [2, 4], indices, [2, 3], 1));
  });

  it('advertises the required types and the index types int32, uint32, int64', async () => {
    const ctx = await contextFor(backend) as MLContext;
    const limits = (ctx.opSupportLimits() as unknown as Record<string, Record<string, { dataTypes: string[] }>>)['gatherElements']!;
    if (limits['indices']!.dataTypes.join() !== 'int32,uint32,int64') throw new Error(`indices ${limits['indices']!.dataTypes}`);
    for (const t of ['float32', 'float16', 'int32']) {
      if (!limits['input']!.dataTypes.includes(t) || !limits['output']!.dataTypes.includes(t)) throw new Error(`lacks ${t}`);
    }
  });

  it('rejects invalid operands, shapes and axes', async () => {
    const b = await builderFor(backend);
    const g = gatherElementsOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [4, 3] });
    const i = b.input('i', { dataType: 'int32', shape: [2, 3] });
    await assertThrows(() => g(x, b.input('f', { dataType: 'float32', shape: [2, 3] })), 'TypeError', 'gatherElements');
    await assertThrows(() => g(x, b.input('u', { dataType: 'uint8', shape: [2, 3] })), 'TypeError', 'gatherElements');
    await assertThrows(() => g(x, b.input('r1', { dataType: 'int32', shape: [6] })), 'TypeError', 'gatherElements');
    await assertThrows(() => g(x, b.input('r3', { dataType: 'int32', shape: [2, 3, 1] })), 'TypeError', 'gatherElements');
    // Only the axis dimension may differ from the input's.
    await assertThrows(() => g(x, b.input('w', { dataType: 'int32', shape: [2, 2] })), 'TypeError', 'gatherElements');
    await assertThrows(() => g(x, i, { axis: 1 }), 'TypeError', 'gatherElements');
    await assertThrows(() => g(x, i, { axis: 2 }), 'TypeError', 'gatherElements');
    await assertThrows(() => g(x, i, { axis: -1 }), 'TypeError', 'gatherElements');
    await assertThrows(() => g(b.input('s', { dataType: 'float32', shape: [] }), b.input('is', { dataType: 'int32', shape: [] })),
      'TypeError', 'gatherElements');
    const other = (await builderFor(backend)).input('i', { dataType: 'int32', shape: [2, 3] });
    await assertThrows(() => g(x, other), 'TypeError', 'gatherElements');
    const out = g(x, i, { label: 'ok' });
    if (out.shape.join() !== '2,3' || out.dataType !== 'float32') throw new Error(`output ${out.dataType} [${out.shape}]`);
    if (g(x, b.input('i5', { dataType: 'int32', shape: [4, 5] }), { axis: 1 }).shape.join() !== '4,5') {
      throw new Error('output shape along axis 1');
    }
  });
});
