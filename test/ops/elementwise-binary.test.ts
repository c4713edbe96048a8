import { assertClose, broadcastTo, forEachBackend, randomData, representable, runGraph, size } from '../util/harness.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';

function broadcastShape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => Math.max(a[a.length - r + i] ?? 1, b[b.length - r + i] ?? 1));
}

const wrap32 = (x: number) => (x | 0);
const wrap8 = (x: number) => ((((x + 128) % 256) + 256) % 256) - 128;
const wrapU8 = (x: number) => ((x % 256) + 256) % 256;
const wrapFor = (t: MLOperandDataType) => (t === 'int32' ? wrap32 : t === 'int8' ? wrap8 : t === 'uint8' ? wrapU8 : (x: number) => x);

const reference: Record<string, (a: number, b: number, t: MLOperandDataType) => number> = {
  add: (a, b, t) => wrapFor(t)(a + b),
  sub: (a, b, t) => wrapFor(t)(a - b),
  mul: (a, b, t) => (t === 'int32' ? Math.imul(a, b) : wrapFor(t)(a * b)),
  div: (a, b, t) => (t === 'float32' || t === 'float16' ? a / b : wrapFor(t)(Math.trunc(a / b))),
  max: (a, b) => Math.max(a, b),
  min: (a, b) => Math.min(a, b),
  pow: (a, b) => a ** b,
};

forEachBackend('element-wise binary', (backend) => {
  const cases: [number[], number[]][] = [[[2, 3], [2, 3]], [[2, 1, 3], [4, 1]], [[], [3]], [[3], []], [[1, 2, 1, 2], [2, 1, 2, 1]]];
  for (const op of Object.keys(reference)) {
    for (const dataType of ['float32', 'float16', 'int32'] as MLOperandDataType[]) {
      for (const [sa, sb] of cases) {
        it(`${op} ${dataType} [${sa}] x [${sb}]`, async () => {
          const isInt = dataType === 'int32';
          const lo = op === 'pow' ? (isInt ? 0 : 0.1) : -50;
          const hi = op === 'pow' ? (isInt ? 5 : 3) : 50;
          let a = representable(randomData(size(sa), 3, lo, hi), dataType);
          let b = representable(randomData(size(sb), 7, op === 'pow' ? (isInt ? 0 : -2) : lo, op === 'pow' ? 3 : hi), dataType);
          if (op === 'div') b = b.map((x) => (x === 0 ? 1 : x));
          if (op === 'pow' && isInt) a = a.map((x) => Math.min(x, 5));
          const out = broadcastShape(sa, sb);
          const ea = broadcastTo(a, sa, out);
          const eb = broadcastTo(b, sb, out);
          const expected = ea.map((x, i) => reference[op]!(x, eb[i]!, dataType));
          const result = await runGraph(backend, {
            a: { dataType, shape: sa, data: a }, b: { dataType, shape: sb, data: b },
          }, (builder, { a: x, b: y }) => ({ out: (builder as unknown as Record<string, (p: unknown, q: unknown) => never>)[op]!(x, y) }));
          assertClose(result['out']!, { shape: out, data: dataType === 'float16' ? representable(expected, 'float16') : expected },
            dataType === 'float32' && op === 'pow' ? { rtol: 1e-5 } : undefined);
        });
      }
    }
  }
  it('int32 wraps on overflow (add, mul) and div truncates toward zero', async function () {
    if (backend === 'webgl') this.skip(); // webgl integers are float-backed (exact to 2^24); see opSupportLimits
    const a = [2147483647, -7, 7, 123456789];
    const b = [1, 2, -2, 987654321];
    for (const [op, expected] of [
      ['add', a.map((x, i) => wrap32(x + b[i]!))],
      ['mul', a.map((x, i) => Math.imul(x, b[i]!))],
      ['div', a.map((x, i) => Math.trunc(x / b[i]!))],
    ] as const) {
      const result = await runGraph(backend, {
        a: { dataType: 'int32', shape: [4], data: a }, b: { dataType: 'int32', shape: [4], data: b },
      }, (builder, { a: x, b: y }) => ({ out: (builder as unknown as Record<string, (p: unknown, q: unknown) => never>)[op]!(x, y) }));
      assertClose(result['out']!, { shape: [4], data: expected }, undefined, op);
    }
  });
});
