import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, broadcastTo, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size,
} from '../util/harness.js';

type Expand = (input: MLOperand, newShape: number[], options?: object) => MLOperand;
const expandOf = (b: MLGraphBuilder) => (b as unknown as { expand: Expand }).expand.bind(b);

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const RANGE: Record<string, [number, number]> = {
  float32: [-1000, 1000], float16: [-1000, 1000], int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

forEachBackend('expand', (backend) => {
  const cases: [number[], number[]][] = [
    [[], []], [[], [2, 3]], [[3], [2, 3]], [[2, 1], [2, 3]], [[1], [1]], [[2, 3], [2, 3]], [[1, 3, 1], [2, 2, 3, 4]],
    [[1, 1, 1, 1], [2, 1, 3, 2, 2]], [[2, 1, 3, 1, 1], [2, 2, 3, 2, 2]], [[4], [2, 1, 1, 3, 4]], [[], [1, 1, 1, 1, 1]],
    [[3, 1], [3, 1]],
  ];
  for (const dataType of TYPES) {
    for (const [from, to] of cases) {
      it(`${dataType} [${from}] -> [${to}]`, async () => {
        const [lo, hi] = RANGE[dataType]!;
        const data = representable(randomData(size(from), 3, lo, hi), dataType);
        const result = await runGraph(backend, { x: { dataType, shape: from, data } },
          (b, { x }) => ({ out: expandOf(b)(x!, to) }));
        assertClose(result['out']!, { shape: to, data: broadcastTo(data, from, to) });
      });
    }
  }

  it('int32 extremes and float specials are copied exactly', async () => {
    const ints = [2147483647, -2147483648, 16777217, -16777217];
    const r1 = await runGraph(backend, { x: { dataType: 'int32', shape: [4, 1], data: ints } },
      (b, { x }) => ({ out: expandOf(b)(x!, [2, 4, 3]) }));
    assertClose(r1['out']!, { shape: [2, 4, 3], data: broadcastTo(ints, [4, 1], [2, 4, 3]) });
    const floats = [NaN, Infinity, -Infinity, -0];
    const r2 = await runGraph(backend, { x: { dataType: 'float32', shape: [1, 4], data: floats } },
      (b, { x }) => ({ out: expandOf(b)(x!, [3, 4]) }));
    assertClose(r2['out']!, { shape: [3, 4], data: broadcastTo(floats, [1, 4], [3, 4]) });
    if (!Object.is(r2['out']!.data[3], -0)) throw new Error(`-0 became ${r2['out']!.data[3]}`);
  });

  it('reports the required types', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as
      Record<string, { input: { dataTypes: string[] }; output: { dataTypes: string[] } }>;
    for (const t of ['float32', 'float16', 'int32']) {
      if (!limits['expand']!.input.dataTypes.includes(t)) throw new Error(`input lacks ${t}`);
      if (!limits['expand']!.output.dataTypes.includes(t)) throw new Error(`output lacks ${t}`);
    }
  });

  it('output operand shape is newShape', async () => {
    const b = await builderFor(backend);
    const y = expandOf(b)(b.input('x', { dataType: 'int8', shape: [3, 1] }), [2, 3, 5]);
    if (y.dataType !== 'int8' || y.shape.join() !== '2,3,5') throw new Error(`${y.dataType} [${y.shape}]`);
  });

  it('validation', async () => {
    const b = await builderFor(backend);
    const f = expandOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    const fails = (from: MLOperand, to: unknown) => assertThrows(() => f(from, to as number[]), 'TypeError', /^expand/);
    await fails(x, [2, 4]);
    await fails(x, [3, 2]);
    await fails(x, [3]);
    await fails(x, []);
    await fails(x, [4, 2, 3, 1]);
    await fails(b.input('y', { dataType: 'float32', shape: [1, 3] }), [2, 0]);
    await fails(b.input('z', { dataType: 'float32', shape: [1] }), [1, 2, 1, 1, 1, 1, 1]);
    await fails(x, [2, -3]);
    await fails(x, [2, 2 ** 32 + 3]);
    await fails(x, 6);
    await fails({} as MLOperand, [2, 3]);
    await fails((await builderFor(backend)).input('x', { dataType: 'float32', shape: [2] }), [2]);
    await assertThrows(() => (f as unknown as (x: MLOperand) => MLOperand)(x), 'TypeError');
  });
});
