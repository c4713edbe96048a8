import {
  assertClose, assertThrows, builderFor, contextFor, forEachBackend, randomData, representable, runGraph, size,
  type RunResult,
} from '../util/harness.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { float16BitsToNumber } from '../../src/types/float16.js';

type Method = (...args: unknown[]) => MLOperand;
const method = (builder: unknown, op: string) => (builder as Record<string, Method>)[op]!.bind(builder);

const TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const isFloat = (t: MLOperandDataType) => t === 'float32' || t === 'float16';
const RANGE: Partial<Record<MLOperandDataType, [number, number]>> = {
  int32: [-2147483648, 2147483647], int8: [-128, 127], uint8: [0, 255],
};
const BITS: Partial<Record<MLOperandDataType, number>> = { int32: 32, int8: 8, uint8: 8 };

/**
 * The spec's cast: float -> float and int -> float round to nearest; float -> int truncates (out of range, which the
 * spec leaves implementation-defined, saturates here and NaN gives 0); int -> int keeps the low bits.
 */
function reference(x: number, from: MLOperandDataType, to: MLOperandDataType): number {
  if (isFloat(to)) return representable([x], to)[0]!;
  const [lo, hi] = RANGE[to]!;
  if (isFloat(from)) return Number.isNaN(x) ? 0 : Math.min(hi, Math.max(lo, Math.trunc(x)));
  const bits = BITS[to]!;
  return Number(to === 'uint8' ? BigInt.asUintN(bits, BigInt(x)) : BigInt.asIntN(bits, BigInt(x)));
}

/** In-range values of each source type, with boundaries and fractions of both signs. */
function sourceValues(from: MLOperandDataType, to: MLOperandDataType, n: number, seed: number): number[] {
  const range = (t: MLOperandDataType): [number, number] => RANGE[t]!;
  if (!isFloat(from)) {
    const [lo, hi] = range(from);
    const specials = [lo, hi, 0, -1, 1].filter((v) => v >= lo && v <= hi);
    return [...specials, ...representable(randomData(n, seed, lo, hi), from)].slice(0, n);
  }
  const fromMax = from === 'float16' ? 65504 : 1e6;
  const [lo, hi] = isFloat(to) ? [-70000, 70000] : range(to);
  const values = randomData(n, seed, Math.max(lo, -fromMax), Math.min(hi + 0.999, fromMax));
  return representable(values, from);
}

async function runCast(backend: BackendName, from: MLOperandDataType, to: MLOperandDataType, shape: number[], data: number[]):
  Promise<RunResult> {
  const result = await runGraph(backend, { x: { dataType: from, shape, data } }, (builder, { x }) => ({ out: method(builder, 'cast')(x, to) }));
  return result['out']!;
}

const exactly = { atol: 0, rtol: 0 };

forEachBackend('cast', (backend) => {
  const shapes: number[][] = [[], [7], [2, 3], [2, 1, 3, 2, 2]];
  for (const from of TYPES) {
    for (const to of TYPES) {
      for (const shape of shapes) {
        it(`${from} -> ${to} [${shape}]`, async () => {
          const data = sourceValues(from, to, size(shape), 13 + shape.length);
          const result = await runCast(backend, from, to, shape, data);
          if (result.dataType !== to) throw new Error(`output type ${result.dataType}`);
          assertClose(result, { shape, data: data.map((x) => reference(x, from, to)) }, exactly);
        });
      }
    }
  }

  it('float32 -> float16 -> float32 rounds inside the graph: ties to even, subnormals, overflow, NaN, signed zeros', async () => {
    const specials = [0, -0, NaN, Infinity, -Infinity, 65504, 65519.99, 65520, -65520, 1e38, -3e38, 2 ** -14, 2 ** -24,
      2 ** -25, -(2 ** -25), 2 ** -25 * 1.0001, 3 * 2 ** -25, -(2 ** -26), 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2048 + 1, -(2048 + 3),
      0.1, -0.3333333, 1e-6, -1e-7, 6.0975e-5, 6.1e-5, 2 ** -14 - 2 ** -25];
    const random = randomData(400, 99, -1, 1).map((r, i) => r * 2 ** ((i % 40) - 26));
    const data = representable([...specials, ...random], 'float32');
    const result = await runGraph(backend, { x: { dataType: 'float32', shape: [data.length], data } },
      (builder, { x }) => ({ out: method(builder, 'cast')(method(builder, 'cast')(x, 'float16'), 'float32') }));
    const expected = representable(data, 'float16');
    assertClose(result['out']!, { shape: [data.length], data: expected }, exactly);
    expected.forEach((e, i) => {
      if (e === 0 && !Object.is(e, result['out']!.data[i])) throw new Error(`[${i}] ${data[i]}: zero of the wrong sign`);
    });
  });

  it('every float16 bit pattern survives float16 -> float32 -> float16 and float16 -> float32 exactly', async () => {
    const data = Array.from({ length: 65536 }, (_, bits) => float16BitsToNumber(bits));
    const result = await runGraph(backend, { x: { dataType: 'float16', shape: [65536], data } }, (builder, { x }) => {
      const f32 = method(builder, 'cast')(x, 'float32');
      return { f32, back: method(builder, 'cast')(f32, 'float16') };
    });
    assertClose(result['f32']!, { shape: [65536], data }, exactly);
    assertClose(result['back']!, { shape: [65536], data }, exactly);
  });

  it('a float16 intermediate is converted as its float16 value', async () => {
    // 1 + 2^-11 and 2047.5 are float16 ties that round to even: 1 and 2048.
    const result = await runGraph(backend, {
      a: { dataType: 'float16', shape: [3], data: [1, 2047, -2047] }, b: { dataType: 'float16', shape: [3], data: [2 ** -11, 0.5, -0.5] },
    }, (builder, { a, b }) => {
      const sum = method(builder, 'add')(a, b);
      return { f32: method(builder, 'cast')(sum, 'float32'), i32: method(builder, 'cast')(sum, 'int32') };
    });
    assertClose(result['f32']!, { shape: [3], data: [1, 2048, -2048] }, exactly);
    assertClose(result['i32']!, { shape: [3], data: [1, 2048, -2048] }, exactly);
  });

  it('float -> integer: truncation toward zero, saturation out of range, NaN -> 0', async () => {
    const data = representable([-0.9, 0.9, -1.5, 1.5, 2.5, -127.99, 127.99, -128.5, 255.9, 256, -1, -300, 1e10, -1e10, 2147483520,
      2147483648, -2147483648, -2147483904, NaN, Infinity, -Infinity, 16777217], 'float32');
    for (const to of ['int32', 'int8', 'uint8'] as MLOperandDataType[]) {
      for (const from of ['float32', 'float16'] as MLOperandDataType[]) {
        const input = representable(data, from);
        const result = await runCast(backend, from, to, [input.length], input);
        assertClose(result, { shape: [input.length], data: input.map((x) => reference(x, from, to)) }, exactly, `${from} -> ${to}`);
      }
    }
  });

  it('integer -> integer keeps the low bits (two\'s complement) for every int8 and uint8 and int32 extremes', async () => {
    const bytes = Array.from({ length: 256 }, (_, i) => i - 128);
    const int32s = [-2147483648, -2147483647, -16777217, -65536, -257, -256, -129, 2147483647, 2147483646, 16777217, 65535, 511, 128];
    const cases: [MLOperandDataType, number[]][] = [['int8', bytes], ['uint8', bytes.map((b) => b + 128)], ['int32', [...int32s, ...bytes]]];
    for (const [from, data] of cases) {
      for (const to of ['int32', 'int8', 'uint8'] as MLOperandDataType[]) {
        const result = await runCast(backend, from, to, [data.length], data);
        assertClose(result, { shape: [data.length], data: data.map((x) => reference(x, from, to)) }, exactly, `${from} -> ${to}`);
      }
    }
  });

  it('int32 -> float rounds to nearest (ties to even) and overflows float16 to infinity', async () => {
    const data = [16777217, 16777219, -16777217, 2147483647, -2147483648, 65504, 65519, 65520, -65536, 2049, 2051, 4097];
    for (const to of ['float32', 'float16'] as MLOperandDataType[]) {
      const result = await runCast(backend, 'int32', to, [data.length], data);
      assertClose(result, { shape: [data.length], data: data.map((x) => reference(x, 'int32', to)) }, exactly, to);
    }
  });

  it('int32 -> float32 is rounded before the next operation reads it', async () => {
    const data = [16777217, 16777219, 2147483647, -2147483583];
    const rounded = data.map(Math.fround);
    const result = await runGraph(backend, { x: { dataType: 'int32', shape: [4], data } }, (builder, { x }) => {
      const f = method(builder, 'cast')(x, 'float32');
      const exact = builder.constant({ dataType: 'float32', shape: [4] }, Float32Array.from(rounded));
      return { out: method(builder, 'sub')(f, exact) };
    });
    assertClose(result['out']!, { shape: [4], data: [0, 0, 0, 0] }, exactly);
  });

  describe('validation', () => {
    it('invalid or unsupported target types, non-operands and foreign operands throw TypeError', async () => {
      const builder = await builderFor(backend);
      const x = builder.input('x', { dataType: 'float32', shape: [2, 3] });
      for (const bad of ['float64', 'int16', '', undefined, 'int4', 'bool']) {
        await assertThrows(() => method(builder, 'cast')(x, bad), 'TypeError', 'cast');
      }
      await assertThrows(() => method(builder, 'cast')(x), 'TypeError');
      await assertThrows(() => method(builder, 'cast')(1, 'int32'), 'TypeError', 'cast');
      const other = (await builderFor(backend)).input('x', { dataType: 'float32', shape: [2] });
      await assertThrows(() => method(builder, 'cast')(other, 'int8', { label: 'lbl' }), 'TypeError', 'cast [lbl]');
      const out = method(builder, 'cast')(x, 'uint8');
      if (out.dataType !== 'uint8' || out.shape.join() !== '2,3') throw new Error(`${out.dataType} [${out.shape}]`);
      if ((builder as unknown as { cast: { length: number } }).cast.length !== 2) throw new Error('cast.length');
    });

    it('opSupportLimits: input and output cover float32, float16, int32, int8, uint8', async () => {
      const limits = ((await contextFor(backend)).opSupportLimits() as unknown as
        Record<string, Record<string, { dataTypes: string[] }>>)['cast']!;
      if (Object.keys(limits).sort().join() !== 'input,output') throw new Error(`members ${Object.keys(limits)}`);
      for (const member of ['input', 'output']) {
        for (const t of TYPES) if (!limits[member]!.dataTypes.includes(t)) throw new Error(`${member} lacks ${t}`);
      }
    });
  });
});
