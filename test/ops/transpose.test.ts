import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size, strides } from '../util/harness.js';

type Transpose = (input: MLOperand, options?: object) => MLOperand;
const transposeOf = (b: MLGraphBuilder) => (b as unknown as { transpose: Transpose }).transpose.bind(b);

/** out[c] = in[c'] where c'[perm[i]] = c[i]. */
function transposeReference(data: readonly number[], shape: readonly number[], perm: readonly number[]) {
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = strides(shape);
  const outStrides = strides(outShape);
  const out = new Array<number>(data.length);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < outShape.length; i++) {
      const c = Math.floor(o / outStrides[i]!) % outShape[i]!;
      src += c * inStrides[perm[i]!]!;
    }
    out[o] = data[src]!;
  }
  return { shape: outShape, data: out };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const rangeFor = (t: MLOperandDataType): [number, number] => (t === 'uint8' ? [0, 255] : t === 'int8' ? [-128, 127] : [-1000, 1000]);

forEachBackend('transpose', (backend) => {
  const cases: [number[], number[] | undefined][] = [
    [[], undefined], [[4], undefined], [[2, 3], undefined], [[2, 3, 4], undefined], [[2, 3, 4], [1, 0, 2]],
    [[2, 3, 4], [0, 1, 2]], [[2, 1, 3, 2, 2], [4, 2, 0, 3, 1]], [[2, 3, 1, 2], [3, 1, 2, 0]],
  ];
  for (const dataType of TYPES) {
    for (const [shape, permutation] of cases) {
      it(`${dataType} [${shape}] permutation ${permutation ? `[${permutation}]` : 'default'}`, async () => {
        const [lo, hi] = rangeFor(dataType);
        const data = representable(randomData(size(shape), 11, lo, hi), dataType);
        const perm = permutation ?? shape.map((_, i) => shape.length - 1 - i);
        const expected = transposeReference(data, shape, perm);
        const result = await runGraph(backend, { x: { dataType, shape, data } },
          (b, { x }) => ({ out: transposeOf(b)(x!, permutation ? { permutation } : {}) }));
        assertClose(result['out']!, expected);
      });
    }
  }

  it('int32 values beyond 2^24 move unchanged', async () => {
    const data = [2147483647, -2147483648, 16777217, -123456789, 5, 0];
    const result = await runGraph(backend, { x: { dataType: 'int32', shape: [2, 3], data } },
      (b, { x }) => ({ out: transposeOf(b)(x!) }));
    assertClose(result['out']!, transposeReference(data, [2, 3], [1, 0]));
  });

  it('output operand shape is permuted', async () => {
    const b = await builderFor(backend);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3, 4] });
    const y = transposeOf(b)(x, { permutation: [2, 0, 1] });
    if (y.shape.join() !== '4,2,3') throw new Error(`shape ${y.shape}`);
  });

  it('rejects invalid permutations', async () => {
    const b = await builderFor(backend);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3, 4] });
    const t = transposeOf(b);
    await assertThrows(() => t(x, { permutation: [0, 1] }), 'TypeError', 'transpose');
    await assertThrows(() => t(x, { permutation: [0, 1, 3] }), 'TypeError', 'transpose');
    await assertThrows(() => t(x, { permutation: [0, 1, 1] }), 'TypeError', 'transpose');
    await assertThrows(() => t(x, { permutation: [0, 1, -1] }), 'TypeError', 'transpose');
    await assertThrows(() => t(x, { permutation: 5 }), 'TypeError', 'transpose');
    await assertThrows(() => t({} as MLOperand), 'TypeError', 'transpose');
    const other = (await builderFor(backend)).input('x', { dataType: 'float32', shape: [2] });
    await assertThrows(() => t(other), 'TypeError', 'transpose');
  });
});
