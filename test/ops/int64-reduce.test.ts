/**
 * Reductions (L1, Sum, SumSquare, Product, Max, Min) and cumulativeSum of uint32, int64 and uint64, exact and wrapping,
 * against BigInt references written here.
 */
import { forEachBackend } from '../util/harness.js';
import { assertExact, runExact, type Element, type ExactValue } from '../util/exact.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';

type Method = (...args: unknown[]) => MLOperand;
const call = (builder: unknown, op: string, ...args: unknown[]) => (builder as Record<string, Method>)[op]!.call(builder, ...args);

const BITS: Record<string, bigint> = { uint32: 32n, int64: 64n, uint64: 64n };

function wrap(v: bigint, t: MLOperandDataType): Element {
  const m = 2n ** BITS[t]!;
  let r = ((v % m) + m) % m;
  if (t === 'int64' && r >= m / 2n) r -= m;
  return t === 'uint32' ? Number(r) : r;
}

const DATA: Record<string, Element[]> = {
  int64: [2n ** 62n, 2n ** 62n + 3n, -(2n ** 53n) - 1n, -5n, 2n ** 32n + 1n, 7n, -(2n ** 63n), 2n ** 63n - 1n, 3n, -1n, 2n ** 40n, 9n],
  uint64: [2n ** 63n, 2n ** 63n + 3n, 2n ** 53n + 1n, 5n, 2n ** 32n + 1n, 7n, 2n ** 64n - 1n, 1n, 3n, 2n ** 33n, 2n ** 40n, 9n],
  uint32: [2 ** 31, 2 ** 31 + 3, 3000000000, 5, 65537, 7, 2 ** 32 - 1, 1, 3, 2 ** 20, 123456789, 9],
};

const REFERENCES: Record<string, { map: (v: bigint) => bigint; step: (a: bigint, v: bigint) => bigint }> = {
  reduceL1: { map: (v) => (v < 0n ? -v : v), step: (a, v) => a + v },
  reduceSum: { map: (v) => v, step: (a, v) => a + v },
  reduceSumSquare: { map: (v) => v * v, step: (a, v) => a + v },
  reduceProduct: { map: (v) => v, step: (a, v) => a * v },
  reduceMax: { map: (v) => v, step: (a, v) => (v > a ? v : a) },
  reduceMin: { map: (v) => v, step: (a, v) => (v < a ? v : a) },
};

/** x of shape [2, 3, 2] reduced over `axes` (output keeps the order of the remaining axes). */
function reduce(data: readonly Element[], axes: readonly number[], op: string, t: MLOperandDataType): Element[] {
  const kept = [0, 1, 2].filter((d) => !axes.includes(d));
  const groups = new Map<string, bigint[]>();
  data.forEach((v, i) => {
    const c = [Math.floor(i / 6), Math.floor(i / 2) % 3, i % 2];
    const key = kept.map((d) => c[d]).join(',');
    groups.set(key, [...(groups.get(key) ?? []), BigInt(v)]);
  });
  const { map, step } = REFERENCES[op]!;
  return [...groups.values()].map((values) => wrap(values.map(map).reduce(step), t));
}

forEachBackend('uint32 / int64 / uint64 reductions and cumulativeSum', (backend) => {
  for (const t of ['int64', 'uint64', 'uint32'] as const) {
    const x: ExactValue = { dataType: t, shape: [2, 3, 2], data: DATA[t]! };
    for (const op of Object.keys(REFERENCES)) {
      it(`${t}: ${op} over all, some and no axes, keepDimensions`, async () => {
        const axesCases: number[][] = [[0, 1, 2], [1], [0, 2], []];
        const r = await runExact(backend, { x }, (b, inputs) => Object.fromEntries([
          ...axesCases.map((axes, i) => [`a${i}`, call(b, op, inputs['x'], { axes })]),
          ['kept', call(b, op, inputs['x'], { axes: [2], keepDimensions: true })],
          ['default', call(b, op, inputs['x'])],
        ]));
        axesCases.forEach((axes, i) => assertExact(r[`a${i}`]!.data, reduce(x.data, axes, op, t), `axes [${axes}]`));
        assertExact(r['kept']!.shape, [2, 3, 1]);
        assertExact(r['kept']!.data, reduce(x.data, [2], op, t));
        assertExact(r['default']!.data, reduce(x.data, [0, 1, 2], op, t));
      });
    }

    it(`${t}: cumulativeSum along each axis, exclusive and reversed, wrapping`, async () => {
      const cases = [[0, false, false], [1, true, false], [2, false, true], [1, true, true]] as const;
      const r = await runExact(backend, { x }, (b, inputs) => Object.fromEntries(cases.map(([axis, exclusive, reversed], i) =>
        [`c${i}`, call(b, 'cumulativeSum', inputs['x'], axis, { exclusive, reversed })])));
      const shape = [2, 3, 2];
      cases.forEach(([axis, exclusive, reversed], i) => {
        const expected = x.data.map((_, at) => {
          const c = [Math.floor(at / 6), Math.floor(at / 2) % 3, at % 2];
          let sum = 0n;
          for (let k = 0; k < shape[axis]!; k++) {
            const include = reversed ? (exclusive ? k > c[axis]! : k >= c[axis]!) : (exclusive ? k < c[axis]! : k <= c[axis]!);
            if (!include) continue;
            const other = [...c];
            other[axis] = k;
            sum += BigInt(x.data[other[0]! * 6 + other[1]! * 2 + other[2]!]!);
          }
          return wrap(sum, t);
        });
        assertExact(r[`c${i}`]!.data, expected, `case ${i}`);
      });
    });
  }
});
