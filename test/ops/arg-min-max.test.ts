import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size, strides,
} from '../util/harness.js';

type ArgMinMax = (input: MLOperand, axis: number, options?: object) => MLOperand;
const opOf = (b: MLGraphBuilder, op: string) => (b as unknown as Record<string, ArgMinMax>)[op]!.bind(b);

/** Index of the first smallest (argMin) or largest (argMax) value along `axis`, for every other coordinate. */
function argReference(op: string, data: readonly number[], shape: readonly number[], axis: number, keep: boolean) {
  const keptShape = shape.map((d, i) => (i === axis ? 1 : d));
  const outShape = keep ? keptShape : shape.filter((_, i) => i !== axis);
  const inStrides = strides(shape);
  const out: number[] = [];
  for (let o = 0; o < size(keptShape); o++) {
    // The input offset of the first entry of this line along `axis`.
    let base = 0;
    let rem = o;
    const keptStrides = strides(keptShape);
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(rem / keptStrides[d]!);
      rem %= keptStrides[d]!;
      base += c * inStrides[d]!;
    }
    let best = 0;
    for (let k = 1; k < shape[axis]!; k++) {
      const v = data[base + k * inStrides[axis]!]!;
      const b = data[base + best * inStrides[axis]!]!;
      if (op === 'argMin' ? v < b : v > b) best = k;
    }
    out.push(best);
  }
  return { shape: outShape, data: out };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const RANGE: Partial<Record<MLOperandDataType, [number, number]>> = {
  float32: [-100, 100], float16: [-100, 100], int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

forEachBackend('argMin/argMax', (backend) => {
  const cases: [number[], number][] = [
    [[5], 0], [[3, 4], 0], [[3, 4], 1], [[2, 3, 4], 1], [[2, 3, 4], 2], [[2, 1, 3, 2, 2], 4], [[2, 3, 1, 2, 3], 0],
    [[2, 3, 2, 2, 3], 2], [[1], 0], [[4, 1], 1],
  ];
  for (const op of ['argMin', 'argMax']) {
    for (const dataType of TYPES) {
      for (const [shape, axis] of cases) {
        for (const keepDimensions of [false, true]) {
          it(`${op} ${dataType} [${shape}] axis ${axis}${keepDimensions ? ' keepDimensions' : ''}`, async () => {
            const [lo, hi] = RANGE[dataType]!;
            const data = representable(randomData(size(shape), 7 + axis, lo, hi), dataType);
            const result = await runGraph(backend, { x: { dataType, shape, data } },
              (b, { x }) => ({ out: opOf(b, op)(x!, axis, { keepDimensions }) }));
            if (result['out']!.dataType !== 'int32') throw new Error(`output data type ${result['out']!.dataType}`);
            assertClose(result['out']!, argReference(op, data, shape, axis, keepDimensions));
          });
        }
      }
    }

    it(`${op}: ties give the first index`, async () => {
      // Every row holds its extreme value more than once; small integers make ties everywhere.
      const shape = [4, 6];
      const data = [
        3, 1, 3, 1, 2, 3,
        0, 0, 0, 0, 0, 0,
        -5, 7, 7, -5, 7, -5,
        2, 9, 2, 9, 2, 9,
      ];
      for (const axis of [0, 1]) {
        const result = await runGraph(backend, { x: { dataType: 'float32', shape, data } },
          (b, { x }) => ({ out: opOf(b, op)(x!, axis) }));
        assertClose(result['out']!, argReference(op, data, shape, axis, false), undefined, `axis ${axis}`);
      }
      const long = Array.from({ length: 300 }, (_, i) => (i % 7 === 3 ? 5 : i % 5 === 1 ? -5 : 0));
      const result = await runGraph(backend, { x: { dataType: 'float32', shape: [300], data: long } },
        (b, { x }) => ({ out: opOf(b, op)(x!, 0) }));
      assertClose(result['out']!, argReference(op, long, [300], 0, false), undefined, 'a long axis');
    });

    it(`${op}: infinities and signed zeros`, async () => {
      const data = [0, -0, Infinity, -Infinity, 3, -Infinity, Infinity, 1e30];
      const result = await runGraph(backend, { x: { dataType: 'float32', shape: [8], data } },
        (b, { x }) => ({ out: opOf(b, op)(x!, 0, { keepDimensions: true }) }));
      assertClose(result['out']!, { shape: [1], data: [op === 'argMin' ? 3 : 2] });
    });

    it(`${op}: int32 values beyond 2^24 are told apart`, async () => {
      const data = [16777216, 16777217, -16777217, -16777216, 2147483647, 2147483646, -2147483648, -2147483647,
        123456789, 123456788, 123456790, 16777218];
      for (const shape of [[12], [3, 4], [4, 3]]) {
        for (let axis = 0; axis < shape.length; axis++) {
          const result = await runGraph(backend, { x: { dataType: 'int32', shape, data } },
            (b, { x }) => ({ out: opOf(b, op)(x!, axis) }));
          assertClose(result['out']!, argReference(op, data, shape, axis, false), undefined, `[${shape}] axis ${axis}`);
        }
      }
    });
  }

  it('reports the output types int32 and int64, and the required input types', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as
      Record<string, { input: { dataTypes: string[]; rankRange: { min: number; max: number } }; output: { dataTypes: string[] } }>;
    for (const op of ['argMin', 'argMax']) {
      const l = limits[op]!;
      if (l.output.dataTypes.join() !== 'int32,int64') throw new Error(`${op} output ${l.output.dataTypes}`);
      for (const t of ['float32', 'float16', 'int32']) if (!l.input.dataTypes.includes(t)) throw new Error(`${op} lacks ${t}`);
      if (l.input.rankRange.min !== 1 || l.input.rankRange.max < 5) throw new Error(`${op} ranks ${JSON.stringify(l.input.rankRange)}`);
    }
  });

  it('output operand: int32, reduced or kept axis', async () => {
    const b = await builderFor(backend);
    const x = b.input('x', { dataType: 'float16', shape: [2, 3, 4] });
    const y = opOf(b, 'argMax')(x, 1);
    const z = opOf(b, 'argMin')(x, 2, { keepDimensions: true, outputDataType: 'int32' });
    if (y.dataType !== 'int32' || y.shape.join() !== '2,4') throw new Error(`${y.dataType} [${y.shape}]`);
    if (z.dataType !== 'int32' || z.shape.join() !== '2,3,1') throw new Error(`${z.dataType} [${z.shape}]`);
  });

  for (const op of ['argMin', 'argMax']) {
    it(`${op} validation`, async () => {
      const b = await builderFor(backend);
      const f = opOf(b, op);
      const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
      const pattern = new RegExp(`^${op}`);
      await assertThrows(() => f(x, 2), 'TypeError', pattern);
      await assertThrows(() => f(x, -1), 'TypeError', pattern);
      await assertThrows(() => f(x, NaN), 'TypeError', pattern);
      await assertThrows(() => f(x, 2 ** 32), 'TypeError', pattern);
      for (const outputDataType of ['uint32', 'float32', 'uint8', 'int8', 'float16', 'uint64']) {
        await assertThrows(() => f(x, 0, { outputDataType }), 'TypeError', pattern);
      }
      await assertThrows(() => f(x, 0, { outputDataType: 'int33' }), 'TypeError', pattern);
      const scalar = b.input('s', { dataType: 'float32', shape: [] });
      await assertThrows(() => f(scalar, 0), 'TypeError', pattern);
      const other = (await builderFor(backend)).input('x', { dataType: 'float32', shape: [2] });
      await assertThrows(() => f(other, 0), 'TypeError', pattern);
      await assertThrows(() => f({} as MLOperand, 0), 'TypeError', pattern);
      await assertThrows(() => f(x, 0, 5 as unknown as object), 'TypeError', pattern);
      await assertThrows(() => (f as unknown as (x: MLOperand) => MLOperand)(x), 'TypeError');
    });
  }
});
