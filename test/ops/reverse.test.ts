import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size, strides,
} from '../util/harness.js';

type Reverse = (input: MLOperand, options?: object) => MLOperand;
const reverseOf = (b: MLGraphBuilder) => (b as unknown as { reverse: Reverse }).reverse.bind(b);

/** out[c] = in[c'] where c'[d] = shape[d] - 1 - c[d] on the reversed axes. */
function reverseReference(data: readonly number[], shape: readonly number[], axes: readonly number[]): number[] {
  const st = strides(shape);
  return data.map((_, i) => {
    let src = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(i / st[d]!) % shape[d]!;
      src += (axes.includes(d) ? shape[d]! - 1 - c : c) * st[d]!;
    }
    return data[src]!;
  });
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const RANGE: Record<string, [number, number]> = {
  float32: [-1000, 1000], float16: [-1000, 1000], int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

forEachBackend('reverse', (backend) => {
  const cases: [number[], number[] | undefined][] = [
    [[], undefined], [[], []], [[5], undefined], [[5], []], [[5], [0]], [[2, 3], [0]], [[2, 3], [1]], [[2, 3], undefined],
    [[2, 3, 4], [0, 2]], [[2, 3, 4], [2, 0]], [[2, 3, 4], [1]], [[2, 1, 3], [1]], [[2, 1, 3], [0, 1]],
    [[2, 3, 2, 2, 3], undefined], [[2, 3, 2, 2, 3], [0, 2, 4]], [[2, 3, 2, 2, 3], [1, 3]], [[2, 3, 2, 2, 3], [1, 2]],
    [[2, 3, 2, 2, 3], [4, 0]], [[3, 2, 1, 2, 2], [0, 2, 4]], [[2, 2, 2, 2], [0, 2]], [[1, 1], undefined],
  ];
  for (const dataType of TYPES) {
    for (const [shape, axes] of cases) {
      it(`${dataType} [${shape}] axes ${axes ? `[${axes}]` : 'default'}`, async () => {
        const [lo, hi] = RANGE[dataType]!;
        const data = representable(randomData(size(shape), 9, lo, hi), dataType);
        const result = await runGraph(backend, { x: { dataType, shape, data } },
          (b, { x }) => ({ out: reverseOf(b)(x!, axes ? { axes } : undefined) }));
        const all = shape.map((_, i) => i);
        assertClose(result['out']!, { shape, data: reverseReference(data, shape, axes ?? all) });
      });
    }
  }

  it('int32 extremes and float specials move unchanged', async () => {
    const ints = [2147483647, -2147483648, 16777217, -16777217, 123456789, 0];
    const r1 = await runGraph(backend, { x: { dataType: 'int32', shape: [2, 3], data: ints } },
      (b, { x }) => ({ out: reverseOf(b)(x!, { axes: [1] }) }));
    assertClose(r1['out']!, { shape: [2, 3], data: reverseReference(ints, [2, 3], [1]) });
    const floats = [NaN, Infinity, -Infinity, -0];
    const r2 = await runGraph(backend, { x: { dataType: 'float32', shape: [4], data: floats } },
      (b, { x }) => ({ out: reverseOf(b)(x!) }));
    assertClose(r2['out']!, { shape: [4], data: [-0, -Infinity, Infinity, NaN] });
    if (!Object.is(r2['out']!.data[0], -0)) throw new Error(`-0 became ${r2['out']!.data[0]}`);
  });

  it('reports the required types', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as
      Record<string, { input: { dataTypes: string[] }; output: { dataTypes: string[] } }>;
    for (const t of ['float32', 'float16', 'int32']) {
      if (!limits['reverse']!.input.dataTypes.includes(t)) throw new Error(`input lacks ${t}`);
      if (!limits['reverse']!.output.dataTypes.includes(t)) throw new Error(`output lacks ${t}`);
    }
  });

  it('validation', async () => {
    const b = await builderFor(backend);
    const f = reverseOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    const fails = (input: MLOperand, options: unknown) => assertThrows(() => f(input, options as object), 'TypeError', /^reverse/);
    await fails(x, { axes: [2] });
    await fails(x, { axes: [0, 0] });
    await fails(x, { axes: [-1] });
    await fails(x, { axes: [0, 1, 2] });
    await fails(x, { axes: 1 });
    await fails(b.input('s', { dataType: 'float32', shape: [] }), { axes: [0] });
    await fails(x, 3);
    await fails({} as MLOperand, {});
    await fails((await builderFor(backend)).input('x', { dataType: 'float32', shape: [2] }), {});
    const y = f(b.input('y', { dataType: 'uint8', shape: [3, 4] }), { axes: [1] });
    if (y.dataType !== 'uint8' || y.shape.join() !== '3,4') throw new Error(`${y.dataType} [${y.shape}]`);
  });
});
