/**
 * Data through the API: float16 (raw bits in a Uint16Array, a Float16Array, native or @petamoriken/float16's) with
 * rounding to nearest even, subnormals and overflow to infinity when results are read; int8 and uint8 round trips.
 * Expected float16 values come from halfToNumber / nearestHalf (test/api/api-util.ts), not from the code under test.
 */
import { Float16Array as Float16ArrayFallback } from '@petamoriken/float16';
import { forEachBackend } from '../util/harness.js';
import type { MLContext } from '../../src/index.js';
import { halfToNumber, nearestHalf, newBuilder, newContext } from './api-util.js';

const NativeFloat16Array = (globalThis as { Float16Array?: new (values: number[]) => ArrayBufferView }).Float16Array;

/** float16 bits of an exactly representable value (the inverse of halfToNumber over finite values). */
function bitsOf(value: number): number {
  for (let bits = 0; bits < 0x10000; bits++) if (Object.is(halfToNumber(bits), value)) return bits;
  if (value === Infinity) return 0x7c00;
  if (value === -Infinity) return 0xfc00;
  throw new Error(`${value} is not a float16 value`);
}

const halves = (buffer: ArrayBuffer) => Array.from(new Uint16Array(buffer), halfToNumber);

/** a op b in float16, read back. */
async function halfBinary(ctx: MLContext, op: 'add' | 'mul', a: number[], b: number[]): Promise<number[]> {
  const builder = newBuilder(ctx);
  const desc = { dataType: 'float16' as const, shape: [a.length] };
  const x = builder.input('a', desc);
  const y = builder.input('b', desc);
  const graph = await builder.build({ out: builder[op](x, y) });
  const [ta, tb, out] = await Promise.all([
    ctx.createTensor({ ...desc, writable: true }), ctx.createTensor({ ...desc, writable: true }),
    ctx.createTensor({ ...desc, readable: true })]);
  ctx.writeTensor(ta, Uint16Array.from(a, bitsOf));
  ctx.writeTensor(tb, Uint16Array.from(b, bitsOf));
  ctx.dispatch(graph, { a: ta, b: tb }, { out });
  const result = halves(await ctx.readTensor(out));
  for (const d of [graph, ta, tb, out]) d.destroy();
  return result;
}

function sameValues(actual: number[], expected: number[], what: string): void {
  const ok = actual.length === expected.length && actual.every((v, i) => Object.is(v, expected[i]));
  if (!ok) throw new Error(`${what}: got [${actual}], expected [${expected}]`);
}

forEachBackend('data types through the API', (backend) => {
  let ctx: MLContext;
  before(async () => {
    ctx = await newContext(backend);
  });

  it('float16 round trip of every bit pattern class (normals, subnormals, signed zeros, infinities)', async () => {
    const values = [0, -0, 1, -1, 65504, -65504, 2 ** -14, 2 ** -24, -(2 ** -24), 3 * 2 ** -24, 1023 * 2 ** -24,
      0.099975586, 1 + 2 ** -10, Infinity, -Infinity].map(nearestHalf);
    const t = await ctx.createTensor({ dataType: 'float16', shape: [values.length], readable: true, writable: true });
    ctx.writeTensor(t, Uint16Array.from(values, bitsOf));
    sameValues(halves(await ctx.readTensor(t)), values, 'round trip');
    // NaN stays NaN.
    ctx.writeTensor(t, new Uint16Array(values.length).fill(0x7e00));
    if (!halves(await ctx.readTensor(t)).every(Number.isNaN)) throw new Error('NaN');
    t.destroy();
  });

  it('float16 results round to nearest even when read', async () => {
    const u = 2 ** -10; // ulp of 1
    const a = [1, 1, 1, 1, 1024, 2048];
    const b = [u / 2, 3 * u / 2, u / 4, 3 * u / 4, 0.5, 1];
    const expected = a.map((x, i) => nearestHalf(x + b[i]!));
    sameValues(expected, [1, 1 + 2 * u, 1, 1 + u, 1024, 2048], 'reference');
    sameValues(await halfBinary(ctx, 'add', a, b), expected, 'add');
  });

  it('float16 results keep subnormals and round them to nearest even', async () => {
    const tiny = 2 ** -24; // smallest subnormal
    const a = [tiny, tiny, 3 * tiny, 2 ** -14, 1023 * tiny, 0.5];
    const b = [0.5, 1.5, 0.5, 0.5, 1, tiny];
    const expected = a.map((x, i) => nearestHalf(x * b[i]!));
    sameValues(expected, [0, 2 * tiny, 2 * tiny, 2 ** -15, 1023 * tiny, 0], 'reference');
    sameValues(await halfBinary(ctx, 'mul', a, b), expected, 'mul');
  });

  it('float16 results overflow to infinity from 65520 on', async () => {
    const a = [65504, 65504, 65504, -65504, 65504];
    const b = [8, 15.5, 16, -16, 65504];
    const expected = a.map((x, i) => nearestHalf(x + b[i]!));
    sameValues(expected, [65504, 65504, Infinity, -Infinity, Infinity], 'reference');
    sameValues(await halfBinary(ctx, 'add', a, b), expected, 'add');
  });

  it('float16 data as a Float16Array (@petamoriken/float16, and native where present) and read into one', async () => {
    const values = [1.5, -2.25, 65504, 2 ** -24];
    const t = await ctx.createTensor({ dataType: 'float16', shape: [4], readable: true, writable: true });
    const kinds: [string, () => unknown][] = [['@petamoriken/float16', () => new Float16ArrayFallback(values)]];
    if (NativeFloat16Array) kinds.push(['native', () => new NativeFloat16Array(values)]);
    for (const [kind, make] of kinds) {
      ctx.writeTensor(t, make() as Uint16Array);
      sameValues(halves(await ctx.readTensor(t)), values, `write from ${kind} Float16Array`);
      const target = make() as unknown as ArrayLike<number>;
      ctx.writeTensor(t, Uint16Array.from([0, 1, 2, 3].map((i) => bitsOf(values[3 - i]!))));
      await ctx.readTensor(t, target as unknown as Uint16Array);
      sameValues(Array.from(target), [...values].reverse(), `read into ${kind} Float16Array`);
    }
    const b = newBuilder(ctx);
    const c = b.constant({ dataType: 'float16', shape: [4] }, new Float16ArrayFallback(values) as unknown as Uint16Array);
    const graph = await b.build({ out: b.add(c, c) });
    const out = await ctx.createTensor({ dataType: 'float16', shape: [4], readable: true });
    ctx.dispatch(graph, {}, { out });
    sameValues(halves(await ctx.readTensor(out)), values.map((v) => nearestHalf(2 * v)), 'constant from Float16Array');
    for (const d of [t, graph, out]) d.destroy();
  });

  it('constant(\'float16\', value) rounds to nearest even, overflows to infinity', async () => {
    const cases = [0.1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519, 65520, -1e6, 2 ** -25, 3 * 2 ** -26];
    for (const value of cases) {
      const b = newBuilder(ctx);
      const c = b.constant('float16', value);
      const graph = await b.build({ out: b.add(c, b.constant('float16', 0)) });
      const out = await ctx.createTensor({ dataType: 'float16', shape: [], readable: true });
      ctx.dispatch(graph, {}, { out });
      sameValues(halves(await ctx.readTensor(out)), [nearestHalf(value)], `constant('float16', ${value})`);
      graph.destroy();
      out.destroy();
    }
  });

  for (const [dataType, View, values] of [
    ['int8', Int8Array, [-128, -127, -1, 0, 1, 126, 127]],
    ['uint8', Uint8Array, [0, 1, 127, 128, 200, 254, 255]],
  ] as const) {
    it(`${dataType} round trip through tensors and a graph, and wrap-around of its arithmetic`, async () => {
      const desc = { dataType, shape: [values.length] };
      const t = await ctx.createTensor({ ...desc, readable: true, writable: true });
      ctx.writeTensor(t, View.from(values));
      sameValues(Array.from(new View(await ctx.readTensor(t))), [...values], 'tensor round trip');
      const b = newBuilder(ctx);
      const x = b.input('x', desc);
      const zero = b.constant(desc, new View(values.length));
      const one = b.constant(desc, new View(values.length).fill(1));
      const graph = await b.build({ same: b.add(x, zero), next: b.add(x, one) });
      const same = await ctx.createTensor({ ...desc, readable: true });
      const next = await ctx.createTensor({ ...desc, readable: true });
      ctx.dispatch(graph, { x: t }, { same, next });
      sameValues(Array.from(new View(await ctx.readTensor(same))), [...values], 'through a graph');
      const bits = dataType === 'int8' ? (v: number) => ((v + 128) % 256 + 256) % 256 - 128 : (v: number) => (v % 256 + 256) % 256;
      sameValues(Array.from(new View(await ctx.readTensor(next))), values.map((v) => bits(v + 1)), 'x + 1 wraps');
      for (const d of [t, graph, same, next]) d.destroy();
    });
  }
});
