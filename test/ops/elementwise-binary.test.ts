import {
  assertClose, assertThrows, broadcastTo, builderFor, contextFor, forEachBackend, randomData, representable, runGraph,
  size,
} from '../util/harness.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';

type Binary = (a: MLOperand, b: MLOperand, options?: object) => MLOperand;
const method = (builder: unknown, op: string) => (builder as Record<string, Binary>)[op]!.bind(builder);

function broadcastShape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => Math.max(a[a.length - r + i] ?? 1, b[b.length - r + i] ?? 1));
}

const wrap32 = (x: bigint) => Number(BigInt.asIntN(32, x));
const wrap8 = (x: bigint) => Number(BigInt.asIntN(8, x));
const wrapU8 = (x: bigint) => Number(BigInt.asUintN(8, x));
const WRAP: Partial<Record<MLOperandDataType, (x: bigint) => number>> = { int32: wrap32, int8: wrap8, uint8: wrapU8 };
const TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const isFloat = (t: MLOperandDataType) => t === 'float32' || t === 'float16';

/** Integer power in exact arithmetic; negative exponents truncate toward zero. */
function intPow(a: bigint, e: bigint): bigint {
  if (e < 0n) return a === 1n ? 1n : a === -1n ? (e % 2n === 0n ? 1n : -1n) : 0n;
  return a ** e;
}

/** float64 (or exact integer) references, wrapped to the type's width for integers. */
const reference: Record<string, (a: number, b: number, t: MLOperandDataType) => number> = {
  add: (a, b, t) => (isFloat(t) ? a + b : WRAP[t]!(BigInt(a) + BigInt(b))),
  sub: (a, b, t) => (isFloat(t) ? a - b : WRAP[t]!(BigInt(a) - BigInt(b))),
  mul: (a, b, t) => (isFloat(t) ? a * b : WRAP[t]!(BigInt(a) * BigInt(b))),
  div: (a, b, t) => (isFloat(t) ? a / b : WRAP[t]!(BigInt(a) / BigInt(b))),
  max: (a, b) => Math.max(a, b),
  min: (a, b) => Math.min(a, b),
  pow: (a, b, t) => (isFloat(t) ? a ** b : WRAP[t]!(intPow(BigInt(a), BigInt(b)))),
};
const OPS = Object.keys(reference);

const RANGE: Record<MLOperandDataType, [number, number]> = {
  float32: [-50, 50], float16: [-50, 50], int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
  uint32: [0, 0], int64: [0, 0], uint64: [0, 0],
};

function operands(op: string, t: MLOperandDataType, na: number, nb: number): [number[], number[]] {
  const [lo, hi] = RANGE[t];
  if (op === 'pow') {
    if (isFloat(t)) return [representable(randomData(na, 3, 0.1, 3), t), representable(randomData(nb, 7, -2, 3), t)];
    return [representable(randomData(na, 3, lo, hi), t), representable(randomData(nb, 7, t === 'uint8' ? 0 : -3, 40), t)];
  }
  const a = representable(randomData(na, 3, lo, hi), t);
  let b = representable(randomData(nb, 7, lo, hi), t);
  if (op === 'div') b = b.map((x) => (x === 0 ? 1 : x));
  return [a, b];
}

async function advertised(backend: BackendName, op: string): Promise<readonly MLOperandDataType[]> {
  const limits = (await contextFor(backend)).opSupportLimits() as unknown as Record<string, { a: { dataTypes: MLOperandDataType[] } }>;
  return limits[op]!.a.dataTypes;
}

async function rejectsType(backend: BackendName, op: string, t: MLOperandDataType): Promise<void> {
  const builder = await builderFor(backend);
  const a = builder.input('a', { dataType: t, shape: [2] });
  const b = builder.input('b', { dataType: t, shape: [2] });
  await assertThrows(() => method(builder, op)(a, b), 'TypeError', op);
}

async function runBinary(backend: BackendName, op: string, t: MLOperandDataType, sa: number[], a: number[], sb: number[],
  b: number[]) {
  const result = await runGraph(backend, { a: { dataType: t, shape: sa, data: a }, b: { dataType: t, shape: sb, data: b } },
    (builder, { a: x, b: y }) => ({ out: method(builder, op)(x!, y!) }));
  return result['out']!;
}

function expectedFor(op: string, t: MLOperandDataType, ea: readonly number[], eb: readonly number[]): number[] {
  const exact = ea.map((x, i) => reference[op]!(x, eb[i]!, t));
  return t === 'float16' ? representable(exact, 'float16') : exact;
}

forEachBackend('element-wise binary', (backend) => {
  const cases: [number[], number[]][] = [
    [[2, 3], [2, 3]], [[2, 1, 3], [4, 1]], [[4, 1], [2, 1, 3]], [[], [3]], [[3], []], [[], []],
    [[1, 2, 1, 2], [2, 1, 2, 1]], [[2, 1, 2, 1, 3], [1, 3, 1, 2, 1]],
  ];
  for (const op of OPS) {
    for (const t of TYPES) {
      for (const [sa, sb] of cases) {
        it(`${op} ${t} [${sa}] x [${sb}] (computed when advertised, rejected otherwise)`, async () => {
          if (!(await advertised(backend, op)).includes(t)) {
            await rejectsType(backend, op, t);
            return;
          }
          const [a, b] = operands(op, t, size(sa), size(sb));
          const out = broadcastShape(sa, sb);
          const expected = expectedFor(op, t, broadcastTo(a, sa, out), broadcastTo(b, sb, out));
          assertClose(await runBinary(backend, op, t, sa, a, sb, b), { shape: out, data: expected },
            t === 'float32' && op === 'pow' ? { rtol: 1e-5 } : undefined);
        });
      }
    }
  }

  const edges: Partial<Record<MLOperandDataType, number[]>> = {
    int32: [-2147483648, -2147483647, -1073741825, -16777217, -65537, -7, -2, -1, 0, 1, 2, 3, 65535, 65536, 16777217,
      123456789, 987654321, 2147483646, 2147483647],
    int8: [-128, -127, -100, -64, -7, -2, -1, 0, 1, 2, 3, 11, 64, 100, 126, 127],
    uint8: [0, 1, 2, 3, 7, 15, 16, 100, 127, 128, 200, 254, 255],
  };
  for (const op of ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow']) {
    for (const t of ['int32', 'int8', 'uint8'] as MLOperandDataType[]) {
      it(`${op} ${t}: every pair of extreme values is exact (wraps; div truncates toward zero)`, async () => {
        if (!(await advertised(backend, op)).includes(t)) {
          await rejectsType(backend, op, t);
          return;
        }
        const [lo, hi] = RANGE[t];
        const values = [lo, hi, ...edges[t]!.filter((v) => v > lo && v < hi)];
        const a: number[] = [];
        const b: number[] = [];
        for (const x of values) {
          for (const y of values) {
            if (op === 'div' && y === 0) continue;
            a.push(x);
            b.push(op === 'pow' ? (t === 'uint8' ? y % 40 : Math.max(-5, Math.min(40, y))) : y);
          }
        }
        const result = await runBinary(backend, op, t, [a.length], a, [b.length], b);
        assertClose(result, { shape: [a.length], data: expectedFor(op, t, a, b) }, undefined, op);
      });
    }
  }

  for (const t of ['int8', 'uint8'] as MLOperandDataType[]) {
    it(`${t}: add, sub, mul, div over all 65536 operand pairs`, async () => {
      const [lo, hi] = RANGE[t];
      const a: number[] = [];
      const b: number[] = [];
      for (let x = lo; x <= hi; x++) for (let y = lo; y <= hi; y++) { a.push(x); b.push(y); }
      const divisors = b.map((y) => (y === 0 ? 1 : y));
      for (const op of ['add', 'sub', 'mul', 'div']) {
        if (!(await advertised(backend, op)).includes(t)) continue; // the rejection is asserted per op above
        const bb = op === 'div' ? divisors : b;
        const result = await runBinary(backend, op, t, [a.length], a, [bb.length], bb);
        assertClose(result, { shape: [a.length], data: expectedFor(op, t, a, bb) }, undefined, `${op} ${t}`);
      }
    });
  }

  it('int32 mul and div stay exact where float64 products or float32 quotients are not', async () => {
    if (!(await advertised(backend, 'mul')).includes('int32')) {
      await rejectsType(backend, 'mul', 'int32');
      return;
    }
    const a = [2147483647, -7, 7, 123456789, -2147483648, 2147483647, 16777217, -16777217];
    const b = [1, 2, -2, 987654321, -1, 3, 3, 16777219];
    for (const op of ['add', 'mul', 'div']) {
      const result = await runBinary(backend, op, 'int32', [a.length], a, [b.length], b);
      assertClose(result, { shape: [a.length], data: expectedFor(op, 'int32', a, b) }, undefined, op);
    }
  });

  for (const t of ['float32', 'float16'] as MLOperandDataType[]) {
    it(`${t}: NaN, infinities and signed zeros`, async () => {
      const a = [NaN, Infinity, -Infinity, Infinity, 1, -1, 0, -0, 0, 2, 0, NaN, -2, 65504];
      const b = [1, -Infinity, -Infinity, Infinity, 0, 0, 0, -0, -5, NaN, -1, 0, 0.5, 65504];
      for (const op of ['add', 'sub', 'mul', 'div', 'pow']) {
        const result = await runBinary(backend, op, t, [a.length], a, [b.length], b);
        const expected = expectedFor(op, t, a, b);
        assertClose(result, { shape: [a.length], data: expected }, undefined, `${op} ${t}`);
        for (let i = 0; i < expected.length; i++) {
          if (expected[i] === 0 && !Object.is(expected[i], result.data[i]) && op !== 'pow') {
            throw new Error(`${op} ${t} [${i}]: ${Object.is(result.data[i], -0) ? '-0' : '+0'} has the wrong sign`);
          }
        }
      }
    });
  }

  it('max and min with infinities and signed zeros of equal magnitude', async () => {
    const a = [-Infinity, Infinity, 3, -3, 1e30];
    const b = [1, -1, Infinity, -Infinity, -1e30];
    for (const op of ['max', 'min']) {
      const result = await runBinary(backend, op, 'float32', [5], a, [5], b);
      assertClose(result, { shape: [5], data: expectedFor(op, 'float32', a, b) }, undefined, op);
    }
  });

  describe('validation', () => {
    for (const op of OPS) {
      it(`${op}: mismatched data types, unbroadcastable shapes, non-operands and foreign operands throw TypeError`, async () => {
        const builder = await builderFor(backend);
        const f32 = builder.input('a', { dataType: 'float32', shape: [2, 3] });
        const i32 = builder.input('b', { dataType: 'int32', shape: [2, 3] });
        const f32b = builder.input('c', { dataType: 'float32', shape: [4] });
        await assertThrows(() => method(builder, op)(f32, i32), 'TypeError', op);
        await assertThrows(() => method(builder, op)(f32, f32b), 'TypeError', op);
        await assertThrows(() => method(builder, op)(f32, 1 as unknown as MLOperand), 'TypeError', op);
        await assertThrows(() => method(builder, op)(f32, undefined as unknown as MLOperand), 'TypeError', op);
        await assertThrows(() => (method(builder, op) as (...args: unknown[]) => unknown)(f32), 'TypeError');
        const other = (await builderFor(backend)).input('a', { dataType: 'float32', shape: [2, 3] });
        await assertThrows(() => method(builder, op)(f32, other), 'TypeError', op);
        method(builder, op)(f32, f32, { label: 'my-label' });
        await assertThrows(() => method(builder, op)(f32, f32b, { label: 'my-label' }), 'TypeError', `${op} [my-label]`);
      });
    }

    it('output descriptor: data type of a, broadcast shape', async () => {
      const builder = await builderFor(backend);
      const a = builder.input('a', { dataType: 'float16', shape: [2, 1, 5] });
      const b = builder.input('b', { dataType: 'float16', shape: [3, 1] });
      for (const op of OPS) {
        const out = method(builder, op)(a, b);
        if (out.dataType !== 'float16' || out.shape.join() !== '2,3,5') throw new Error(`${op}: ${out.dataType} [${out.shape}]`);
      }
    });

    it('methods have the IDL argument count', async () => {
      const builder = await builderFor(backend);
      for (const op of OPS) {
        const fn = (builder as unknown as Record<string, { length: number }>)[op]!;
        if (fn.length !== 2) throw new Error(`${op}.length is ${fn.length}`);
      }
    });
  });
});
