import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size, strides,
} from '../util/harness.js';

type CumulativeSum = (input: MLOperand, axis: number, options?: object) => MLOperand;
const cumulativeSumOf = (b: MLGraphBuilder) => (b as unknown as { cumulativeSum: CumulativeSum }).cumulativeSum.bind(b);

interface Options {
  exclusive?: boolean;
  reversed?: boolean;
}

/** Running sums along `axis` in float64, or in exact integers wrapped to int32. */
function cumulativeSumReference(data: readonly number[], shape: readonly number[], axis: number, options: Options,
  isInt: boolean): number[] {
  const st = strides(shape);
  const n = shape[axis]!;
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    const k = Math.floor(i / st[axis]!) % n;
    const lineStart = i - k * st[axis]!;
    const from = options.reversed ? k : 0;
    const to = options.reversed ? n - 1 : k;
    let sum = 0n;
    let fsum = 0;
    for (let j = from; j <= to; j++) {
      if (options.exclusive && j === k) continue;
      const v = data[lineStart + j * st[axis]!]!;
      if (isInt) sum += BigInt(v);
      else fsum += v;
    }
    out[i] = isInt ? Number(BigInt.asIntN(32, sum)) : fsum;
  }
  return out;
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32'];
const OPTIONS: Options[] = [{}, { exclusive: true }, { reversed: true }, { exclusive: true, reversed: true }];
const describeOptions = (o: Options) => (o.exclusive ? ' exclusive' : '') + (o.reversed ? ' reversed' : '');

/**
 * Test data: float values are multiples of 1/64 in [-4, 4], whose sums float32 holds exactly (no summation-order
 * effects); int32 values span the whole range, so the sums wrap.
 */
function dataFor(dataType: MLOperandDataType, count: number, seed: number): number[] {
  if (dataType === 'int32') return representable(randomData(count, seed, -2147483648, 2147483647), 'int32');
  return randomData(count, seed, -256, 256).map((v) => Math.round(v) / 64);
}

forEachBackend('cumulativeSum', (backend) => {
  const cases: [number[], number][] = [
    [[4], 0], [[1], 0], [[3, 4], 0], [[3, 4], 1], [[2, 3, 4], 1], [[2, 3, 4], 2], [[2, 3, 2, 2, 3], 0],
    [[2, 3, 2, 2, 3], 2], [[2, 3, 2, 2, 3], 4], [[2, 1, 5, 1, 2], 2], [[17], 0],
  ];
  for (const dataType of TYPES) {
    for (const [shape, axis] of cases) {
      for (const options of OPTIONS) {
        it(`${dataType} [${shape}] axis ${axis}${describeOptions(options)}`, async () => {
          const data = dataFor(dataType, size(shape), 5 + axis);
          const exact = cumulativeSumReference(data, shape, axis, options, dataType === 'int32');
          const expected = dataType === 'float16' ? representable(exact, 'float16') : exact;
          const result = await runGraph(backend, { x: { dataType, shape, data } },
            (b, { x }) => ({ out: cumulativeSumOf(b)(x!, axis, options) }));
          assertClose(result['out']!, { shape, data: expected });
        });
      }
    }
  }

  it('the spec\'s examples: [1, 2, 3, 4]', async () => {
    const expected: [Options, number[]][] = [
      [{}, [1, 3, 6, 10]], [{ exclusive: true }, [0, 1, 3, 6]], [{ reversed: true }, [10, 9, 7, 4]],
      [{ exclusive: true, reversed: true }, [9, 7, 4, 0]],
    ];
    for (const [options, want] of expected) {
      const result = await runGraph(backend, { x: { dataType: 'float32', shape: [4], data: [1, 2, 3, 4] } },
        (b, { x }) => ({ out: cumulativeSumOf(b)(x!, 0, options) }));
      assertClose(result['out']!, { shape: [4], data: want }, undefined, JSON.stringify(options));
    }
  });

  it('float32 sums with rounding (random values)', async () => {
    const shape = [3, 6];
    const data = representable(randomData(size(shape), 19, 0.5, 4), 'float32');
    for (const options of OPTIONS) {
      const result = await runGraph(backend, { x: { dataType: 'float32', shape, data } },
        (b, { x }) => ({ out: cumulativeSumOf(b)(x!, 1, options) }));
      assertClose(result['out']!, { shape, data: cumulativeSumReference(data, shape, 1, options, false) }, undefined,
        describeOptions(options));
    }
  });

  it('int32 sums wrap around', async () => {
    const data = [2147483647, 1, 2147483647, -2147483648, -1, -2147483648, 16777217, 16777217];
    for (const options of OPTIONS) {
      const result = await runGraph(backend, { x: { dataType: 'int32', shape: [8], data } },
        (b, { x }) => ({ out: cumulativeSumOf(b)(x!, 0, options) }));
      assertClose(result['out']!, { shape: [8], data: cumulativeSumReference(data, [8], 0, options, true) }, undefined,
        describeOptions(options));
    }
  });

  it('float infinities and NaN propagate', async () => {
    const data = [1, Infinity, 2, -Infinity, 3, NaN, 4];
    const result = await runGraph(backend, { x: { dataType: 'float32', shape: [7], data } },
      (b, { x }) => ({ out: cumulativeSumOf(b)(x!, 0) }));
    assertClose(result['out']!, { shape: [7], data: [1, Infinity, Infinity, NaN, NaN, NaN, NaN] });
  });

  it('reports the required types', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as
      Record<string, { input: { dataTypes: string[] }; output: { dataTypes: string[] } }>;
    for (const t of TYPES) {
      if (!limits['cumulativeSum']!.input.dataTypes.includes(t)) throw new Error(`input lacks ${t}`);
      if (!limits['cumulativeSum']!.output.dataTypes.includes(t)) throw new Error(`output lacks ${t}`);
    }
  });

  it('axis is an unsigned long without [EnforceRange]: it wraps modulo 2^32', async () => {
    const data = [1, 2, 3, 4, 5, 6];
    const result = await runGraph(backend, { x: { dataType: 'float32', shape: [2, 3], data } },
      (b, { x }) => ({ out: cumulativeSumOf(b)(x!, 2 ** 32 + 1) }));
    assertClose(result['out']!, { shape: [2, 3], data: [1, 3, 6, 4, 9, 15] });
  });

  it('validation', async () => {
    const b = await builderFor(backend);
    const f = cumulativeSumOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    await assertThrows(() => f(x, 2), 'TypeError', /^cumulativeSum/);
    await assertThrows(() => f(x, -1), 'TypeError', /^cumulativeSum/);
    await assertThrows(() => f(b.input('s', { dataType: 'float32', shape: [] }), 0), 'TypeError', /^cumulativeSum/);
    for (const dataType of ['int8', 'uint8'] as const) {
      await assertThrows(() => f(b.input(dataType, { dataType, shape: [3] }), 0), 'TypeError', /^cumulativeSum/);
    }
    const other = (await builderFor(backend)).input('x', { dataType: 'float32', shape: [2] });
    await assertThrows(() => f(other, 0), 'TypeError', /^cumulativeSum/);
    await assertThrows(() => f(x, 0, 1 as unknown as object), 'TypeError', /^cumulativeSum/);
    await assertThrows(() => (f as unknown as (x: MLOperand) => MLOperand)(x), 'TypeError');
    const y = f(x, 1, { exclusive: true });
    if (y.dataType !== 'float32' || y.shape.join() !== '2,3') throw new Error(`${y.dataType} [${y.shape}]`);
  });
});
