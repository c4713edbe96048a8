import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size } from '../util/harness.js';

type Reshape = (input: MLOperand, newShape: unknown, options?: object) => MLOperand;
const reshapeOf = (b: MLGraphBuilder) => (b as unknown as { reshape: Reshape }).reshape.bind(b);

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const rangeFor = (t: MLOperandDataType): [number, number] => (t === 'uint8' ? [0, 255] : t === 'int8' ? [-128, 127] : [-1000, 1000]);

forEachBackend('reshape', (backend) => {
  const cases: [number[], number[]][] = [
    [[2, 3], [3, 2]], [[2, 3], [6]], [[6], [1, 2, 1, 3, 1]], [[1], []], [[], [1, 1]], [[], []], [[2, 3, 4], [4, 6]],
    [[1, 2, 1, 3, 2], [12]],
  ];
  for (const dataType of TYPES) {
    for (const [from, to] of cases) {
      it(`${dataType} [${from}] -> [${to}]`, async () => {
        const [lo, hi] = rangeFor(dataType);
        const data = representable(randomData(size(from), 5, lo, hi), dataType);
        const result = await runGraph(backend, { x: { dataType, shape: from, data } },
          (b, { x }) => ({ out: reshapeOf(b)(x!, to) }));
        // Row-major order is unchanged: the reference is the same data under the new shape.
        assertClose(result['out']!, { shape: to, data });
      });
    }
  }

  it('rejects invalid new shapes', async () => {
    const b = await builderFor(backend);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    const r = reshapeOf(b);
    await assertThrows(() => r(x, [4, 2]), 'TypeError', 'reshape');
    await assertThrows(() => r(x, [6, 0]), 'TypeError', 'reshape');
    await assertThrows(() => r(x, []), 'TypeError', 'reshape');
    await assertThrows(() => r(x, [1, 1, 1, 1, 1, 1, 1, 2, 3]), 'TypeError', 'reshape');
    await assertThrows(() => r(x, [-6]), 'TypeError', 'reshape');
    await assertThrows(() => r(x, 6), 'TypeError', 'reshape');
    await assertThrows(() => r(x, [2 ** 32, 1]), 'TypeError', 'reshape');
  });
});
