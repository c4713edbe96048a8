import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size, strides } from '../util/harness.js';

type Slice = (input: MLOperand, starts: unknown, sizes: unknown, options?: object) => MLOperand;
const sliceOf = (b: MLGraphBuilder) => (b as unknown as { slice: Slice }).slice.bind(b);

/** Output coordinate c reads input coordinate starts + c * strides. */
function sliceReference(data: readonly number[], shape: readonly number[], starts: readonly number[],
  sizes: readonly number[], steps?: readonly number[]) {
  const step = steps ?? shape.map(() => 1);
  const outShape = sizes.map((s, d) => Math.ceil(s / step[d]!));
  const inStrides = strides(shape);
  const outStrides = strides(outShape);
  const out = new Array<number>(size(outShape));
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(o / outStrides[d]!) % outShape[d]!;
      src += (starts[d]! + c * step[d]!) * inStrides[d]!;
    }
    out[o] = data[src]!;
  }
  return { shape: outShape, data: out };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const rangeFor = (t: MLOperandDataType): [number, number] => (t === 'uint8' ? [0, 255] : t === 'int8' ? [-128, 127] : [-1000, 1000]);

forEachBackend('slice', (backend) => {
  const cases: [number[], number[], number[], number[] | undefined][] = [
    [[], [], [], undefined],
    [[5], [1], [3], undefined],
    [[5], [0], [5], [2]],
    [[7], [1], [6], [3]],
    [[3, 4], [1, 1], [2, 3], undefined],
    [[3, 4], [0, 0], [3, 4], [1, 1]],
    [[4, 5], [0, 1], [4, 4], [2, 3]],
    [[3, 4, 5], [1, 0, 2], [2, 4, 3], [1, 2, 2]],
    [[2, 3, 4, 3, 4], [0, 1, 0, 1, 1], [2, 2, 4, 2, 3], [1, 1, 3, 1, 2]],
    [[2, 3, 4, 3, 4], [1, 0, 1, 0, 0], [1, 3, 3, 3, 4], undefined],
    [[4, 4], [3, 0], [1, 4], [5, 3]],
  ];
  for (const dataType of TYPES) {
    for (const [shape, starts, sizes, steps] of cases) {
      it(`${dataType} [${shape}] starts [${starts}] sizes [${sizes}] strides ${steps ? `[${steps}]` : 'default'}`, async () => {
        const [lo, hi] = rangeFor(dataType);
        const data = representable(randomData(size(shape), 23, lo, hi), dataType);
        const expected = sliceReference(data, shape, starts, sizes, steps);
        const result = await runGraph(backend, { x: { dataType, shape, data } },
          (b, { x }) => ({ out: sliceOf(b)(x!, starts, sizes, steps ? { strides: steps } : {}) }));
        assertClose(result['out']!, expected);
      });
    }
  }

  it('strided int32 values beyond 2^24 are unchanged', async () => {
    const data = [2147483647, -2147483648, 16777217, -123456789, 5, 0, 7, 8, -9];
    const result = await runGraph(backend, { x: { dataType: 'int32', shape: [9] , data } },
      (b, { x }) => ({ out: sliceOf(b)(x!, [0], [9], { strides: [2] }) }));
    assertClose(result['out']!, sliceReference(data, [9], [0], [9], [2]));
  });

  it('strides whose axes keep one element take that element (the range is not kept whole)', async () => {
    const data = Array.from({ length: 20 }, (_, i) => i);
    const result = await runGraph(backend, { x: { dataType: 'float32', shape: [4, 5], data } },
      (b, { x }) => ({ out: sliceOf(b)(x!, [1, 1], [2, 3], { strides: [2, 3] }) }));
    assertClose(result['out']!, { shape: [1, 1], data: [6] });
  });

  it('rejects invalid starts, sizes and strides', async () => {
    const b = await builderFor(backend);
    const s = sliceOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [3, 4] });
    await assertThrows(() => s(x, [0, 0], [0, 2]), 'TypeError', 'slice');
    await assertThrows(() => s(x, [0], [1]), 'TypeError', 'slice');
    await assertThrows(() => s(x, [0, 0], [1, 1, 1]), 'TypeError', 'slice');
    await assertThrows(() => s(x, [3, 0], [1, 1]), 'TypeError', 'slice');
    await assertThrows(() => s(x, [1, 2], [2, 3]), 'TypeError', 'slice');
    await assertThrows(() => s(x, [0, 0], [1, 1], { strides: [1, 0] }), 'TypeError', 'slice');
    await assertThrows(() => s(x, [0, 0], [1, 1], { strides: [1] }), 'TypeError', 'slice');
    await assertThrows(() => s(x, [-1, 0], [1, 1]), 'TypeError', 'slice');
  });
});
