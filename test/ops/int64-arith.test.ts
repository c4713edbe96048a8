/**
 * Arithmetic, comparisons, abs/neg/sign and argMin/argMax on uint32, int64 and uint64, exact: operands differing only
 * beyond 2^53, wrap-around at 2^63 / 2^64 / 2^32. References in BigInt modular arithmetic, written here.
 */
import { forEachBackend } from '../util/harness.js';
import { assertExact, exactConstant, runExact, type Element, type ExactValue } from '../util/exact.js';
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

/** Pairs (a, b) per type, b broadcast from shape [4] to a's [2, 4]. */
const A: Record<string, Element[]> = {
  int64: [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -7n, 2n ** 32n, 3n, -(2n ** 62n) - 5n, 0n],
  uint64: [2n ** 64n - 1n, 0n, 2n ** 53n + 1n, 7n, 2n ** 32n, 3n, 2n ** 63n + 5n, 12n],
  uint32: [2 ** 32 - 1, 0, 3000000000, 7, 65536, 3, 2 ** 31 + 5, 12],
};
const B: Record<string, Element[]> = {
  int64: [1n, -1n, 2n ** 53n, 2n],
  uint64: [1n, 1n, 2n ** 53n, 2n],
  uint32: [1, 1, 2999999999, 2],
};

const ARITHMETIC: Record<string, (x: bigint, y: bigint) => bigint> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  // Truncation toward zero, written with magnitudes.
  div: (x, y) => {
    const q = (x < 0n ? -x : x) / (y < 0n ? -y : y);
    return (x < 0n) !== (y < 0n) ? -q : q;
  },
  max: (x, y) => (x > y ? x : y),
  min: (x, y) => (x < y ? x : y),
};

const COMPARISONS: Record<string, (x: bigint, y: bigint) => boolean> = {
  equal: (x, y) => x === y,
  notEqual: (x, y) => x !== y,
  greater: (x, y) => x > y,
  greaterOrEqual: (x, y) => x >= y,
  lesser: (x, y) => x < y,
  lesserOrEqual: (x, y) => x <= y,
};

forEachBackend('uint32 / int64 / uint64 arithmetic and comparisons', (backend) => {
  for (const t of ['int64', 'uint64', 'uint32'] as const) {
    const a: ExactValue = { dataType: t, shape: [2, 4], data: A[t]! };
    const b: ExactValue = { dataType: t, shape: [4], data: B[t]! };
    const pairs = a.data.map((x, i) => [BigInt(x), BigInt(b.data[i % 4]!)] as const);

    it(`${t}: add, sub, mul, div, max, min with broadcasting, wrapping around`, async () => {
      const r = await runExact(backend, { a, b }, (builder, inputs) => Object.fromEntries(Object.keys(ARITHMETIC).flatMap((op) => [
        [op, call(builder, op, inputs['a'], inputs['b'])],
        // b / a meets a = 0: a division by zero, which this implementation defines as 0 for integers on the host.
        [`${op}-swapped-constant`, call(builder, op, exactConstant(builder, b), inputs['a'])],
      ])));
      for (const [op, fn] of Object.entries(ARITHMETIC)) {
        assertExact(r[op]!.data, pairs.map(([x, y]) => wrap(fn(x, y), t)), op);
        assertExact(r[`${op}-swapped-constant`]!.data, pairs.map(([x, y]) => (op === 'div' && x === 0n ? wrap(0n, t) : wrap(fn(y, x), t))), `${op} swapped`);
      }
    });

    it(`${t}: pow (wrapping)`, async () => {
      const base: ExactValue = { dataType: t, shape: [5], data: t === 'uint32' ? [3, 2, 2 ** 31 + 1, 7, 0] : [3n, 2n, 2n ** 31n + 1n, 7n, 0n] };
      const exponent: ExactValue = { dataType: t, shape: [5], data: t === 'uint32' ? [40, 32, 3, 0, 5] : [40n, 64n, 3n, 0n, 5n] };
      const r = await runExact(backend, { base, exponent }, (builder, inputs) => ({ out: call(builder, 'pow', inputs['base'], inputs['exponent']) }));
      assertExact(r['out']!.data, base.data.map((x, i) => wrap(BigInt(x) ** BigInt(exponent.data[i]!), t)));
    });

    it(`${t}: comparisons tell apart values equal as doubles`, async () => {
      const r = await runExact(backend, { a, b }, (builder, inputs) => Object.fromEntries(Object.keys(COMPARISONS).map((op) =>
        [op, call(builder, op, inputs['a'], inputs['b'])])));
      for (const [op, fn] of Object.entries(COMPARISONS)) {
        assertExact(r[op]!.data, pairs.map(([x, y]) => (fn(x, y) ? 1 : 0)), op);
      }
    });

    it(`${t}: argMin / argMax, int32 and int64 outputs, first index on ties`, async () => {
      const x: ExactValue = { dataType: t, shape: [2, 4], data: [...A[t]!.slice(0, 3), A[t]![0]!, ...A[t]!.slice(4)] };
      const r = await runExact(backend, { x }, (builder, inputs) => ({
        max1: call(builder, 'argMax', inputs['x'], 1, { outputDataType: 'int64' }),
        min1: call(builder, 'argMin', inputs['x'], 1, { outputDataType: 'int32', keepDimensions: true }),
        max0: call(builder, 'argMax', inputs['x'], 0),
      }));
      const big = x.data.map((v) => BigInt(v));
      const arg = (values: bigint[], better: (p: bigint, q: bigint) => boolean) =>
        values.reduce((best, v, i) => (better(v, values[best]!) ? i : best), 0);
      const rows = [big.slice(0, 4), big.slice(4)];
      assertExact(r['max1']!.data, rows.map((row) => BigInt(arg(row, (p, q) => p > q))));
      assertExact(r['min1']!.data, rows.map((row) => arg(row, (p, q) => p < q)));
      assertExact(r['max0']!.data, [0, 1, 2, 3].map((c) => arg([big[c]!, big[4 + c]!], (p, q) => p > q)));
    });
  }

  it('int64 abs, neg, sign (wrapping at -2^63)', async () => {
    const x: ExactValue = { dataType: 'int64', shape: [6], data: [-(2n ** 63n), 2n ** 63n - 1n, -(2n ** 53n) - 1n, 0n, 5n, -1n] };
    const r = await runExact(backend, { x }, (builder, inputs) => ({
      abs: call(builder, 'abs', inputs['x']), neg: call(builder, 'neg', inputs['x']), sign: call(builder, 'sign', inputs['x']),
    }));
    const values = x.data.map((v) => BigInt(v));
    assertExact(r['abs']!.data, values.map((v) => wrap(v < 0n ? -v : v, 'int64')));
    assertExact(r['neg']!.data, values.map((v) => wrap(-v, 'int64')));
    assertExact(r['sign']!.data, values.map((v) => (v > 0n ? 1n : v < 0n ? -1n : 0n)));
  });

  it('float32 argMax with outputDataType int64, and int64 shape arithmetic feeding a gather', async () => {
    const x = { dataType: 'float32' as const, shape: [2, 3], data: [0.5, 2, 2, -1, -3, -0.5] };
    const shape = { dataType: 'int64' as const, shape: [2], data: [2n, 3n] };
    const r = await runExact(backend, { x, shape }, (builder, inputs) => {
      const last = call(builder, 'sub', call(builder, 'slice', inputs['shape'], [1], [1]), builder.constant('int64', 1n as never));
      return {
        arg: call(builder, 'argMax', inputs['x'], 1, { outputDataType: 'int64' }),
        lastColumn: call(builder, 'gather', inputs['x'], call(builder, 'reshape', last, []), { axis: 1 }),
        isWide: call(builder, 'greater', inputs['shape'], builder.constant('int64', 2n as never)),
      };
    });
    assertExact(r['arg']!.data, [1n, 2n]);
    assertExact(r['lastColumn']!.data, [2, -0.5]);
    assertExact(r['isWide']!.data, [0, 1]);
  });
});
