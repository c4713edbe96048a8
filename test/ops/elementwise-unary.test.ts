import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size,
  type RunResult,
} from '../util/harness.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { erf } from './erf-reference.js';

type Unary = (input: MLOperand, options?: object) => MLOperand;
const method = (builder: unknown, op: string) => (builder as Record<string, Unary>)[op]!.bind(builder);


function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : (f % 2 === 0 ? f : f + 1);
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

const wrap = (t: MLOperandDataType, x: number) =>
  (t === 'int32' ? Number(BigInt.asIntN(32, BigInt(x))) : t === 'int8' ? Number(BigInt.asIntN(8, BigInt(x))) : x);

interface UnarySpec {
  ref: (x: number, t: MLOperandDataType) => number;
  /** Random data range for float inputs. */
  range: [number, number];
  required: readonly MLOperandDataType[];
}

const FLOATS: readonly MLOperandDataType[] = ['float32', 'float16'];
const SIGNED_REQUIRED: readonly MLOperandDataType[] = ['float32', 'float16', 'int32'];
const OPS: Record<string, UnarySpec> = {
  abs: { ref: (x, t) => wrap(t, Math.abs(x)), range: [-50, 50], required: SIGNED_REQUIRED },
  neg: { ref: (x, t) => wrap(t, -x), range: [-50, 50], required: SIGNED_REQUIRED },
  sign: { ref: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), range: [-2, 2], required: SIGNED_REQUIRED },
  identity: { ref: (x) => x, range: [-50, 50], required: SIGNED_REQUIRED },
  ceil: { ref: Math.ceil, range: [-10, 10], required: FLOATS },
  floor: { ref: Math.floor, range: [-10, 10], required: FLOATS },
  roundEven: { ref: roundHalfEven, range: [-10, 10], required: FLOATS },
  cos: { ref: Math.cos, range: [-10, 10], required: FLOATS },
  sin: { ref: Math.sin, range: [-10, 10], required: FLOATS },
  tan: { ref: Math.tan, range: [-1.4, 1.4], required: FLOATS },
  erf: { ref: erf, range: [-4, 4], required: FLOATS },
  exp: { ref: Math.exp, range: [-10, 10], required: FLOATS },
  log: { ref: Math.log, range: [0.01, 100], required: FLOATS },
  sqrt: { ref: Math.sqrt, range: [0, 100], required: FLOATS },
  reciprocal: { ref: (x) => 1 / x, range: [0.1, 10], required: FLOATS },
};
const TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const INT_RANGE: Partial<Record<MLOperandDataType, [number, number]>> = {
  int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

async function advertised(backend: BackendName, op: string): Promise<readonly MLOperandDataType[]> {
  const limits = (await contextFor(backend)).opSupportLimits() as unknown as
    Record<string, { input: { dataTypes: MLOperandDataType[] }; output: { dataTypes: MLOperandDataType[] } }>;
  return limits[op]!.input.dataTypes;
}

async function runUnary(backend: BackendName, op: string, t: MLOperandDataType, shape: number[], data: number[]): Promise<RunResult> {
  const result = await runGraph(backend, { x: { dataType: t, shape, data } }, (builder, { x }) => ({ out: method(builder, op)(x!) }));
  return result['out']!;
}

function expectedFor(op: string, t: MLOperandDataType, data: readonly number[]): number[] {
  const exact = data.map((x) => OPS[op]!.ref(x, t));
  // Rounded to the output type: float32 overflows to infinity like float16 does.
  return t === 'float16' || t === 'float32' ? representable(exact, t) : exact;
}

function assertZeroSigns(result: RunResult, expected: readonly number[], message: string): void {
  expected.forEach((e, i) => {
    if (e === 0 && !Object.is(e, result.data[i])) throw new Error(`${message} [${i}]: zero of the wrong sign`);
  });
}

forEachBackend('element-wise unary', (backend) => {
  const shapes: number[][] = [[], [5], [2, 3], [2, 1, 3, 2], [1, 2, 1, 3, 2]];
  for (const [op, spec] of Object.entries(OPS)) {
    it(`${op}: advertises the required data types ${spec.required.join(', ')}`, async () => {
      const types = await advertised(backend, op);
      for (const t of spec.required) if (!types.includes(t)) throw new Error(`${op} does not advertise ${t}`);
    });
    for (const t of TYPES) {
      for (const shape of shapes) {
        it(`${op} ${t} [${shape}] (computed when advertised, rejected otherwise)`, async () => {
          if (!(await advertised(backend, op)).includes(t)) {
            const builder = await builderFor(backend);
            await assertThrows(() => method(builder, op)(builder.input('x', { dataType: t, shape })), 'TypeError', op);
            return;
          }
          const [lo, hi] = INT_RANGE[t] ?? spec.range;
          let data = representable(randomData(size(shape), 11 + shape.length, lo, hi), t);
          if (op === 'reciprocal') data = data.map((x, i) => (i % 2 ? -x : x));
          assertClose(await runUnary(backend, op, t, shape, data), { shape, data: expectedFor(op, t, data) });
        });
      }
    }
  }

  const FLOAT_EDGES = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5, 0.1, 0.9, 1.1, 1.9,
    -1e-7, 1e-7, 65504, -65504, 1e4, 100, -100, 1, -1];
  for (const op of Object.keys(OPS)) {
    for (const t of FLOATS) {
      it(`${op} ${t}: NaN, infinities, signed zeros, ties and extremes`, async () => {
        const data = representable(FLOAT_EDGES, t);
        const expected = expectedFor(op, t, data);
        const result = await runUnary(backend, op, t, [data.length], data);
        assertClose(result, { shape: [data.length], data: expected }, undefined, op);
        // sin is held to an absolute error only (wasm's kernel is off by ~2e-7 near 0 and returns +0 for -0).
        if (op !== 'sin') assertZeroSigns(result, expected, op);
      });
    }
  }

  it('roundEven follows the spec example', async () => {
    const data = [0.1, 0.9, 1.1, 1.9, -3.5, -2.5, -1.5, 1.5, 2.5, 3.5];
    const result = await runUnary(backend, 'roundEven', 'float32', [10], data);
    assertClose(result, { shape: [10], data: [0, 1, 1, 2, -4, -2, -2, 2, 2, 4] });
  });

  for (const t of ['int32', 'int8'] as MLOperandDataType[]) {
    it(`abs, neg, sign, identity ${t}: extremes (abs and neg of the minimum wrap to it)`, async () => {
      const [lo, hi] = INT_RANGE[t]!;
      const data = [lo, lo + 1, -2, -1, 0, 1, 2, hi - 1, hi];
      for (const op of ['abs', 'neg', 'sign', 'identity']) {
        if (!(await advertised(backend, op)).includes(t)) continue; // covered by the per-type cases
        const result = await runUnary(backend, op, t, [data.length], data);
        assertClose(result, { shape: [data.length], data: expectedFor(op, t, data) }, undefined, `${op} ${t}`);
      }
    });
  }

  it('identity uint8 keeps every value', async () => {
    const data = Array.from({ length: 256 }, (_, i) => i);
    assertClose(await runUnary(backend, 'identity', 'uint8', [256], data), { shape: [256], data });
  });

  describe('validation', () => {
    for (const [op, spec] of Object.entries(OPS)) {
      it(`${op}: unsupported data types, non-operands and foreign operands throw TypeError; output copies the input`, async () => {
        const builder = await builderFor(backend);
        if (spec.required === FLOATS) {
          await assertThrows(() => method(builder, op)(builder.input('i', { dataType: 'int32', shape: [2] })), 'TypeError', op);
        }
        if (op !== 'identity') {
          await assertThrows(() => method(builder, op)(builder.input('u', { dataType: 'uint8', shape: [2] })), 'TypeError', op);
        }
        await assertThrows(() => method(builder, op)({} as MLOperand), 'TypeError', op);
        await assertThrows(() => (method(builder, op) as (...args: unknown[]) => unknown)(), 'TypeError');
        const other = (await builderFor(backend)).input('x', { dataType: 'float32', shape: [2] });
        await assertThrows(() => method(builder, op)(other), 'TypeError', op);
        await assertThrows(() => method(builder, op)(other, { label: 'lbl' }), 'TypeError', `${op} [lbl]`);
        const out = method(builder, op)(builder.input('f', { dataType: 'float16', shape: [3, 1, 2] }), { label: 'ok' });
        if (out.dataType !== 'float16' || out.shape.join() !== '3,1,2') throw new Error(`${op}: ${out.dataType} [${out.shape}]`);
        const fn = (builder as unknown as Record<string, { length: number }>)[op]!;
        if (fn.length !== 1) throw new Error(`${op}.length is ${fn.length}`);
      });
    }
  });
});
