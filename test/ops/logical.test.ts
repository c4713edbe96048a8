import {
  assertClose, assertThrows, broadcastTo, builderFor, contextFor, forEachBackend, randomData, representable, runGraph,
  size,
  type RunResult, type TensorValue,
} from '../util/harness.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';

type Method = (...args: unknown[]) => MLOperand;
const method = (builder: unknown, op: string) => (builder as Record<string, Method>)[op]!.bind(builder);

const bit = (x: boolean) => (x ? 1 : 0);
const COMPARISONS: Record<string, (a: number, b: number) => number> = {
  equal: (a, b) => bit(a === b),
  notEqual: (a, b) => bit(a !== b),
  greater: (a, b) => bit(a > b),
  greaterOrEqual: (a, b) => bit(a >= b),
  lesser: (a, b) => bit(a < b),
  lesserOrEqual: (a, b) => bit(a <= b),
};
const LOGICAL: Record<string, (a: number, b: number) => number> = {
  logicalAnd: (a, b) => bit(a !== 0 && b !== 0),
  logicalOr: (a, b) => bit(a !== 0 || b !== 0),
  logicalXor: (a, b) => bit((a !== 0) !== (b !== 0)),
};
const UNARY: Record<string, (a: number) => number> = {
  logicalNot: (a) => bit(a === 0),
  isNaN: (a) => bit(Number.isNaN(a)),
  isInfinite: (a) => bit(a === Infinity || a === -Infinity),
};
const TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];

function broadcastShape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => Math.max(a[a.length - r + i] ?? 1, b[b.length - r + i] ?? 1));
}

/** Values drawn from a small pool, so that equal pairs are frequent. */
const POOL: Record<string, number[]> = {
  float32: [-2.5, -1, -0, 0, 0.1, 1, 3.75, 1e30],
  float16: [-2.5, -1, -0, 0, 0.1, 1, 3.75, 65504],
  int32: [-2147483648, -16777217, -16777216, -1, 0, 1, 16777216, 16777217, 2147483646, 2147483647],
  int8: [-128, -127, -1, 0, 1, 126, 127],
  uint8: [0, 1, 2, 127, 128, 254, 255],
};
function pick(t: string, n: number, seed: number): number[] {
  const pool = POOL[t]!;
  return representable(randomData(n, seed, 0, pool.length).map((r) => pool[Math.floor(r)]!), t as MLOperandDataType);
}

type Limits = Record<string, Record<string, { dataTypes: MLOperandDataType[]; rankRange: { min: number; max: number } }>>;
async function limitsOf(backend: BackendName): Promise<Limits> {
  return (await contextFor(backend)).opSupportLimits() as unknown as Limits;
}

async function run(backend: BackendName, op: string, t: MLOperandDataType, sa: number[], a: number[], sb?: number[], b?: number[]):
  Promise<RunResult> {
  const inputs: Record<string, TensorValue> = { a: { dataType: t, shape: sa, data: a } };
  if (sb) inputs['b'] = { dataType: t, shape: sb, data: b! };
  const result = await runGraph(backend, inputs, (builder, { a: x, b: y }) =>
    ({ out: sb ? method(builder, op)(x, y) : method(builder, op)(x) }));
  return result['out']!;
}

forEachBackend('element-wise logical', (backend) => {
  const cases: [number[], number[]][] = [
    [[2, 3], [2, 3]], [[2, 1, 3], [4, 1]], [[4, 1], [2, 1, 3]], [[], [5]], [[5], []], [[], []], [[2, 1, 2, 1, 3], [1, 3, 1, 2, 1]],
  ];

  for (const [op, ref] of Object.entries({ ...COMPARISONS, ...LOGICAL })) {
    for (const t of TYPES) {
      for (const [sa, sb] of cases) {
        it(`${op} ${t} [${sa}] x [${sb}] (computed when advertised, rejected otherwise)`, async () => {
          const limits = (await limitsOf(backend))[op]!;
          if (!limits['a']!.dataTypes.includes(t)) {
            const builder = await builderFor(backend);
            const x = builder.input('a', { dataType: t, shape: sa });
            const y = builder.input('b', { dataType: t, shape: sb });
            await assertThrows(() => method(builder, op)(x, y), 'TypeError', op);
            return;
          }
          const a = pick(t, size(sa), 5 + sa.length);
          const b = pick(t, size(sb), 17 + sb.length);
          const out = broadcastShape(sa, sb);
          const ea = broadcastTo(a, sa, out);
          const eb = broadcastTo(b, sb, out);
          const result = await run(backend, op, t, sa, a, sb, b);
          if (result.dataType !== 'uint8') throw new Error(`output is ${result.dataType}`);
          assertClose(result, { shape: out, data: ea.map((x, i) => ref(x, eb[i]!)) });
        });
      }
    }
  }

  for (const [op, ref] of Object.entries(UNARY)) {
    for (const t of TYPES) {
      for (const shape of [[], [7], [2, 1, 3, 1, 2]]) {
        it(`${op} ${t} [${shape}] (computed when advertised, rejected otherwise)`, async () => {
          const limits = (await limitsOf(backend))[op]!;
          if (!limits['a']!.dataTypes.includes(t)) {
            const builder = await builderFor(backend);
            await assertThrows(() => method(builder, op)(builder.input('a', { dataType: t, shape })), 'TypeError', op);
            return;
          }
          // Integer types hold no NaN or infinity: their own pools.
          const values = t !== 'float32' && t !== 'float16' ? POOL[t]!
            : representable([NaN, Infinity, -Infinity, 0, -0, 1, -65504, 3e38, NaN, 2], t);
          const a = Array.from({ length: size(shape) }, (_, i) => values[(i * 3 + 1) % values.length]!);
          assertClose(await run(backend, op, t, shape, a), { shape, data: a.map(ref) });
        });
      }
    }
  }

  for (const t of ['float32', 'float16'] as MLOperandDataType[]) {
    it(`comparisons ${t}: NaN compares false (notEqual true), -0 equals 0, infinities order`, async () => {
      const a = [NaN, NaN, 1, -0, Infinity, -Infinity, Infinity, -Infinity];
      const b = [NaN, 1, NaN, 0, Infinity, -Infinity, 65504, -65504];
      for (const [op, ref] of Object.entries(COMPARISONS)) {
        const result = await run(backend, op, t, [8], a, [8], b);
        assertClose(result, { shape: [8], data: a.map((x, i) => ref(x, b[i]!)) }, undefined, op);
      }
    });
  }

  it('comparisons int32: neighbours at the ends of the int32 range are told apart', async () => {
    const [lo, hi] = [-2147483648, 2147483647];
    const a = [hi, hi - 1, lo, lo + 1, hi - 2];
    const b = [hi - 1, hi, lo + 1, lo, hi - 2];
    for (const [op, ref] of Object.entries(COMPARISONS)) {
      const result = await run(backend, op, 'int32', [5], a, [5], b);
      assertClose(result, { shape: [5], data: a.map((x, i) => ref(x, b[i]!)) }, undefined, op);
    }
  });

  it('logical ops treat every non-zero uint8 as true, over all pairs of 0, 1, 2, 128, 255', async () => {
    const values = [0, 1, 2, 128, 255];
    const a = values.flatMap((x) => values.map(() => x));
    const b = values.flatMap(() => values);
    for (const [op, ref] of Object.entries(LOGICAL)) {
      const result = await run(backend, op, 'uint8', [a.length], a, [b.length], b);
      assertClose(result, { shape: [a.length], data: a.map((x, i) => ref(x, b[i]!)) }, undefined, op);
    }
    assertClose(await run(backend, 'logicalNot', 'uint8', [5], values), { shape: [5], data: [1, 0, 0, 0, 0] });
  });

  it('a logical result feeds another logical op (0/1 stays 0/1)', async () => {
    const result = await runGraph(backend, {
      a: { dataType: 'float32', shape: [4], data: [1, 2, 3, NaN] }, b: { dataType: 'float32', shape: [4], data: [2, 2, 2, 2] },
    }, (builder, { a, b }) => ({
      out: method(builder, 'logicalXor')(method(builder, 'lesser')(a, b), method(builder, 'logicalNot')(method(builder, 'equal')(a, b))),
    }));
    assertClose(result['out']!, { shape: [4], data: [0, 0, 1, 1] });
  });

  describe('validation', () => {
    it('opSupportLimits members: {a, b, output} for binary ops, {a, output} for logicalNot, isNaN, isInfinite', async () => {
      const limits = await limitsOf(backend);
      for (const op of [...Object.keys(COMPARISONS), ...Object.keys(LOGICAL)]) {
        if (Object.keys(limits[op]!).sort().join() !== 'a,b,output') throw new Error(`${op}: ${Object.keys(limits[op]!)}`);
        if (limits[op]!['output']!.dataTypes.join() !== 'uint8') throw new Error(`${op} output ${limits[op]!['output']!.dataTypes}`);
      }
      for (const op of Object.keys(UNARY)) {
        if (Object.keys(limits[op]!).sort().join() !== 'a,output') throw new Error(`${op}: ${Object.keys(limits[op]!)}`);
      }
      for (const op of Object.keys(COMPARISONS)) {
        for (const t of ['float32', 'float16', 'int32'] as MLOperandDataType[]) {
          if (!limits[op]!['a']!.dataTypes.includes(t)) throw new Error(`${op} does not advertise required ${t}`);
        }
      }
      for (const op of Object.keys(LOGICAL).concat('logicalNot')) {
        if (limits[op]!['a']!.dataTypes.join() !== 'uint8') throw new Error(`${op}: ${limits[op]!['a']!.dataTypes}`);
      }
      for (const op of ['isNaN', 'isInfinite']) {
        if (limits[op]!['a']!.dataTypes.length !== 8) throw new Error(`${op}: ${limits[op]!['a']!.dataTypes}`);
      }
    });

    for (const op of [...Object.keys(COMPARISONS), ...Object.keys(LOGICAL)]) {
      it(`${op}: mismatched types, unbroadcastable shapes, wrong types, non-operands and foreign operands throw TypeError`,
        async () => {
          const builder = await builderFor(backend);
          const t: MLOperandDataType = op in LOGICAL ? 'uint8' : 'float32';
          const x = builder.input('a', { dataType: t, shape: [2, 3] });
          const y = builder.input('b', { dataType: t === 'uint8' ? 'int8' : 'int32', shape: [2, 3] });
          const z = builder.input('c', { dataType: t, shape: [4] });
          await assertThrows(() => method(builder, op)(x, y), 'TypeError', op);
          await assertThrows(() => method(builder, op)(x, z), 'TypeError', op);
          await assertThrows(() => method(builder, op)(x, 0), 'TypeError', op);
          await assertThrows(() => method(builder, op)(x), 'TypeError');
          if (op in LOGICAL) {
            const f = builder.input('f', { dataType: 'float32', shape: [2, 3] });
            await assertThrows(() => method(builder, op)(f, f), 'TypeError', op);
          }
          const other = (await builderFor(backend)).input('a', { dataType: t, shape: [2, 3] });
          await assertThrows(() => method(builder, op)(other, x), 'TypeError', op);
          await assertThrows(() => method(builder, op)(x, z, { label: 'lbl' }), 'TypeError', `${op} [lbl]`);
          const out = method(builder, op)(x, builder.input('d', { dataType: t, shape: [3] }));
          if (out.dataType !== 'uint8' || out.shape.join() !== '2,3') throw new Error(`${op}: ${out.dataType} [${out.shape}]`);
          if ((builder as unknown as Record<string, { length: number }>)[op]!.length !== 2) throw new Error(`${op}.length`);
        });
    }

    for (const op of Object.keys(UNARY)) {
      it(`${op}: wrong data types, non-operands and foreign operands throw TypeError`, async () => {
        const builder = await builderFor(backend);
        // isNaN and isInfinite take every data type.
        const bad: MLOperandDataType[] = op === 'logicalNot' ? ['float32', 'int8', 'int32'] : [];
        for (const t of bad) {
          await assertThrows(() => method(builder, op)(builder.input(`x${t}`, { dataType: t, shape: [2] })), 'TypeError', op);
        }
        await assertThrows(() => method(builder, op)('a'), 'TypeError', op);
        await assertThrows(() => method(builder, op)(), 'TypeError');
        const good: MLOperandDataType = op === 'logicalNot' ? 'uint8' : 'float16';
        const other = (await builderFor(backend)).input('a', { dataType: good, shape: [2] });
        await assertThrows(() => method(builder, op)(other), 'TypeError', op);
        const out = method(builder, op)(builder.input('ok', { dataType: good, shape: [4, 1] }));
        if (out.dataType !== 'uint8' || out.shape.join() !== '4,1') throw new Error(`${op}: ${out.dataType} [${out.shape}]`);
        if ((builder as unknown as Record<string, { length: number }>)[op]!.length !== 1) throw new Error(`${op}.length`);
      });
    }
  });
});
