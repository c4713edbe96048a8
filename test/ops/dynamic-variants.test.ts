import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, broadcastTo, builderFor, forEachBackend, randomData, runGraph, size, strides,
  withDynamicShapes,
} from '../util/harness.js';
import { assertExact, exactConstant, runExact, type Element } from '../util/exact.js';

type Method = (...args: unknown[]) => unknown;
function op(b: MLGraphBuilder, name: string, ...args: unknown[]): MLOperand {
  return (b as unknown as Record<string, Method>)[name]!(...args) as MLOperand;
}

function vector(b: MLGraphBuilder, dataType: MLOperandDataType, values: readonly Element[]): MLOperand {
  return exactConstant(b, { dataType, shape: [values.length], data: values });
}

const data = (n: number, seed = 3) => randomData(n, seed, -5, 5).map(Math.fround);

/** Row-major coordinates of element `i` of `shape`. */
function coordinates(i: number, shape: readonly number[]): number[] {
  const s = strides(shape);
  return shape.map((_, d) => Math.floor(i / s[d]!) % shape[d]!);
}

/** Element of `x` (row-major, `shape`) at `coords`. */
function at(x: readonly number[], shape: readonly number[], coords: readonly number[]): number {
  const s = strides(shape);
  return x[coords.reduce((p, c, d) => p + c * s[d]!, 0)]!;
}

/** The spec's resample2d along axes 2 and 3 of an NCHW tensor (float64 reference). */
function resampleReference(x: readonly number[], shape: readonly number[], sizes: readonly [number, number],
  mode: 'nearest-neighbor' | 'linear'): number[] {
  const outShape = [shape[0]!, shape[1]!, sizes[0], sizes[1]];
  const coordinate = (o: number, inSize: number, outSize: number) =>
    Math.min(Math.max((o + 0.5) / (outSize / inSize) - 0.5, 0), inSize - 1);
  return Array.from({ length: size(outShape) }, (_, i) => {
    const [n, c, oh, ow] = coordinates(i, outShape) as [number, number, number, number];
    const ch = coordinate(oh, shape[2]!, sizes[0]);
    const cw = coordinate(ow, shape[3]!, sizes[1]);
    if (mode === 'nearest-neighbor') return at(x, shape, [n, c, Math.ceil(ch - 0.5), Math.ceil(cw - 0.5)]);
    const h0 = Math.floor(ch); const h1 = Math.ceil(ch); const wh = ch - h0;
    const w0 = Math.floor(cw); const w1 = Math.ceil(cw); const ww = cw - w0;
    const row = (h: number) => (1 - ww) * at(x, shape, [n, c, h, w0]) + ww * at(x, shape, [n, c, h, w1]);
    return (1 - wh) * row(h0) + wh * row(h1);
  });
}

describe('reshapeDynamic, expandDynamic, sliceDynamic, padDynamic, splitDynamic, resample2dDynamic, tileDynamic', () => {
  withDynamicShapes(true);

  forEachBackend('dynamic variants', (backend) => {
    it('reshapeDynamic: newShape from shape() through gather, mul, div and concat', async () => {
      const x = data(24);
      const r = await runGraph(backend, { x: { dataType: 'float32', shape: [2, 3, 4], data: x } }, (b, { x: input }) => {
        const s = op(b, 'shape', input);
        const dim = (i: number) => op(b, 'gather', s, vector(b, 'int32', [i]));
        // [shape[0] * shape[1], shape[2] / 2, 2]
        const newShape = op(b, 'concat', [op(b, 'mul', dim(0), dim(1)), op(b, 'div', dim(2), vector(b, 'uint32', [2])),
          vector(b, 'uint32', [2])], 0);
        // [shape[0], 12] from a slice of shape() and an int64 constant, through a cast.
        const first = op(b, 'cast', op(b, 'slice', s, [0], [1]), 'int64');
        const flat = op(b, 'concat', [first, vector(b, 'int64', [12n])], 0);
        return { a: op(b, 'reshapeDynamic', input, newShape), b: op(b, 'reshapeDynamic', input, flat, { label: 'flat' }) };
      });
      assertClose(r['a']!, { shape: [6, 2, 2], data: x });
      assertClose(r['b']!, { shape: [2, 12], data: x });
    });

    it('reshapeDynamic and tileDynamic on int64 data (the static host lowering)', async () => {
      const x = [1n, -(2n ** 62n), 3n, 2n ** 60n + 1n, -5n, 6n];
      const r = await runExact(backend, { x: { dataType: 'int64', shape: [2, 3], data: x } }, (b, { x: input }) => ({
        r: op(b, 'reshapeDynamic', input, vector(b, 'uint64', [3n, 2n])),
        t: op(b, 'tileDynamic', input, vector(b, 'int32', [1, 2])),
      }));
      assertExact(r['r']!.shape, [3, 2]);
      assertExact(r['r']!.data, x);
      assertExact(r['t']!.shape, [2, 6]);
      assertExact(r['t']!.data, [...x.slice(0, 3), ...x.slice(0, 3), ...x.slice(3), ...x.slice(3)]);
    });

    it('expandDynamic: to a constant shape and to shape() of another operand', async () => {
      const x = data(3);
      const y = data(24, 4);
      const r = await runGraph(backend, {
        x: { dataType: 'float32', shape: [3, 1], data: x },
        y: { dataType: 'float32', shape: [2, 3, 4], data: y },
      }, (b, { x: input, y: other }) => ({
        constant: op(b, 'expandDynamic', input, vector(b, 'int64', [2n, 3n, 5n])),
        like: op(b, 'add', op(b, 'expandDynamic', input, op(b, 'shape', other)), other),
      }));
      assertClose(r['constant']!, { shape: [2, 3, 5], data: broadcastTo(x, [3, 1], [2, 3, 5]) });
      const expanded = broadcastTo(x, [3, 1], [2, 3, 4]);
      assertClose(r['like']!, { shape: [2, 3, 4], data: expanded.map((v, i) => v + y[i]!) });
    });

    it('tileDynamic: repetitions from shape()', async () => {
      const x = data(6);
      const r = await runGraph(backend, { x: { dataType: 'float32', shape: [2, 3], data: x } }, (b, { x: input }) => ({
        out: op(b, 'tileDynamic', input, op(b, 'sub', op(b, 'shape', input), vector(b, 'uint32', [0, 2]))),
      }));
      // repetitions [2, 1]
      const expected = Array.from({ length: 12 }, (_, i) => {
        const [row, col] = coordinates(i, [4, 3]) as [number, number];
        return at(x, [2, 3], [row % 2, col]);
      });
      assertClose(r['out']!, { shape: [4, 3], data: expected });
    });

    it('sliceDynamic: starts and sizes from operands, with and without strides', async () => {
      const x = data(20);
      const r = await runGraph(backend, { x: { dataType: 'float32', shape: [4, 5], data: x } }, (b, { x: input }) => {
        const starts = vector(b, 'int32', [1, 0]);
        // sizes = shape(x) - [2, 0]: [2, 5]
        const sizes = op(b, 'sub', op(b, 'shape', input), vector(b, 'uint32', [2, 0]));
        return {
          plain: op(b, 'sliceDynamic', input, starts, sizes),
          strided: op(b, 'sliceDynamic', input, starts, sizes, { strides: [1, 2] }),
        };
      });
      const plain = Array.from({ length: 10 }, (_, i) => {
        const [row, col] = coordinates(i, [2, 5]) as [number, number];
        return at(x, [4, 5], [1 + row, col]);
      });
      const strided = Array.from({ length: 6 }, (_, i) => {
        const [row, col] = coordinates(i, [2, 3]) as [number, number];
        return at(x, [4, 5], [1 + row, 2 * col]);
      });
      assertClose(r['plain']!, { shape: [2, 5], data: plain });
      assertClose(r['strided']!, { shape: [2, 3], data: strided });
    });

    it('padDynamic: zeros around, paddings from operands', async () => {
      const x = [1, -2, 3, 4, 5, -6];
      const r = await runGraph(backend, { x: { dataType: 'int32', shape: [2, 3], data: x } }, (b, { x: input }) => ({
        out: op(b, 'padDynamic', input, vector(b, 'uint32', [1, 0]), vector(b, 'int64', [0n, 2n]), { label: 'p' }),
      }));
      const expected = Array.from({ length: 15 }, (_, i) => {
        const [row, col] = coordinates(i, [3, 5]) as [number, number];
        return row >= 1 && col < 3 ? at(x, [2, 3], [row - 1, col]) : 0;
      });
      assertClose(r['out']!, { shape: [3, 5], data: expected });
    });

    it('splitDynamic: a scalar count and a vector of sizes', async () => {
      const x = data(8);
      const r = await runGraph(backend, { x: { dataType: 'float32', shape: [2, 4], data: x } }, (b, { x: input }) => {
        const count = exactConstant(b, { dataType: 'uint32', shape: [], data: [2] });
        const [a0, a1] = op(b, 'splitDynamic', input, count, { axis: 1 }) as unknown as MLOperand[];
        const parts = op(b, 'splitDynamic', input, vector(b, 'int64', [1n, 3n]), { axis: 1 }) as unknown as MLOperand[];
        const rows = op(b, 'splitDynamic', input, vector(b, 'int32', [1, 1])) as unknown as MLOperand[];
        if (parts.length !== 2 || rows.length !== 2) throw new Error('split count');
        return { a0: a0!, a1: a1!, p0: parts[0]!, p1: parts[1]!, r1: rows[1]! };
      });
      const columns = (from: number, count: number) => Array.from({ length: 2 * count }, (_, i) =>
        at(x, [2, 4], [Math.floor(i / count), from + (i % count)]));
      assertClose(r['a0']!, { shape: [2, 2], data: columns(0, 2) });
      assertClose(r['a1']!, { shape: [2, 2], data: columns(2, 2) });
      assertClose(r['p0']!, { shape: [2, 1], data: columns(0, 1) });
      assertClose(r['p1']!, { shape: [2, 3], data: columns(1, 3) });
      assertClose(r['r1']!, { shape: [1, 4], data: x.slice(4) });
    });

    it('resample2dDynamic: sizes from an operand (nearest-neighbor, linear), scales without sizes', async () => {
      const shape = [1, 2, 3, 2];
      const x = data(12, 9);
      const r = await runGraph(backend, { x: { dataType: 'float32', shape, data: x } }, (b, { x: input }) => {
        // sizes = shape(x)[2:4] * 2 - [1, 0]: [5, 4]
        const twice = op(b, 'mul', op(b, 'slice', op(b, 'shape', input), [2], [2]), vector(b, 'uint32', [2, 2]));
        const sizes = op(b, 'sub', twice, vector(b, 'uint32', [1, 0]));
        return {
          nearest: op(b, 'resample2dDynamic', input, { sizes }),
          linear: op(b, 'resample2dDynamic', input, { mode: 'linear', sizes, axes: [2, 3] }),
          scaled: op(b, 'resample2dDynamic', input, { mode: 'linear', scales: [2, 2] }),
        };
      });
      assertClose(r['nearest']!, { shape: [1, 2, 5, 4], data: resampleReference(x, shape, [5, 4], 'nearest-neighbor') });
      assertClose(r['linear']!, { shape: [1, 2, 5, 4], data: resampleReference(x, shape, [5, 4], 'linear') });
      assertClose(r['scaled']!, { shape: [1, 2, 6, 4], data: resampleReference(x, shape, [6, 4], 'linear') });
    });

    const ALL: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64', 'int8', 'uint8'];
    for (const t of ALL) {
      it(`${t}: reshape, expand, slice, pad, split and tile dynamic variants move the data exactly`, async () => {
        const big = t === 'int64' || t === 'uint64';
        const signed = t !== 'uint32' && t !== 'uint64' && t !== 'uint8';
        const values = [1, 2, 3, 4, 5, 6].map((v) => (signed && v % 2 === 0 ? -v : v));
        const el = (v: number): Element => (big ? BigInt(v) : v);
        const r = await runExact(backend, { x: { dataType: t, shape: [2, 3], data: values.map(el) } }, (b, { x: input }) => {
          const s = op(b, 'shape', input);
          const [left, right] = op(b, 'splitDynamic', input, vector(b, 'int32', [1, 2]), { axis: 1 }) as unknown as MLOperand[];
          return {
            reshaped: op(b, 'reshapeDynamic', input, op(b, 'reverse', s)),
            expanded: op(b, 'expandDynamic', input, vector(b, 'uint32', [2, 2, 3])),
            sliced: op(b, 'sliceDynamic', input, vector(b, 'int64', [0n, 1n]), vector(b, 'uint64', [2n, 2n])),
            padded: op(b, 'padDynamic', input, vector(b, 'int32', [0, 1]), vector(b, 'int32', [0, 0])),
            left: left!, right: right!,
            tiled: op(b, 'tileDynamic', input, vector(b, 'int32', [1, 2])),
          };
        }).catch((e: Error) => { throw new Error(`${t}: ${e.message}`); });
        const v = values;
        const expected: Record<string, [number[], number[]]> = {
          reshaped: [[3, 2], v],
          expanded: [[2, 2, 3], [...v, ...v]],
          sliced: [[2, 2], [v[1]!, v[2]!, v[4]!, v[5]!]],
          padded: [[2, 4], [0, v[0]!, v[1]!, v[2]!, 0, v[3]!, v[4]!, v[5]!]],
          left: [[2, 1], [v[0]!, v[3]!]],
          right: [[2, 2], [v[1]!, v[2]!, v[4]!, v[5]!]],
          tiled: [[2, 6], [v[0]!, v[1]!, v[2]!, v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[3]!, v[4]!, v[5]!]],
        };
        for (const [name, [shape, data]] of Object.entries(expected)) {
          assertExact(r[name]!.shape, shape, `${t} ${name}`);
          assertExact(r[name]!.data, data.map(el), `${t} ${name}`);
        }
      });
    }

    it('a shape chain reaching tensor data is a TypeError', async () => {
      const b = await builderFor(backend);
      const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
      const n = b.input('n', { dataType: 'int32', shape: [2] });
      await assertThrows(() => op(b, 'reshapeDynamic', x, n), 'TypeError', "input 'n'");
      await assertThrows(() => op(b, 'reshapeDynamic', x, op(b, 'add', n, vector(b, 'int32', [0, 0]))), 'TypeError', "input 'n'");
      const fromShape = op(b, 'add', op(b, 'cast', op(b, 'shape', x), 'int32'), n);
      await assertThrows(() => op(b, 'expandDynamic', x, fromShape), 'TypeError', 'expandDynamic');
      await assertThrows(() => op(b, 'sliceDynamic', x, n, vector(b, 'int32', [1, 1])), 'TypeError', 'sliceDynamic');
      await assertThrows(() => op(b, 'padDynamic', x, vector(b, 'int32', [0, 0]), n), 'TypeError', 'padDynamic');
      await assertThrows(() => op(b, 'splitDynamic', x, n), 'TypeError', 'splitDynamic');
      await assertThrows(() => op(b, 'tileDynamic', x, n), 'TypeError', 'tileDynamic');
      const x4 = b.input('x4', { dataType: 'float32', shape: [1, 1, 2, 2] });
      await assertThrows(() => op(b, 'resample2dDynamic', x4, { sizes: n }), 'TypeError', 'resample2dDynamic');
    });

    it('shape operands: data type, rank and MLOperand checks (TypeError)', async () => {
      const b = await builderFor(backend);
      const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
      const floats = exactConstant(b, { dataType: 'float32', shape: [2], data: [3, 2] });
      const int8s = exactConstant(b, { dataType: 'int8', shape: [2], data: [3, 2] });
      const matrix = exactConstant(b, { dataType: 'int32', shape: [1, 2], data: [3, 2] });
      const scalar = exactConstant(b, { dataType: 'int32', shape: [], data: [6] });
      for (const bad of [floats, int8s, matrix, scalar]) {
        await assertThrows(() => op(b, 'reshapeDynamic', x, bad), 'TypeError', 'reshapeDynamic');
      }
      await assertThrows(() => op(b, 'reshapeDynamic', x, [3, 2]), 'TypeError', 'reshapeDynamic');
      await assertThrows(() => op(b, 'splitDynamic', x, matrix), 'TypeError', 'splitDynamic');
      await assertThrows(() => op(b, 'splitDynamic', x, 2), 'TypeError', 'splitDynamic');
      const x4 = b.input('x4', { dataType: 'float32', shape: [1, 1, 2, 2] });
      await assertThrows(() => op(b, 'resample2dDynamic', x4, { sizes: [4, 4] }), 'TypeError', 'resample2dDynamic');
      await assertThrows(() => op(b, 'resample2dDynamic', x4, { sizes: floats }), 'TypeError', 'resample2dDynamic');
      const other = await builderFor(backend);
      await assertThrows(() => op(b, 'reshapeDynamic', x, vector(other, 'int32', [3, 2])), 'TypeError', 'reshapeDynamic');
    });

    it("values the static operation rejects are the static operation's TypeErrors", async () => {
      const b = await builderFor(backend);
      const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
      const expect = (name: string, fn: () => unknown, part: string) => assertThrows(fn, 'TypeError', part).then(
        () => undefined, (e: Error) => { throw new Error(`${name}: ${e.message}`); });
      // A negative value where an unsigned long is needed, from a constant and from shape arithmetic.
      await expect('negative', () => op(b, 'reshapeDynamic', x, vector(b, 'int64', [-1n, 6n])), 'unsigned long');
      const negative = op(b, 'sub', vector(b, 'int32', [3, 2]), vector(b, 'int32', [4, 0]));
      await expect('negative computed', () => op(b, 'reshapeDynamic', x, negative), 'unsigned long');
      await expect('count', () => op(b, 'reshapeDynamic', x, vector(b, 'int32', [4, 2])), 'elements');
      await expect('zero', () => op(b, 'reshapeDynamic', x, vector(b, 'int32', [0, 6])), 'is 0');
      await expect('expand', () => op(b, 'expandDynamic', x, vector(b, 'int32', [2, 4])), 'broadcast');
      await expect('tile zero', () => op(b, 'tileDynamic', x, vector(b, 'int32', [1, 0])), 'repetitions[1] is 0');
      await expect('tile length', () => op(b, 'tileDynamic', x, vector(b, 'int32', [2])), 'repetitions');
      await expect('slice range', () => op(b, 'sliceDynamic', x, vector(b, 'int32', [2, 0]), vector(b, 'int32', [1, 1])), 'starts[0]');
      await expect('slice size', () => op(b, 'sliceDynamic', x, vector(b, 'int32', [0, 1]), vector(b, 'int32', [1, 3])), 'exceeds');
      await expect('slice negative', () => op(b, 'sliceDynamic', x, vector(b, 'int32', [0, -1]), vector(b, 'int32', [1, 1])), 'unsigned long');
      await expect('slice strides', () => op(b, 'sliceDynamic', x, vector(b, 'int32', [0, 0]), vector(b, 'int32', [1, 1]), { strides: [1, 0] }), 'strides');
      await expect('pad length', () => op(b, 'padDynamic', x, vector(b, 'int32', [1]), vector(b, 'int32', [1])), 'rank');
      await expect('split sum', () => op(b, 'splitDynamic', x, vector(b, 'int32', [1, 1]), { axis: 1 }), 'sum');
      const count = exactConstant(b, { dataType: 'int32', shape: [], data: [2] });
      await expect('split count', () => op(b, 'splitDynamic', x, count, { axis: 1 }), 'divide');
      await expect('split axis', () => op(b, 'splitDynamic', x, count, { axis: 2 }), 'axis');
      const x4 = b.input('x4', { dataType: 'float32', shape: [1, 1, 2, 2] });
      await expect('resample sizes', () => op(b, 'resample2dDynamic', x4, { sizes: vector(b, 'int32', [4, 4, 4]) }), 'sizes');
      await expect('resample zero', () => op(b, 'resample2dDynamic', x4, { sizes: vector(b, 'int32', [4, 0]) }), 'sizes');
      await expect('resample axes', () => op(b, 'resample2dDynamic', x4, { sizes: vector(b, 'int32', [4, 4]), axes: [1, 1] }), 'axes');
      const ints = b.input('ints', { dataType: 'int32', shape: [1, 1, 2, 2] });
      await expect('resample type', () => op(b, 'resample2dDynamic', ints, { sizes: vector(b, 'int32', [4, 4]) }), 'data type');
    });
  });
});
