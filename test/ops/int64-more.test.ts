/**
 * pad (constant with an exact 64-bit value, edge, reflection), triangular, clamp, relu and prelu on uint32 / int64 / uint64,
 * against references written here.
 */
import { forEachBackend } from '../util/harness.js';
import { assertExact, exactConstant, runExact, type Element, type ExactValue } from '../util/exact.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';

type Method = (...args: unknown[]) => MLOperand;
const call = (builder: unknown, op: string, ...args: unknown[]) => (builder as Record<string, Method>)[op]!.call(builder, ...args);

const DATA: Record<string, Element[]> = {
  int64: [2n ** 62n + 1n, -(2n ** 53n) - 1n, -(2n ** 63n), 2n ** 63n - 1n, 5n, -7n],
  uint64: [2n ** 64n - 1n, 2n ** 53n + 1n, 2n ** 63n, 0n, 5n, 7n],
  uint32: [2 ** 32 - 1, 3000000000, 2 ** 31, 0, 5, 7],
};
const PAD_VALUE: Record<string, { given: number | bigint; stored: Element }> = {
  int64: { given: -(2n ** 60n) - 3n, stored: -(2n ** 60n) - 3n },
  uint64: { given: 2n ** 64n - 2n, stored: 2n ** 64n - 2n },
  uint32: { given: 4000000001, stored: 4000000001 },
};

const zeroOf = (t: MLOperandDataType): Element => (t === 'uint32' ? 0 : 0n);

forEachBackend('uint32 / int64 / uint64 pad, triangular, relu, prelu', (backend) => {
  for (const t of ['int64', 'uint64', 'uint32'] as const) {
    const x: ExactValue = { dataType: t, shape: [2, 3], data: DATA[t]! };
    // Row-major [2, 3] element at (i, j), for the references.
    const at = (i: number, j: number) => x.data[i * 3 + j]!;

    it(`${t}: pad constant (exact value), edge, reflection`, async () => {
      const r = await runExact(backend, { x }, (b, inputs) => ({
        constant: call(b, 'pad', inputs['x'], [1, 0], [0, 2], { value: PAD_VALUE[t]!.given }),
        zero: call(b, 'pad', inputs['x'], [0, 1], [1, 0]),
        edge: call(b, 'pad', inputs['x'], [1, 2], [1, 1], { mode: 'edge' }),
        reflection: call(b, 'pad', inputs['x'], [1, 2], [0, 1], { mode: 'reflection' }),
      }));
      const fill = PAD_VALUE[t]!.stored;
      const constant: Element[] = [];
      for (let i = -1; i < 2; i++) for (let j = 0; j < 5; j++) constant.push(i >= 0 && j < 3 ? at(i, j) : fill);
      assertExact(r['constant']!.data, constant, 'constant');
      const zero: Element[] = [];
      for (let i = 0; i < 3; i++) for (let j = -1; j < 3; j++) zero.push(i < 2 && j >= 0 ? at(i, j) : zeroOf(t));
      assertExact(r['zero']!.data, zero, 'zero');
      const clampTo = (v: number, n: number) => Math.min(Math.max(v, 0), n - 1);
      const reflect = (v: number, n: number) => (v < 0 ? -v : v >= n ? 2 * (n - 1) - v : v);
      const edge: Element[] = [];
      for (let i = -1; i < 3; i++) for (let j = -2; j < 4; j++) edge.push(at(clampTo(i, 2), clampTo(j, 3)));
      assertExact(r['edge']!.data, edge, 'edge');
      const reflection: Element[] = [];
      for (let i = -1; i < 2; i++) for (let j = -2; j < 4; j++) reflection.push(at(reflect(i, 2), reflect(j, 3)));
      assertExact(r['reflection']!.data, reflection, 'reflection');
    });

    it(`${t}: triangular upper and lower with diagonals, of an input and a constant`, async () => {
      const cases = [[true, 0], [false, 0], [true, 1], [false, -1], [true, -5], [false, -5]] as const;
      const r = await runExact(backend, { x }, (b, inputs) => Object.fromEntries(cases.flatMap(([upper, diagonal], i) => [
        [`t${i}`, call(b, 'triangular', inputs['x'], { upper, diagonal })],
        [`c${i}`, call(b, 'triangular', exactConstant(b, x), { upper, diagonal })],
      ])));
      cases.forEach(([upper, diagonal], i) => {
        const expected = x.data.map((v, k) => {
          const d = (k % 3) - Math.floor(k / 3);
          return (upper ? d >= diagonal : d <= diagonal) ? v : zeroOf(t);
        });
        assertExact(r[`t${i}`]!.data, expected, `upper ${upper} diagonal ${diagonal}`);
        assertExact(r[`c${i}`]!.data, expected, `constant, upper ${upper} diagonal ${diagonal}`);
      });
    });
  }

  it('clamp with exact bounds beyond 2^53 (bigint MLNumbers), one bound, none', async () => {
    const cases: { t: MLOperandDataType; min?: number | bigint; max?: number | bigint; lo: bigint; hi: bigint }[] = [
      { t: 'int64', min: -(2n ** 53n), max: 2n ** 62n, lo: -(2n ** 53n), hi: 2n ** 62n },
      { t: 'int64', min: 6, lo: 6n, hi: 2n ** 63n - 1n },
      { t: 'int64', lo: -(2n ** 63n), hi: 2n ** 63n - 1n },
      { t: 'uint64', min: 2n ** 53n + 2n, max: 2n ** 64n - 3n, lo: 2n ** 53n + 2n, hi: 2n ** 64n - 3n },
      { t: 'uint32', min: 6, max: 3000000001, lo: 6n, hi: 3000000001n },
      { t: 'uint32', max: 2 ** 40, lo: 0n, hi: 2n ** 32n - 1n },
    ];
    for (const { t, min, max, lo, hi } of cases) {
      const x: ExactValue = { dataType: t, shape: [6], data: DATA[t]! };
      const options = { ...(min === undefined ? {} : { minValue: min }), ...(max === undefined ? {} : { maxValue: max }) };
      const r = await runExact(backend, { x }, (b, inputs) => ({ out: call(b, 'clamp', inputs['x'], options) }));
      const expected = x.data.map((v) => {
        const big = BigInt(v);
        const c = big < lo ? lo : big > hi ? hi : big;
        return t === 'uint32' ? Number(c) : c;
      });
      assertExact(r['out']!.data, expected, `${t} ${String(min)} ${String(max)}`);
    }
  });

  it('int64 relu and prelu (slope broadcast, products wrapping)', async () => {
    const x: ExactValue = { dataType: 'int64', shape: [2, 3], data: DATA['int64']! };
    const slope: ExactValue = { dataType: 'int64', shape: [3], data: [3n, -2n, 2n ** 40n] };
    const r = await runExact(backend, { x, slope }, (b, inputs) => ({
      relu: call(b, 'relu', inputs['x']),
      prelu: call(b, 'prelu', inputs['x'], inputs['slope']),
    }));
    const m = 2n ** 64n;
    const wrap = (v: bigint) => {
      const low = ((v % m) + m) % m;
      return low >= m / 2n ? low - m : low;
    };
    const values = x.data.map((v) => BigInt(v));
    assertExact(r['relu']!.data, values.map((v) => (v > 0n ? v : 0n)));
    assertExact(r['prelu']!.data, values.map((v, i) => (v >= 0n ? v : wrap(v * BigInt(slope.data[i % 3]!)))));
  });
});

forEachBackend('isNaN / isInfinite of uint32, int64, uint64', (backend) => {
  for (const t of ['int64', 'uint64', 'uint32'] as const) {
    it(`${t}: never NaN, never infinite`, async () => {
      const x: ExactValue = { dataType: t, shape: [2, 3], data: DATA[t]! };
      const r = await runExact(backend, { x }, (b, inputs) => ({
        nan: call(b, 'isNaN', inputs['x']), inf: call(b, 'isInfinite', inputs['x']),
      }));
      assertExact(r['nan']!.data, [0, 0, 0, 0, 0, 0]);
      assertExact(r['inf']!.data, [0, 0, 0, 0, 0, 0]);
    });
  }
});
