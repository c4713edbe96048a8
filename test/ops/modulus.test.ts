import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertThrows, broadcastTo, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size,
  withDynamicShapes,
} from '../util/harness.js';
import { assertExact, runExact, type Element } from '../util/exact.js';

type Modulus = 'modulusFloor' | 'modulusTruncate';
const OPS: readonly Modulus[] = ['modulusFloor', 'modulusTruncate'];

function call(b: MLGraphBuilder, op: Modulus, x: MLOperand, y: MLOperand, options?: object): MLOperand {
  return (b as unknown as Record<Modulus, (x: MLOperand, y: MLOperand, o?: object) => MLOperand>)[op](x, y, options);
}

/** float64 reference: JavaScript's % is the exact truncated remainder; the floor one moves it by b. */
function floatReference(op: Modulus, a: number, b: number): number {
  const r = a % b;
  if (op === 'modulusTruncate' || r === 0 || Number.isNaN(r) || (r < 0) === (b < 0)) return r;
  return r + b;
}

/** Exact integer reference: division by zero gives 0. */
function intReference(op: Modulus, a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const r = a % b;
  if (op === 'modulusTruncate' || r === 0n || (r < 0n) === (b < 0n)) return r;
  return r + b;
}

/**
 * Float tolerance per element: 2^-22 (float32; 2^-10 for float16) of |a| + |b|. The float kernels evaluate
 * a - b * floor(a / b) in float32 (webgl's GLSL mod, wasm), whose product and difference each round at the magnitude
 * of a or b (a few float32 units); on cpu the truncated remainder is exact and the floor one rounds once (r + b).
 * float16 results are float32 results rounded once more to float16.
 */
function assertFloatClose(actual: readonly number[], expected: readonly number[], a: readonly number[],
  b: readonly number[], t: MLOperandDataType, what: string): void {
  const unit = t === 'float16' ? 2 ** -10 : 2 ** -22;
  expected.forEach((e, i) => {
    const x = actual[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(x)) throw new Error(`${what} [${i}]: ${x} != NaN`);
      return;
    }
    const tol = unit * (Math.abs(a[i]!) + Math.abs(b[i]!));
    if (!(Math.abs(x - e) <= tol)) throw new Error(`${what} [${i}] (${a[i]} mod ${b[i]}): ${x} != ${e} (tol ${tol})`);
  });
}

describe('modulusFloor / modulusTruncate', () => {
  withDynamicShapes(true);

  forEachBackend('modulus', (backend) => {
    for (const t of ['float32', 'float16'] as const) {
      it(`${t}: signs and division by zero`, async () => {
        const a = [7, -7, 7, -7, 5.5, -5.5, 0, 3, -3, 6, -6];
        const b = [3, 3, -3, -3, 2, 2, 0, 0, 1.5, -4, 4];
        const r = await runGraph(backend, { a: { dataType: t, shape: [11], data: a }, b: { dataType: t, shape: [11], data: b } },
          (builder, { a: x, b: y }) => ({ floor: call(builder, 'modulusFloor', x!, y!), trunc: call(builder, 'modulusTruncate', x!, y!) }));
        assertExact(r['floor']!.data, [1, 2, -2, -1, 1.5, 0.5, NaN, NaN, 0, -2, 2]);
        assertExact(r['trunc']!.data.map((v) => (v === 0 ? 0 : v)), [1, -1, 1, -1, 1.5, -1.5, NaN, NaN, 0, 2, -2]);
      });

      it(`${t}: random operands, broadcast`, async () => {
        const sa = [2, 3, 4];
        const sb = [3, 1];
        const a = representable(randomData(size(sa), 11, -20, 20), t);
        const b = representable(randomData(size(sb), 12, -3, 3), t);
        const r = await runGraph(backend, { a: { dataType: t, shape: sa, data: a }, b: { dataType: t, shape: sb, data: b } },
          (builder, { a: x, b: y }) => ({ floor: call(builder, 'modulusFloor', x!, y!), trunc: call(builder, 'modulusTruncate', x!, y!) }));
        const bb = broadcastTo(b, sb, sa);
        for (const op of OPS) {
          const out = r[op === 'modulusFloor' ? 'floor' : 'trunc']!;
          if (out.shape.join() !== sa.join()) throw new Error(`shape ${out.shape}`);
          assertFloatClose(out.data, a.map((x, i) => floatReference(op, x, bb[i]!)), a, bb, t, op);
        }
      });
    }

    const INT_CASES: Record<'int32' | 'int8' | 'uint8', [number[], number[]]> = {
      int32: [
        [7, -7, 7, -7, -2147483648, -2147483648, 2147483647, -2147483647, 123456789, -987654321, 5, 0, 2147483647, -5],
        [3, 3, -3, -3, -1, 7, -2147483648, 2147483647, -40000, 65537, 0, 0, 2147483646, -2147483648],
      ],
      int8: [
        [7, -7, 7, -7, -128, -128, 127, -127, 100, -100, 5, 0, -128, 127],
        [3, 3, -3, -3, -1, 127, -128, 3, -7, 9, 0, 0, -128, 127],
      ],
      uint8: [
        [7, 255, 0, 200, 255, 1, 5, 128, 254, 100, 3, 0, 9, 77],
        [3, 16, 5, 255, 254, 255, 0, 127, 255, 7, 3, 0, 2, 10],
      ],
    };
    for (const [t, [a, b]] of Object.entries(INT_CASES) as ['int32' | 'int8' | 'uint8', [number[], number[]]][]) {
      it(`${t}: exact on negative, extreme and zero divisors`, async () => {
        const n = a.length;
        const r = await runGraph(backend, { a: { dataType: t, shape: [n], data: a }, b: { dataType: t, shape: [n], data: b } },
          (builder, { a: x, b: y }) => ({ floor: call(builder, 'modulusFloor', x!, y!), trunc: call(builder, 'modulusTruncate', x!, y!) }));
        assertExact(r['floor']!.data, a.map((x, i) => Number(intReference('modulusFloor', BigInt(x), BigInt(b[i]!)))));
        assertExact(r['trunc']!.data, a.map((x, i) => Number(intReference('modulusTruncate', BigInt(x), BigInt(b[i]!)))));
      });
    }

    it('int32: random operands broadcast against a row of divisors', async () => {
      const sa = [4, 6];
      const a = representable(randomData(24, 21, -2147483648, 2147483647), 'int32');
      const b = [-1000003, 17, -2, 0, 65536, 2147483647];
      const r = await runGraph(backend, { a: { dataType: 'int32', shape: sa, data: a }, b: { dataType: 'int32', shape: [6], data: b } },
        (builder, { a: x, b: y }) => ({ floor: call(builder, 'modulusFloor', x!, y!), trunc: call(builder, 'modulusTruncate', x!, y!) }));
      const bb = broadcastTo(b, [6], sa);
      assertExact(r['floor']!.data, a.map((x, i) => Number(intReference('modulusFloor', BigInt(x), BigInt(bb[i]!)))));
      assertExact(r['trunc']!.data, a.map((x, i) => Number(intReference('modulusTruncate', BigInt(x), BigInt(bb[i]!)))));
    });

    const HOST_CASES: Record<'uint32' | 'int64' | 'uint64', [bigint[], bigint[]]> = {
      uint32: [[7n, 4294967295n, 0n, 4294967295n, 100n, 5n, 2147483648n], [3n, 65536n, 5n, 4294967294n, 0n, 4294967295n, 3n]],
      int64: [
        [7n, -7n, 7n, -7n, -(2n ** 63n), -(2n ** 63n), 2n ** 63n - 1n, -(2n ** 53n) - 3n, 12n, 0n],
        [3n, 3n, -3n, -3n, -1n, 2n ** 40n + 7n, -(2n ** 63n), 2n ** 33n, 0n, -5n],
      ],
      uint64: [
        [7n, 2n ** 64n - 1n, 2n ** 63n + 5n, 2n ** 53n + 1n, 12n, 0n],
        [3n, 2n ** 32n + 1n, 2n ** 63n, 10n, 0n, 5n],
      ],
    };
    for (const [t, [a, b]] of Object.entries(HOST_CASES) as ['uint32' | 'int64' | 'uint64', [bigint[], bigint[]]][]) {
      it(`${t}: exact`, async () => {
        const n = a.length;
        const r = await runExact(backend, { a: { dataType: t, shape: [n], data: a }, b: { dataType: t, shape: [n], data: b } },
          (builder, { a: x, b: y }) => ({ floor: call(builder, 'modulusFloor', x!, y!), trunc: call(builder, 'modulusTruncate', x!, y!) }));
        const asElement = (v: bigint): Element => (t === 'uint32' ? Number(v) : v);
        assertExact(r['floor']!.data, a.map((x, i) => asElement(intReference('modulusFloor', x, b[i]!))));
        assertExact(r['trunc']!.data, a.map((x, i) => asElement(intReference('modulusTruncate', x, b[i]!))));
      });
    }

    it('advertises every data type for a, b and output', async () => {
      const limits = (await contextFor(backend)).opSupportLimits() as unknown as Record<string, Record<string, { dataTypes: string[] }>>;
      for (const op of OPS) {
        for (const member of ['a', 'b', 'output']) {
          const types = limits[op]![member]!.dataTypes;
          if (types.length !== 8) throw new Error(`${op}.${member}: ${types.join(', ')}`);
        }
      }
    });

    it('TypeErrors: data type mismatch, shapes that do not broadcast, not an operand', async () => {
      const builder = await builderFor(backend);
      const a = builder.input('a', { dataType: 'float32', shape: [2, 3] });
      const b = builder.input('b', { dataType: 'int32', shape: [2, 3] });
      const c = builder.input('c', { dataType: 'float32', shape: [4] });
      for (const op of OPS) {
        await assertThrows(() => call(builder, op, a, b), 'TypeError', op);
        await assertThrows(() => call(builder, op, a, c), 'TypeError', op);
        await assertThrows(() => call(builder, op, a, 3 as unknown as MLOperand), 'TypeError', op);
        if ((builder as unknown as Record<string, { length: number }>)[op]!.length !== 2) throw new Error(`${op}.length`);
      }
    });
  });
});
