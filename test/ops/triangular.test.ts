import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size,
} from '../util/harness.js';

type Triangular = (input: MLOperand, options?: object) => MLOperand;
const triangularOf = (b: MLGraphBuilder) => (b as unknown as { triangular: Triangular }).triangular.bind(b);

interface Options {
  upper?: boolean;
  diagonal?: number;
}

/** Keeps entry (i, j) of each matrix when j - i >= diagonal (upper) or j - i <= diagonal (lower); zero elsewhere. */
function triangularReference(data: readonly number[], shape: readonly number[], options: Options): number[] {
  const rows = shape[shape.length - 2]!;
  const columns = shape[shape.length - 1]!;
  const upper = options.upper ?? true;
  const diagonal = options.diagonal ?? 0;
  return data.map((v, index) => {
    const j = index % columns;
    const i = Math.floor(index / columns) % rows;
    return (upper ? j - i >= diagonal : j - i <= diagonal) ? v : 0;
  });
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const RANGE: Record<string, [number, number]> = {
  float32: [-1000, 1000], float16: [-1000, 1000], int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [1, 255],
};
const describeOptions = (o: Options | undefined) =>
  (o === undefined ? 'default' : `${o.upper === undefined ? '' : o.upper ? 'upper' : 'lower'}${o.diagonal === undefined ? '' : ` diagonal ${o.diagonal}`}`);

forEachBackend('triangular', (backend) => {
  const options: (Options | undefined)[] = [undefined, { upper: true }, { upper: false }];
  for (const upper of [true, false]) for (const diagonal of [-5, -2, -1, 1, 2, 5]) options.push({ upper, diagonal });
  options.push({ diagonal: 1 });
  const shapes = [[3, 3], [3, 5], [5, 3], [2, 3, 3], [2, 1, 2, 3, 4], [1, 1], [4, 1], [1, 4]];
  for (const dataType of TYPES) {
    for (const shape of shapes) {
      for (const o of dataType === 'float32' || shape.length === 2 ? options : options.slice(0, 5)) {
        it(`${dataType} [${shape}] ${describeOptions(o)}`, async () => {
          const [lo, hi] = RANGE[dataType]!;
          const data = representable(randomData(size(shape), 17, lo, hi), dataType);
          const result = await runGraph(backend, { x: { dataType, shape, data } },
            (b, { x }) => ({ out: triangularOf(b)(x!, o) }));
          assertClose(result['out']!, { shape, data: triangularReference(data, shape, o ?? {}) });
        });
      }
    }
  }

  it('the spec\'s examples', async () => {
    const input = [7, 1, 2, 9, 4, 8, 2, 6, 3];
    const examples: [Options, number[]][] = [
      [{}, [7, 1, 2, 0, 4, 8, 0, 0, 3]],
      [{ diagonal: 1 }, [0, 1, 2, 0, 0, 8, 0, 0, 0]],
      [{ diagonal: -1 }, [7, 1, 2, 9, 4, 8, 0, 6, 3]],
      [{ upper: false }, [7, 0, 0, 9, 4, 0, 2, 6, 3]],
      [{ upper: false, diagonal: 1 }, [7, 1, 0, 9, 4, 8, 2, 6, 3]],
      [{ upper: false, diagonal: -1 }, [0, 0, 0, 9, 0, 0, 2, 6, 0]],
    ];
    for (const [o, want] of examples) {
      const result = await runGraph(backend, { x: { dataType: 'float32', shape: [3, 3], data: input } },
        (b, { x }) => ({ out: triangularOf(b)(x!, o) }));
      assertClose(result['out']!, { shape: [3, 3], data: want }, undefined, JSON.stringify(o));
    }
  });

  it('NaN and infinities outside the triangle become 0, inside they stay', async () => {
    const data = [NaN, Infinity, -Infinity, NaN, -0, Infinity, -Infinity, NaN, 1];
    for (const o of [{}, { upper: false }, { diagonal: 3 }, { upper: false, diagonal: -3 }]) {
      const result = await runGraph(backend, { x: { dataType: 'float32', shape: [3, 3], data } },
        (b, { x }) => ({ out: triangularOf(b)(x!, o) }));
      assertClose(result['out']!, { shape: [3, 3], data: triangularReference(data, [3, 3], o) }, undefined, JSON.stringify(o));
    }
  });

  it('int32 values beyond 2^24 stay exact', async () => {
    const data = [2147483647, -2147483648, 16777217, -16777217, 123456789, 2147483646, 1, -1, 16777219];
    for (const o of [{}, { upper: false, diagonal: -1 }]) {
      const result = await runGraph(backend, { x: { dataType: 'int32', shape: [1, 3, 3], data } },
        (b, { x }) => ({ out: triangularOf(b)(x!, o) }));
      assertClose(result['out']!, { shape: [1, 3, 3], data: triangularReference(data, [3, 3], o) }, undefined, JSON.stringify(o));
    }
  });

  it('reports the required types', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as
      Record<string, { input: { dataTypes: string[]; rankRange: { min: number; max: number } }; output: { dataTypes: string[] } }>;
    const l = limits['triangular']!;
    for (const t of ['float32', 'float16']) {
      if (!l.input.dataTypes.includes(t) || !l.output.dataTypes.includes(t)) throw new Error(`lacks ${t}`);
    }
    if (l.input.rankRange.min !== 2 || l.input.rankRange.max < 5) throw new Error(`ranks ${JSON.stringify(l.input.rankRange)}`);
  });

  it('validation', async () => {
    const b = await builderFor(backend);
    const f = triangularOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    const fails = (input: MLOperand, o: unknown) => assertThrows(() => f(input, o as object), 'TypeError', /^triangular/);
    await fails(b.input('v', { dataType: 'float32', shape: [3] }), {});
    await fails(b.input('s', { dataType: 'float32', shape: [] }), {});
    await fails(x, { diagonal: 2 ** 31 });
    await fails(x, { diagonal: -(2 ** 31) - 1 });
    await fails(x, { diagonal: NaN });
    await fails(x, { diagonal: Infinity });
    await fails(x, 1);
    await fails({} as MLOperand, {});
    await fails((await builderFor(backend)).input('x', { dataType: 'float32', shape: [2, 2] }), {});
    const y = f(b.input('y', { dataType: 'int8', shape: [2, 3, 4] }), { upper: false, diagonal: -(2 ** 31) });
    if (y.dataType !== 'int8' || y.shape.join() !== '2,3,4') throw new Error(`${y.dataType} [${y.shape}]`);
  });
});
