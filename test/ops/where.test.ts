import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, broadcastTo, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size,
} from '../util/harness.js';

type Where = (condition: MLOperand, trueValue: MLOperand, falseValue: MLOperand, options?: object) => MLOperand;
const whereOf = (b: MLGraphBuilder) => (b as unknown as { where: Where }).where.bind(b);

function broadcastShape(...shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)));
}

/** Element-wise choice after broadcasting all three; any non-zero condition is true. */
function whereReference(c: readonly number[], cs: number[], t: readonly number[], ts: number[], f: readonly number[], fs: number[]) {
  const shape = broadcastShape(cs, ts, fs);
  const bc = broadcastTo(c, cs, shape);
  const bt = broadcastTo(t, ts, shape);
  const bf = broadcastTo(f, fs, shape);
  return { shape, data: bc.map((v, i) => (v !== 0 ? bt[i]! : bf[i]!)) };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const RANGE: Record<string, [number, number]> = {
  float32: [-1000, 1000], float16: [-1000, 1000], int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};

/** Conditions drawn from 0, 1 and other non-zero bytes, zero about half of the time. */
function conditionData(count: number, seed: number): number[] {
  return randomData(count, seed, 0, 1).map((r, i) => (r < 0.5 ? 0 : [1, 2, 255, 128, 7][i % 5]!));
}

forEachBackend('where', (backend) => {
  const cases: [number[], number[], number[]][] = [
    [[2, 3], [2, 3], [2, 3]], [[], [], []], [[], [2, 3], [2, 3]], [[2, 3], [], []], [[2, 3], [3], [2, 1]],
    [[2, 1], [1, 3], [3]], [[4], [2, 1], [3, 1, 1]], [[2, 1, 2, 1, 3], [1, 3, 1, 2, 1], [1, 2, 1, 3]],
    [[2, 3, 2, 2, 3], [2, 3, 2, 2, 3], [2, 3, 2, 2, 3]], [[1, 1, 1, 1, 5], [], [5]], [[1], [1], [1]],
  ];
  for (const dataType of TYPES) {
    for (const [cs, ts, fs] of cases) {
      it(`${dataType} condition [${cs}] trueValue [${ts}] falseValue [${fs}]`, async () => {
        const [lo, hi] = RANGE[dataType]!;
        const c = conditionData(size(cs), 21);
        const t = representable(randomData(size(ts), 23, lo, hi), dataType);
        const f = representable(randomData(size(fs), 29, lo, hi), dataType);
        const result = await runGraph(backend, {
          c: { dataType: 'uint8', shape: cs, data: c }, t: { dataType, shape: ts, data: t }, f: { dataType, shape: fs, data: f },
        }, (b, ops) => ({ out: whereOf(b)(ops['c']!, ops['t']!, ops['f']!) }));
        if (result['out']!.dataType !== dataType) throw new Error(`output data type ${result['out']!.dataType}`);
        assertClose(result['out']!, whereReference(c, cs, t, ts, f, fs));
      });
    }
  }

  it('every non-zero byte is true', async () => {
    const c = Array.from({ length: 256 }, (_, i) => i);
    const result = await runGraph(backend, { c: { dataType: 'uint8', shape: [256], data: c } }, (b, { c: cond }) => {
      const t = b.constant('float32', 1);
      const f = b.constant('float32', -1);
      return { out: whereOf(b)(cond!, t, f) };
    });
    assertClose(result['out']!, { shape: [256], data: c.map((v) => (v === 0 ? -1 : 1)) });
  });

  it('a condition computed in the graph (a comparison)', async () => {
    const a = [1, 5, -2, 7, 0, 3];
    const result = await runGraph(backend, { a: { dataType: 'float32', shape: [2, 3], data: a } }, (b, { a: x }) => {
      const zero = b.constant('float32', 0);
      const cond = (b as unknown as { greater(a: MLOperand, b: MLOperand): MLOperand }).greater(x!, zero);
      return { out: whereOf(b)(cond, x!, zero) };
    });
    assertClose(result['out']!, { shape: [2, 3], data: a.map((v) => Math.max(v, 0)) });
  });

  it('int32 extremes and float specials are selected exactly', async () => {
    const c = [1, 0, 3, 0, 255, 0];
    const t = [2147483647, -2147483648, 16777217, -16777217, 123456789, 5];
    const f = [-2147483648, 2147483647, -16777219, 16777219, 0, -123456789];
    const r1 = await runGraph(backend, {
      c: { dataType: 'uint8', shape: [6], data: c }, t: { dataType: 'int32', shape: [6], data: t },
      f: { dataType: 'int32', shape: [6], data: f },
    }, (b, ops) => ({ out: whereOf(b)(ops['c']!, ops['t']!, ops['f']!) }));
    assertClose(r1['out']!, whereReference(c, [6], t, [6], f, [6]));
    const tf = [NaN, Infinity, -0, 1, NaN, -Infinity];
    const ff = [0, -Infinity, 2, NaN, Infinity, -0];
    const r2 = await runGraph(backend, {
      c: { dataType: 'uint8', shape: [1, 1, 1, 1, 6], data: c }, t: { dataType: 'float32', shape: [6], data: tf },
      f: { dataType: 'float32', shape: [2, 1, 1, 1, 6], data: [...ff, ...ff] },
    }, (b, ops) => ({ out: whereOf(b)(ops['c']!, ops['t']!, ops['f']!) }));
    assertClose(r2['out']!, whereReference(c, [1, 1, 1, 1, 6], tf, [6], [...ff, ...ff], [2, 1, 1, 1, 6]));
    if (!Object.is(r2['out']!.data[2], -0)) throw new Error(`-0 became ${r2['out']!.data[2]}`);
  });

  it('reports the required types', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as
      Record<string, Record<string, { dataTypes: string[] }>>;
    const l = limits['where']!;
    if (l['condition']!.dataTypes.join() !== 'uint8') throw new Error(`condition ${l['condition']!.dataTypes}`);
    for (const member of ['trueValue', 'falseValue', 'output']) {
      for (const t of ['float32', 'float16', 'int32']) if (!l[member]!.dataTypes.includes(t)) throw new Error(`${member} lacks ${t}`);
    }
  });

  it('validation', async () => {
    const b = await builderFor(backend);
    const f = whereOf(b);
    let n = 0;
    const input = (dataType: MLOperandDataType, shape: number[]) => b.input(`i${n++}`, { dataType, shape });
    const c = input('uint8', [2, 3]);
    const x = input('float32', [2, 3]);
    const fails = (cond: MLOperand, t: MLOperand, e: MLOperand) => assertThrows(() => f(cond, t, e), 'TypeError', /^where/);
    await fails(input('int32', [2, 3]), x, x);
    await fails(input('float32', [2, 3]), x, x);
    await fails(input('int8', [2, 3]), x, x);
    await fails(c, x, input('float16', [2, 3]));
    await fails(c, input('int32', [2, 3]), x);
    await fails(c, x, input('float32', [3, 2]));
    await fails(input('uint8', [1]), input('float32', [4]), input('float32', [3]));
    await fails(input('uint8', [2]), x, x);
    await fails(input('uint8', [2, 2, 3]), input('float32', [3, 1, 1]), x);
    await fails({} as MLOperand, x, x);
    await fails(c, x, (await builderFor(backend)).input('x', { dataType: 'float32', shape: [2, 3] }));
    await assertThrows(() => (f as unknown as (a: MLOperand, b: MLOperand) => MLOperand)(c, x), 'TypeError');
    const y = f(input('uint8', [2, 1, 1]), input('int8', [3, 1]), input('int8', [4]));
    if (y.dataType !== 'int8' || y.shape.join() !== '2,3,4') throw new Error(`${y.dataType} [${y.shape}]`);
  });
});
