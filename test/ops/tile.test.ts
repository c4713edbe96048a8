import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size, strides,
} from '../util/harness.js';

type Tile = (input: MLOperand, repetitions: number[], options?: object) => MLOperand;
const tileOf = (b: MLGraphBuilder) => (b as unknown as { tile: Tile }).tile.bind(b);

/** out[c] = in[c mod shape]. */
function tileReference(data: readonly number[], shape: readonly number[], repetitions: readonly number[]) {
  const outShape = shape.map((d, i) => d * repetitions[i]!);
  const inStrides = strides(shape);
  const outStrides = strides(outShape);
  const out: number[] = [];
  for (let o = 0; o < size(outShape); o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += ((Math.floor(o / outStrides[d]!) % outShape[d]!) % shape[d]!) * inStrides[d]!;
    out.push(data[src]!);
  }
  return { shape: outShape, data: out };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const RANGE: Record<string, [number, number]> = {
  float32: [-1000, 1000], float16: [-1000, 1000], int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

forEachBackend('tile', (backend) => {
  const cases: [number[], number[]][] = [
    [[], []], [[3], [2]], [[3], [1]], [[2, 3], [1, 1]], [[2, 3], [2, 3]], [[1, 2, 1], [3, 1, 2]],
    [[2, 1, 2, 1, 2], [1, 2, 1, 3, 2]], [[1, 1, 1, 1, 1], [2, 1, 3, 1, 2]], [[2, 2, 3, 2], [2, 1, 1, 2]], [[1], [5]],
  ];
  for (const dataType of TYPES) {
    for (const [shape, repetitions] of cases) {
      it(`${dataType} [${shape}] repetitions [${repetitions}]`, async () => {
        const [lo, hi] = RANGE[dataType]!;
        const data = representable(randomData(size(shape), 13, lo, hi), dataType);
        const result = await runGraph(backend, { x: { dataType, shape, data } },
          (b, { x }) => ({ out: tileOf(b)(x!, repetitions) }));
        assertClose(result['out']!, tileReference(data, shape, repetitions));
      });
    }
  }

  it('int32 extremes and float specials are copied exactly', async () => {
    const ints = [2147483647, -2147483648, 16777217, -16777217];
    const r1 = await runGraph(backend, { x: { dataType: 'int32', shape: [2, 2], data: ints } },
      (b, { x }) => ({ out: tileOf(b)(x!, [2, 3]) }));
    assertClose(r1['out']!, tileReference(ints, [2, 2], [2, 3]));
    const floats = [NaN, Infinity, -Infinity, -0];
    const r2 = await runGraph(backend, { x: { dataType: 'float32', shape: [4], data: floats } },
      (b, { x }) => ({ out: tileOf(b)(x!, [2]) }));
    assertClose(r2['out']!, tileReference(floats, [4], [2]));
    if (!Object.is(r2['out']!.data[7], -0)) throw new Error(`-0 became ${r2['out']!.data[7]}`);
  });

  it('repetitions are unsigned longs without [EnforceRange]: they wrap modulo 2^32', async () => {
    const result = await runGraph(backend, { x: { dataType: 'float32', shape: [2], data: [1, 2] } },
      (b, { x }) => ({ out: tileOf(b)(x!, [2 ** 32 + 2]) }));
    assertClose(result['out']!, { shape: [4], data: [1, 2, 1, 2] });
  });

  it('reports the required types', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as
      Record<string, { input: { dataTypes: string[] }; output: { dataTypes: string[] } }>;
    for (const t of ['float32', 'float16', 'int32']) {
      if (!limits['tile']!.input.dataTypes.includes(t)) throw new Error(`input lacks ${t}`);
      if (!limits['tile']!.output.dataTypes.includes(t)) throw new Error(`output lacks ${t}`);
    }
  });

  it('validation', async () => {
    const b = await builderFor(backend);
    const f = tileOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    const fails = (input: MLOperand, repetitions: unknown) => assertThrows(() => f(input, repetitions as number[]), 'TypeError', /^tile/);
    await fails(x, [2]);
    await fails(x, [1, 1, 1]);
    await fails(x, [1, 0]);
    await fails(x, [2 ** 32, 1]); // wraps to 0
    await fails(x, [-1, 1]); // wraps to 2^32 - 1: far too large
    await fails(x, [2 ** 20, 2 ** 20]);
    await fails(x, 2);
    await fails({} as MLOperand, [1, 1]);
    await fails((await builderFor(backend)).input('x', { dataType: 'float32', shape: [2] }), [1]);
    await assertThrows(() => (f as unknown as (x: MLOperand) => MLOperand)(x), 'TypeError');
    const y = f(b.input('y', { dataType: 'int32', shape: [3, 1] }), [2, 5]);
    if (y.dataType !== 'int32' || y.shape.join() !== '6,5') throw new Error(`${y.dataType} [${y.shape}]`);
  });
});
