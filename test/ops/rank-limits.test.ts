/**
 * Every operation at the highest rank opSupportLimits() advertises for it, computed against a float64 reference on
 * every backend: 6 for those TF.js's kernels take at that rank, 8 for those computed element by element (flattened)
 * and reshape. Graph inputs and tensors take rank 8 and no more.
 */
import {
  assertClose, broadcastTo, contextFor, forEachBackend, randomData, representable, runGraph, size, strides, withDynamicShapes,
} from '../util/harness.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { erf } from './erf-reference.js';

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;
interface Tensor { dataType: MLOperandDataType; shape: number[]; data: number[] }

const RANK = 6;
const X: number[] = [2, 1, 3, 1, 2, 2];
const Y: number[] = [1, 2, 1, 3, 1, 2];
const XY: number[] = [2, 2, 3, 3, 2, 2];

function coordsOf(i: number, shape: readonly number[]): number[] {
  return strides(shape).map((s, d) => Math.floor(i / s) % shape[d]!);
}

function offsetOf(coords: readonly number[], shape: readonly number[]): number {
  return coords.reduce((acc, c, d) => acc * shape[d]! + c, 0);
}

/** out[coords] = data[source(coords)] over the output shape. */
function remap(data: readonly number[], inShape: readonly number[], outShape: readonly number[],
  source: (coords: number[]) => number[] | null, fill = 0): number[] {
  return Array.from({ length: size(outShape) }, (_, i) => {
    const c = source(coordsOf(i, outShape));
    return c ? data[offsetOf(c, inShape)]! : fill;
  });
}

function reduceRef(data: readonly number[], shape: readonly number[], axes: readonly number[], init: number,
  step: (acc: number, v: number) => number, finish: (acc: number, n: number) => number = (a) => a): Tensor['data'] {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const acc = new Array<number>(size(outShape)).fill(init);
  data.forEach((v, i) => {
    const c = coordsOf(i, shape).map((x, d) => (axes.includes(d) ? 0 : x));
    const o = offsetOf(c, outShape);
    acc[o] = step(acc[o]!, v);
  });
  const n = axes.reduce((a, d) => a * shape[d]!, 1);
  return acc.map((a) => finish(a, n));
}

const f32 = (shape: number[], seed: number, lo = -2, hi = 2): Tensor =>
  ({ dataType: 'float32', shape, data: representable(randomData(size(shape), seed, lo, hi), 'float32') });
const ints = (dataType: MLOperandDataType, shape: number[], values: (i: number) => number): Tensor =>
  ({ dataType, shape, data: Array.from({ length: size(shape) }, (_, i) => values(i)) });

interface Case {
  readonly op: string;
  readonly inputs: Record<string, Tensor>;
  readonly build: (b: Builder, x: Record<string, MLOperand>) => MLOperand;
  readonly expected: (x: Record<string, Tensor>) => { shape: number[]; data: number[] };
  readonly tolerance?: { atol: number; rtol: number };
}

const A = f32(X, 1);
const B = f32(Y, 2);
const POSITIVE = f32(X, 3, 0.25, 3);
const unary = (op: string, fn: (v: number) => number, input = A, tolerance?: Case['tolerance']): Case => ({
  op, inputs: { a: input }, build: (b, x) => b[op]!(x['a']), expected: (x) => ({ shape: X, data: x['a']!.data.map(fn) }),
  ...(tolerance ? { tolerance } : {}),
});
const binary = (op: string, fn: (p: number, q: number) => number, a = A, bIn = B): Case => ({
  op, inputs: { a, b: bIn }, build: (b, x) => b[op]!(x['a'], x['b']),
  expected: (x) => {
    const p = broadcastTo(x['a']!.data, X, XY);
    const q = broadcastTo(x['b']!.data, Y, XY);
    return { shape: XY, data: p.map((v, i) => fn(v, q[i]!)) };
  },
});
const reduce = (op: string, axes: number[], init: number, step: (acc: number, v: number) => number,
  finish?: (acc: number, n: number) => number, input = A): Case => ({
  op, inputs: { a: input }, build: (b, x) => b[op]!(x['a'], { axes, keepDimensions: true }),
  expected: (x) => ({ shape: X.map((d, i) => (axes.includes(i) ? 1 : d)), data: reduceRef(x['a']!.data, X, axes, init, step, finish) }),
});
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const roundEven = (v: number) => { const r = Math.round(v); return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; };
const bool = (v: boolean) => (v ? 1 : 0);
const CONDITION = ints('uint8', Y, (i) => (i * 7) % 3 === 0 ? 1 : 0);

const CASES: Case[] = [
  unary('abs', Math.abs), unary('neg', (v) => -v), unary('ceil', Math.ceil), unary('floor', Math.floor),
  unary('exp', Math.exp), unary('log', Math.log, POSITIVE), unary('sqrt', Math.sqrt, POSITIVE), unary('sin', Math.sin),
  unary('cos', Math.cos), unary('tan', Math.tan), unary('erf', erf), unary('reciprocal', (v) => 1 / v, POSITIVE),
  unary('sign', Math.sign), unary('roundEven', roundEven), unary('identity', (v) => v),
  unary('relu', (v) => Math.max(0, v)), unary('sigmoid', sigmoid), unary('tanh', Math.tanh),
  unary('elu', (v) => (v > 0 ? v : Math.exp(v) - 1)), unary('softplus', (v) => Math.log1p(Math.exp(v))),
  unary('softsign', (v) => v / (1 + Math.abs(v))), unary('gelu', (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))),
  unary('leakyRelu', (v) => (v > 0 ? v : 0.01 * v)), unary('hardSigmoid', (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5))),
  unary('hardSwish', (v) => (v * Math.min(6, Math.max(0, v + 3))) / 6), unary('linear', (v) => v),
  { ...unary('clamp', (v) => Math.min(1, Math.max(-0.5, v))), build: (b, x) => b['clamp']!(x['a'], { minValue: -0.5, maxValue: 1 }) },
  unary('isNaN', () => 0), unary('isInfinite', () => 0),
  unary('logicalNot', (v) => bool(v === 0), ints('uint8', X, (i) => i % 2)),
  binary('add', (p, q) => p + q), binary('sub', (p, q) => p - q), binary('mul', (p, q) => p * q),
  binary('div', (p, q) => p / q), binary('max', Math.max), binary('min', Math.min),
  binary('pow', (p, q) => p ** q, POSITIVE), binary('equal', (p, q) => bool(p === q)),
  binary('notEqual', (p, q) => bool(p !== q)), binary('greater', (p, q) => bool(p > q)),
  binary('greaterOrEqual', (p, q) => bool(p >= q)), binary('lesser', (p, q) => bool(p < q)),
  binary('lesserOrEqual', (p, q) => bool(p <= q)),
  binary('logicalAnd', (p, q) => bool(p !== 0 && q !== 0), ints('uint8', X, (i) => i % 2), ints('uint8', Y, (i) => i % 3 % 2)),
  binary('logicalOr', (p, q) => bool(p !== 0 || q !== 0), ints('uint8', X, (i) => i % 2), ints('uint8', Y, (i) => i % 3 % 2)),
  binary('logicalXor', (p, q) => bool((p !== 0) !== (q !== 0)), ints('uint8', X, (i) => i % 2), ints('uint8', Y, (i) => i % 3 % 2)),
  {
    op: 'prelu', inputs: { a: A, b: B }, build: (b, x) => b['prelu']!(x['a'], x['b']),
    expected: (x) => {
      const p = broadcastTo(x['a']!.data, X, XY);
      const q = broadcastTo(x['b']!.data, Y, XY);
      return { shape: XY, data: p.map((v, i) => (v >= 0 ? v : v * q[i]!)) };
    },
  },
  {
    op: 'where', inputs: { c: CONDITION, a: A, b: B }, build: (b, x) => b['where']!(x['c'], x['a'], x['b']),
    expected: (x) => {
      const c = broadcastTo(x['c']!.data, Y, XY);
      const p = broadcastTo(x['a']!.data, X, XY);
      const q = broadcastTo(x['b']!.data, Y, XY);
      return { shape: XY, data: c.map((v, i) => (v ? p[i]! : q[i]!)) };
    },
  },
  reduce('reduceSum', [1, 2, 5], 0, (a, v) => a + v), reduce('reduceMax', [0, 4], -Infinity, Math.max),
  reduce('reduceMin', [2, 3], Infinity, Math.min), reduce('reduceMean', [0, 2, 4], 0, (a, v) => a + v, (a, n) => a / n),
  reduce('reduceProduct', [2, 5], 1, (a, v) => a * v), reduce('reduceL1', [0, 1, 2, 3, 4, 5], 0, (a, v) => a + Math.abs(v)),
  reduce('reduceL2', [4, 5], 0, (a, v) => a + v * v, Math.sqrt), reduce('reduceSumSquare', [0, 2], 0, (a, v) => a + v * v),
  reduce('reduceLogSum', [2, 4], 0, (a, v) => a + v, Math.log, POSITIVE),
  reduce('reduceLogSumExp', [0, 2], 0, (a, v) => a + Math.exp(v), Math.log),
  {
    op: 'transpose', inputs: { a: A }, build: (b, x) => b['transpose']!(x['a'], { permutation: [5, 3, 1, 0, 2, 4] }),
    expected: (x) => {
      const perm = [5, 3, 1, 0, 2, 4];
      const shape = perm.map((p) => X[p]!);
      return { shape, data: remap(x['a']!.data, X, shape, (c) => { const s = new Array<number>(RANK); perm.forEach((p, d) => { s[p] = c[d]!; }); return s; }) };
    },
  },
  { op: 'reshape', inputs: { a: A }, build: (b, x) => b['reshape']!(x['a'], [1, 2, 2, 3, 1, 2]),
    expected: (x) => ({ shape: [1, 2, 2, 3, 1, 2], data: x['a']!.data }) },
  { op: 'expand', inputs: { a: A }, build: (b, x) => b['expand']!(x['a'], XY),
    expected: (x) => ({ shape: XY, data: broadcastTo(x['a']!.data, X, XY) }) },
  {
    op: 'tile', inputs: { a: A }, build: (b, x) => b['tile']!(x['a'], [1, 2, 1, 2, 1, 2]),
    expected: (x) => {
      const shape = X.map((d, i) => d * [1, 2, 1, 2, 1, 2][i]!);
      return { shape, data: remap(x['a']!.data, X, shape, (c) => c.map((v, d) => v % X[d]!)) };
    },
  },
  {
    op: 'slice', inputs: { a: f32([3, 2, 4, 1, 3, 2], 4) },
    build: (b, x) => b['slice']!(x['a'], [1, 0, 1, 0, 0, 1], [2, 2, 2, 1, 2, 1], { strides: [1, 1, 2, 1, 2, 1] }),
    expected: (x) => ({ shape: [2, 2, 1, 1, 1, 1],
      data: remap(x['a']!.data, [3, 2, 4, 1, 3, 2], [2, 2, 1, 1, 1, 1], (c) => c.map((v, d) => [1, 0, 1, 0, 0, 1][d]! + v * [1, 1, 2, 1, 2, 1][d]!)) }),
  },
  {
    op: 'pad', inputs: { a: A }, build: (b, x) => b['pad']!(x['a'], [0, 1, 0, 0, 1, 0], [1, 0, 1, 2, 0, 1], { mode: 'edge' }),
    expected: (x) => {
      const before = [0, 1, 0, 0, 1, 0];
      const shape = X.map((d, i) => d + before[i]! + [1, 0, 1, 2, 0, 1][i]!);
      return { shape, data: remap(x['a']!.data, X, shape, (c) => c.map((v, d) => Math.min(Math.max(v - before[d]!, 0), X[d]! - 1))) };
    },
  },
  {
    op: 'pad (constant)', inputs: { a: A }, build: (b, x) => b['pad']!(x['a'], [1, 0, 0, 0, 0, 1], [0, 0, 1, 0, 1, 0], { value: 7 }),
    expected: (x) => {
      const before = [1, 0, 0, 0, 0, 1];
      const shape = X.map((d, i) => d + before[i]! + [0, 0, 1, 0, 1, 0][i]!);
      return { shape, data: remap(x['a']!.data, X, shape, (c) => {
        const s = c.map((v, d) => v - before[d]!);
        return s.every((v, d) => v >= 0 && v < X[d]!) ? s : null;
      }, 7) };
    },
  },
  {
    op: 'pad (reflection)', inputs: { a: f32([2, 1, 3, 1, 3, 2], 5) },
    build: (b, x) => b['pad']!(x['a'], [1, 0, 2, 0, 1, 0], [0, 0, 1, 0, 2, 1], { mode: 'reflection' }),
    expected: (x) => {
      const inShape = [2, 1, 3, 1, 3, 2];
      const before = [1, 0, 2, 0, 1, 0];
      const shape = inShape.map((d, i) => d + before[i]! + [0, 0, 1, 0, 2, 1][i]!);
      return { shape, data: remap(x['a']!.data, inShape, shape, (c) => c.map((v, d) => {
        const i = v - before[d]!;
        return i < 0 ? -i : i >= inShape[d]! ? 2 * (inShape[d]! - 1) - i : i;
      })) };
    },
  },
  {
    op: 'concat', inputs: { a: A, b: f32([2, 1, 3, 2, 2, 2], 6) }, build: (b, x) => b['concat']!([x['a'], x['b']], 3),
    expected: (x) => {
      const shape = [2, 1, 3, 3, 2, 2];
      return { shape, data: Array.from({ length: size(shape) }, (_, i) => {
        const c = coordsOf(i, shape);
        return c[3]! < 1 ? x['a']!.data[offsetOf(c, X)]! : x['b']!.data[offsetOf([...c.slice(0, 3), c[3]! - 1, ...c.slice(4)], [2, 1, 3, 2, 2, 2])]!;
      }) };
    },
  },
  {
    op: 'split', inputs: { a: A }, build: (b, x) => (b['split']!(x['a'], [1, 2], { axis: 2 }) as unknown as MLOperand[])[1]!,
    expected: (x) => ({ shape: [2, 1, 2, 1, 2, 2], data: remap(x['a']!.data, X, [2, 1, 2, 1, 2, 2], (c) => c.map((v, d) => (d === 2 ? v + 1 : v))) }),
  },
  {
    op: 'reverse', inputs: { a: A }, build: (b, x) => b['reverse']!(x['a'], { axes: [0, 2, 5] }),
    expected: (x) => ({ shape: X, data: remap(x['a']!.data, X, X, (c) => c.map((v, d) => ([0, 2, 5].includes(d) ? X[d]! - 1 - v : v))) }),
  },
  {
    op: 'gather', inputs: { a: A, i: ints('int32', [4], (i) => [2, 0, 1, 2][i]!) }, build: (b, x) => b['gather']!(x['a'], x['i'], { axis: 2 }),
    expected: (x) => {
      const shape = [2, 1, 4, 1, 2, 2];
      return { shape, data: remap(x['a']!.data, X, shape, (c) => c.map((v, d) => (d === 2 ? x['i']!.data[v]! : v))) };
    },
  },
  {
    op: 'gatherElements', inputs: { a: A, i: ints('int32', [2, 1, 3, 1, 1, 2], (i) => i % 2) },
    build: (b, x) => b['gatherElements']!(x['a'], x['i'], { axis: 4 }),
    expected: (x) => {
      const shape = [2, 1, 3, 1, 1, 2];
      return { shape, data: remap(x['a']!.data, X, shape, (c) => c.map((v, d) => (d === 4 ? x['i']!.data[offsetOf(c, shape)]! : v))) };
    },
  },
  {
    op: 'cast', inputs: { a: A }, build: (b, x) => b['cast']!(x['a'], 'int32'),
    expected: (x) => ({ shape: X, data: x['a']!.data.map(Math.trunc) }),
  },
  {
    op: 'softmax', inputs: { a: A }, build: (b, x) => b['softmax']!(x['a'], 2),
    expected: (x) => {
      const sums = reduceRef(x['a']!.data.map(Math.exp), X, [2], 0, (a, v) => a + v);
      const outer = X.map((d, i) => (i === 2 ? 1 : d));
      return { shape: X, data: x['a']!.data.map((v, i) => Math.exp(v) / sums[offsetOf(coordsOf(i, X).map((c, d) => (d === 2 ? 0 : c)), outer)]!) };
    },
  },
  {
    op: 'cumulativeSum', inputs: { a: A }, build: (b, x) => b['cumulativeSum']!(x['a'], 4),
    expected: (x) => ({ shape: X, data: x['a']!.data.map((_, i) => {
      const c = coordsOf(i, X);
      let sum = 0;
      for (let k = 0; k <= c[4]!; k++) sum += x['a']!.data[offsetOf(c.map((v, d) => (d === 4 ? k : v)), X)]!;
      return sum;
    }) }),
  },
  {
    op: 'argMax', inputs: { a: A }, build: (b, x) => b['argMax']!(x['a'], 2, { keepDimensions: true }),
    expected: (x) => {
      const shape = X.map((d, i) => (i === 2 ? 1 : d));
      return { shape, data: Array.from({ length: size(shape) }, (_, o) => {
        const c = coordsOf(o, shape);
        let best = 0;
        for (let k = 1; k < X[2]!; k++) {
          if (x['a']!.data[offsetOf(c.map((v, d) => (d === 2 ? k : v)), X)]! > x['a']!.data[offsetOf(c.map((v, d) => (d === 2 ? best : v)), X)]!) best = k;
        }
        return best;
      }) };
    },
  },
  {
    op: 'triangular', inputs: { a: f32([2, 1, 2, 1, 3, 3], 7) }, build: (b, x) => b['triangular']!(x['a'], { diagonal: 0 }),
    expected: (x) => ({ shape: [2, 1, 2, 1, 3, 3], data: x['a']!.data.map((v, i) => {
      const c = coordsOf(i, [2, 1, 2, 1, 3, 3]);
      return c[5]! >= c[4]! ? v : 0;
    }) }),
  },
  {
    op: 'matmul', inputs: { a: f32([2, 1, 3, 1, 2, 3], 8), b: f32([1, 2, 1, 1, 3, 2], 9) }, build: (b, x) => b['matmul']!(x['a'], x['b']),
    expected: (x) => {
      const shape = [2, 2, 3, 1, 2, 2];
      return { shape, data: Array.from({ length: size(shape) }, (_, o) => {
        const c = coordsOf(o, shape);
        let sum = 0;
        for (let k = 0; k < 3; k++) {
          sum += x['a']!.data[offsetOf([c[0]!, 0, c[2]!, 0, c[4]!, k], [2, 1, 3, 1, 2, 3])]! *
            x['b']!.data[offsetOf([0, c[1]!, 0, 0, k, c[5]!], [1, 2, 1, 1, 3, 2])]!;
        }
        return sum;
      }) };
    },
  },
  {
    op: 'batchNormalization', inputs: { a: A, m: f32([3], 10), v: f32([3], 11, 0.5, 2) },
    build: (b, x) => b['batchNormalization']!(x['a'], x['m'], x['v'], { axis: 2 }),
    expected: (x) => ({ shape: X, data: x['a']!.data.map((v, i) => {
      const ch = coordsOf(i, X)[2]!;
      return (v - x['m']!.data[ch]!) / Math.sqrt(x['v']!.data[ch]! + 1e-5);
    }) }),
  },
  {
    op: 'layerNormalization', inputs: { a: A }, build: (b, x) => b['layerNormalization']!(x['a'], { axes: [2, 5] }),
    expected: (x) => {
      const outer = X.map((d, i) => ([2, 5].includes(i) ? 1 : d));
      const mean = reduceRef(x['a']!.data, X, [2, 5], 0, (a, v) => a + v, (a, n) => a / n);
      const at = (i: number) => offsetOf(coordsOf(i, X).map((c, d) => ([2, 5].includes(d) ? 0 : c)), outer);
      const variance = reduceRef(x['a']!.data.map((v, i) => (v - mean[at(i)]!) ** 2), X, [2, 5], 0, (a, v) => a + v, (a, n) => a / n);
      return { shape: X, data: x['a']!.data.map((v, i) => (v - mean[at(i)]!) / Math.sqrt(variance[at(i)]! + 1e-5)) };
    },
  },
  {
    op: 'quantizeLinear', inputs: { a: A, s: f32([1, 1, 3, 1, 1, 1], 12, 0.01, 0.05), z: ints('int8', [1, 1, 3, 1, 1, 1], (i) => i - 1) },
    build: (b, x) => b['quantizeLinear']!(x['a'], x['s'], x['z']),
    expected: (x) => ({ shape: X, data: x['a']!.data.map((v, i) => {
      const ch = coordsOf(i, X)[2]!;
      return Math.min(127, Math.max(-128, roundEven(v / x['s']!.data[ch]!) + x['z']!.data[ch]!));
    }) }),
  },
  {
    op: 'dequantizeLinear', inputs: { a: ints('int8', X, (i) => (i * 37) % 256 - 128), s: f32([1, 1, 3, 1, 1, 1], 13, 0.01, 0.05),
      z: ints('int8', [1, 1, 3, 1, 1, 1], (i) => i - 1) },
    build: (b, x) => b['dequantizeLinear']!(x['a'], x['s'], x['z']),
    expected: (x) => ({ shape: X, data: x['a']!.data.map((v, i) => {
      const ch = coordsOf(i, X)[2]!;
      return (v - x['z']!.data[ch]!) * x['s']!.data[ch]!;
    }) }),
  },
  {
    op: 'scatterElements', inputs: { a: A, i: ints('int32', [2, 1, 3, 1, 1, 2], (i) => i % 2), u: f32([2, 1, 3, 1, 1, 2], 14) },
    build: (b, x) => b['scatterElements']!(x['a'], x['i'], x['u'], { axis: 4 }),
    expected: (x) => {
      const out = [...x['a']!.data];
      x['u']!.data.forEach((v, p) => {
        const c = coordsOf(p, [2, 1, 3, 1, 1, 2]);
        c[4] = x['i']!.data[p]!;
        out[offsetOf(c, X)] = v;
      });
      return { shape: X, data: out };
    },
  },
  {
    op: 'gatherND', inputs: { a: A, i: ints('int32', [2, 3], (i) => [1, 0, 2, 0, 0, 1][i]!) }, build: (b, x) => b['gatherND']!(x['a'], x['i']),
    expected: (x) => {
      const shape = [2, 1, 2, 2];
      return { shape, data: remap(x['a']!.data, X, shape, (c) => [...x['i']!.data.slice(c[0]! * 3, c[0]! * 3 + 3), ...c.slice(1)]) };
    },
  },
  {
    op: 'scatterND', inputs: { a: A, i: ints('int32', [2, 3], (i) => [1, 0, 2, 0, 0, 1][i]!), u: f32([2, 1, 2, 2], 15) },
    build: (b, x) => b['scatterND']!(x['a'], x['i'], x['u']),
    expected: (x) => {
      const out = [...x['a']!.data];
      x['u']!.data.forEach((v, p) => {
        const c = coordsOf(p, [2, 1, 2, 2]);
        out[offsetOf([...x['i']!.data.slice(c[0]! * 3, c[0]! * 3 + 3), ...c.slice(1)], X)] = v;
      });
      return { shape: X, data: out };
    },
  },
];

const uint32s = (b: Builder, values: number[]) => b.constant({ dataType: 'uint32', shape: [values.length] }, Uint32Array.from(values));
const modulus = (floor: boolean) => (p: number, q: number) => p - q * (floor ? Math.floor(p / q) : Math.trunc(p / q));

/** The operations of the dynamic-shape proposal (and argMin), with the proposal switched on. */
const PROPOSAL_CASES: Case[] = [
  {
    op: 'argMin', inputs: { a: A }, build: (b, x) => b['argMin']!(x['a'], 5, { keepDimensions: true }),
    expected: (x) => ({ shape: [...X.slice(0, 5), 1], data: Array.from({ length: size(X) / 2 }, (_, o) => (x['a']!.data[2 * o + 1]! < x['a']!.data[2 * o]! ? 1 : 0)) }),
  },
  binary('modulusFloor', modulus(true)), binary('modulusTruncate', modulus(false)),
  { op: 'shape', inputs: { a: A }, build: (b, x) => b['shape']!(x['a']), expected: () => ({ shape: [RANK], data: X }) },
  { op: 'squeeze', inputs: { a: A }, build: (b, x) => b['squeeze']!(x['a'], { axes: [1, 3] }), expected: (x) => ({ shape: [2, 3, 2, 2], data: x['a']!.data }) },
  { op: 'unsqueeze', inputs: { a: f32([2, 3, 2, 2, 2], 16) }, build: (b, x) => b['unsqueeze']!(x['a'], [3]),
    expected: (x) => ({ shape: [2, 3, 2, 1, 2, 2], data: x['a']!.data }) },
  { op: 'reshapeTo2d', inputs: { a: A }, build: (b, x) => b['reshapeTo2d']!(x['a'], { axis: 3 }), expected: (x) => ({ shape: [6, 4], data: x['a']!.data }) },
  { op: 'reshapeDynamic', inputs: { a: A }, build: (b, x) => b['reshapeDynamic']!(x['a'], uint32s(b, [1, 2, 2, 3, 1, 2])),
    expected: (x) => ({ shape: [1, 2, 2, 3, 1, 2], data: x['a']!.data }) },
  { op: 'expandDynamic', inputs: { a: A }, build: (b, x) => b['expandDynamic']!(x['a'], uint32s(b, XY)),
    expected: (x) => ({ shape: XY, data: broadcastTo(x['a']!.data, X, XY) }) },
  {
    op: 'tileDynamic', inputs: { a: A }, build: (b, x) => b['tileDynamic']!(x['a'], uint32s(b, [1, 1, 1, 2, 1, 1])),
    expected: (x) => {
      const shape = [2, 1, 3, 2, 2, 2];
      return { shape, data: remap(x['a']!.data, X, shape, (c) => c.map((v, d) => v % X[d]!)) };
    },
  },
  {
    op: 'sliceDynamic', inputs: { a: A }, build: (b, x) => b['sliceDynamic']!(x['a'], uint32s(b, [1, 0, 1, 0, 0, 1]), uint32s(b, [1, 1, 2, 1, 2, 1])),
    expected: (x) => ({ shape: [1, 1, 2, 1, 2, 1], data: remap(x['a']!.data, X, [1, 1, 2, 1, 2, 1], (c) => c.map((v, d) => v + [1, 0, 1, 0, 0, 1][d]!)) }),
  },
  {
    op: 'padDynamic', inputs: { a: A }, build: (b, x) => b['padDynamic']!(x['a'], uint32s(b, [0, 0, 1, 0, 0, 0]), uint32s(b, [0, 1, 0, 0, 0, 0])),
    expected: (x) => {
      const shape = [2, 2, 4, 1, 2, 2];
      return { shape, data: remap(x['a']!.data, X, shape, (c) => (c[1] === 0 && c[2]! >= 1 ? c.map((v, d) => (d === 2 ? v - 1 : v)) : null)) };
    },
  },
  {
    op: 'splitDynamic', inputs: { a: A }, build: (b, x) => (b['splitDynamic']!(x['a'], uint32s(b, [1, 2]), { axis: 2 }) as unknown as MLOperand[])[1]!,
    expected: (x) => ({ shape: [2, 1, 2, 1, 2, 2], data: remap(x['a']!.data, X, [2, 1, 2, 1, 2, 2], (c) => c.map((v, d) => (d === 2 ? v + 1 : v))) }),
  },
];

const FLAT_RANK = 8;
const X8 = [2, 1, 2, 1, 2, 1, 2, 2];
const A8 = f32(X8, 21);
const POSITIVE8 = f32(X8, 22, 0.25, 3);
const flat = (op: string, fn: (v: number) => number, input = A8, build?: Case['build']): Case => ({
  op, inputs: { a: input }, build: build ?? ((b, x) => b[op]!(x['a'])), expected: (x) => ({ shape: input.shape, data: x['a']!.data.map(fn) }),
});

// Broadcast along alternating axes (8 groups: computed per position of the first axis) and along runs of axes.
const P8 = [2, 1, 2, 1, 2, 1, 2, 1];
const Q8 = [1, 2, 1, 2, 1, 2, 1, 2];
const R8 = [2, 3, 1, 1, 2, 2, 1, 2];
const S8 = [3, 1, 1, 2, 2, 1, 2];
const broadcast8 = (op: string, fn: (p: number, q: number) => number, a: Tensor, b: Tensor, build?: Case['build']): Case => ({
  op, inputs: { a, b }, build: build ?? ((bd, x) => bd[op]!(x['a'], x['b'])),
  expected: (x) => {
    const out = [...new Array<number>(8 - a.shape.length).fill(1), ...a.shape].map((d, i) =>
      Math.max(d, [...new Array<number>(8 - b.shape.length).fill(1), ...b.shape][i]!));
    const p = broadcastTo(x['a']!.data, a.shape, out);
    const q = broadcastTo(x['b']!.data, b.shape, out);
    return { shape: out, data: p.map((v, i) => fn(v, q[i]!)) };
  },
});
const BROADCAST_CASES: Case[] = [
  broadcast8('add', (p, q) => p + q, f32(P8, 31), f32(Q8, 32)), broadcast8('sub', (p, q) => p - q, f32(R8, 33), f32(S8, 34)),
  broadcast8('mul', (p, q) => p * q, f32(P8, 35), f32(Q8, 36)), broadcast8('div', (p, q) => p / q, f32(R8, 37), f32(S8, 38)),
  broadcast8('max', Math.max, f32(P8, 39), f32(Q8, 40)), broadcast8('min', Math.min, f32(R8, 41), f32(S8, 42)),
  broadcast8('pow', (p, q) => p ** q, f32(P8, 43, 0.25, 3), f32(Q8, 44)),
  broadcast8('equal', (p, q) => bool(p === q), ints('int32', P8, (i) => i % 3), ints('int32', Q8, (i) => i % 2)),
  broadcast8('notEqual', (p, q) => bool(p !== q), ints('int32', R8, (i) => i % 3), ints('int32', S8, (i) => i % 2)),
  broadcast8('greater', (p, q) => bool(p > q), f32(P8, 45), f32(Q8, 46)),
  broadcast8('greaterOrEqual', (p, q) => bool(p >= q), f32(R8, 47), f32(S8, 48)),
  broadcast8('lesser', (p, q) => bool(p < q), f32(P8, 49), f32(Q8, 50)),
  broadcast8('lesserOrEqual', (p, q) => bool(p <= q), f32(R8, 51), f32(S8, 52)),
  broadcast8('logicalAnd', (p, q) => bool(p !== 0 && q !== 0), ints('uint8', P8, (i) => i % 2), ints('uint8', Q8, (i) => i % 3 % 2)),
  broadcast8('logicalOr', (p, q) => bool(p !== 0 || q !== 0), ints('uint8', R8, (i) => i % 2), ints('uint8', S8, (i) => i % 3 % 2)),
  broadcast8('logicalXor', (p, q) => bool((p !== 0) !== (q !== 0)), ints('uint8', P8, (i) => i % 2), ints('uint8', Q8, (i) => i % 3 % 2)),
  broadcast8('prelu', (p, q) => (p >= 0 ? p : p * q), f32(P8, 53), f32(Q8, 54)),
  broadcast8('add (int64, on the host)', (p, q) => p + q, ints('int64', P8, (i) => i * 1000 - 7000), ints('int64', Q8, (i) => i - 9),
    (bd, x) => bd['add']!(x['a'], x['b'])),
  broadcast8('mul (int32)', (p, q) => p * q, ints('int32', R8, (i) => i * 3001 - 50000), ints('int32', S8, (i) => i - 20),
    (bd, x) => bd['mul']!(x['a'], x['b'])),
  {
    op: 'where', inputs: { c: ints('uint8', P8, (i) => i % 2), a: f32(Q8, 55), b: f32([2, 1, 1, 2], 56) },
    build: (b, x) => b['where']!(x['c'], x['a'], x['b']),
    expected: (x) => {
      const out = [2, 2, 2, 2, 2, 2, 2, 2];
      const c = broadcastTo(x['c']!.data, P8, out);
      const p = broadcastTo(x['a']!.data, Q8, out);
      const q = broadcastTo(x['b']!.data, [2, 1, 1, 2], out);
      return { shape: out, data: c.map((v, i) => (v ? p[i]! : q[i]!)) };
    },
  },
];

/** Operations computed element by element, and reshape, at rank 8. */
const FLAT_CASES: Case[] = [
  ...BROADCAST_CASES,
  flat('abs', Math.abs), flat('neg', (v) => -v), flat('ceil', Math.ceil), flat('floor', Math.floor), flat('exp', Math.exp),
  flat('log', Math.log, POSITIVE8), flat('sqrt', Math.sqrt, POSITIVE8), flat('sin', Math.sin), flat('cos', Math.cos),
  flat('tan', Math.tan), flat('erf', erf), flat('reciprocal', (v) => 1 / v, POSITIVE8), flat('sign', Math.sign),
  flat('roundEven', roundEven), flat('identity', (v) => v), flat('relu', (v) => Math.max(0, v)), flat('sigmoid', sigmoid),
  flat('tanh', Math.tanh), flat('elu', (v) => (v > 0 ? v : Math.exp(v) - 1)), flat('softplus', (v) => Math.log1p(Math.exp(v))),
  flat('softsign', (v) => v / (1 + Math.abs(v))), flat('gelu', (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))),
  flat('leakyRelu', (v) => (v > 0 ? v : 0.01 * v)), flat('hardSigmoid', (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5))),
  flat('hardSwish', (v) => (v * Math.min(6, Math.max(0, v + 3))) / 6), flat('linear', (v) => v),
  flat('clamp', (v) => Math.min(1, Math.max(-0.5, v)), A8, (b, x) => b['clamp']!(x['a'], { minValue: -0.5, maxValue: 1 })),
  flat('clamp (int64, on the host)', (v) => Math.min(3, Math.max(-2, v)), ints('int64', X8, (i) => i - 16),
    (b, x) => b['clamp']!(x['a'], { minValue: -2, maxValue: 3 })),
  flat('abs (int32)', Math.abs, ints('int32', X8, (i) => (i - 16) * 70001), (b, x) => b['abs']!(x['a'])),
  flat('isNaN', () => 0), flat('isInfinite', () => 0), flat('logicalNot', (v) => bool(v === 0), ints('uint8', X8, (i) => i % 2)),
  flat('cast', Math.trunc, A8, (b, x) => b['cast']!(x['a'], 'int32')),
  flat('cast (to int64)', Math.trunc, A8, (b, x) => b['cast']!(x['a'], 'int64')),
  { op: 'reshape', inputs: { a: A8 }, build: (b, x) => b['reshape']!(x['a'], [1, 2, 2, 2, 1, 2, 1, 2]),
    expected: (x) => ({ shape: [1, 2, 2, 2, 1, 2, 1, 2], data: x['a']!.data }) },
];

const modulus8 = (floor: boolean) => (p: number, q: number) => p - q * (floor ? Math.floor(p / q) : Math.trunc(p / q));
const PROPOSAL_FLAT_CASES: Case[] = [
  broadcast8('modulusFloor', modulus8(true), f32(P8, 57), f32(Q8, 58, 0.5, 2)),
  broadcast8('modulusTruncate', modulus8(false), ints('int32', R8, (i) => i * 7 - 40), ints('int32', S8, (i) => (i % 5) + 1)),
  { op: 'reshapeDynamic', inputs: { a: A8 }, build: (b, x) => b['reshapeDynamic']!(x['a'], uint32s(b, [1, 2, 2, 2, 1, 2, 1, 2])),
    expected: (x) => ({ shape: [1, 2, 2, 2, 1, 2, 1, 2], data: x['a']!.data }) },
];

function rankCase(backend: BackendName, c: Case, rank = RANK): void {
  it(`${c.op}: advertised and computed at rank ${rank}`, async () => {
    const name = c.op.split(' ')[0]!;
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as Record<string, Record<string, { rankRange: { max: number } }>>;
    const highest = Math.max(...Object.values(limits[name] ?? {}).map((l) => l.rankRange.max));
    if (highest < rank) throw new Error(`${name} advertises rank ${highest} at most`);
    const result = await runGraph(backend, c.inputs, (b, x) => ({ out: c.build(b as Builder, x) }));
    const expected = c.expected(c.inputs);
    const out = result['out']!;
    const rounded = out.dataType === 'float32' ? representable(expected.data, 'float32') : expected.data;
    assertClose(out, { shape: expected.shape, data: rounded }, c.tolerance, c.op);
  });
}

forEachBackend('rank limits', (backend) => {
  for (const c of CASES) rankCase(backend, c);
  for (const c of FLAT_CASES) rankCase(backend, c, FLAT_RANK);
  it('every operation is computed here at the highest rank it advertises', async () => {
    const limits = (await contextFor(backend)).opSupportLimits() as unknown as Record<string, Record<string, { rankRange?: { max: number } }>>;
    const tested = (cases: Case[]) => new Set(cases.map((c) => c.op.split(' ')[0]!));
    const [six, eight] = [tested([...CASES, ...PROPOSAL_CASES]), tested([...FLAT_CASES, ...PROPOSAL_FLAT_CASES])];
    for (const [op, members] of Object.entries(limits)) {
      const highest = Math.max(...Object.values(members).map((l) => l.rankRange?.max ?? 0));
      if ((highest === FLAT_RANK && !eight.has(op)) || (highest === RANK && !six.has(op)) || highest > FLAT_RANK) {
        throw new Error(`${op}: rank ${highest} advertised, not tested`);
      }
    }
  });
  it(`graph inputs, constants and outputs: rank ${FLAT_RANK} at most`, async () => {
    const limits = (await contextFor(backend)).opSupportLimits();
    for (const member of [limits.input, limits.constant, limits.output]) {
      if (member.rankRange.max !== FLAT_RANK) throw new Error(`rank ${member.rankRange.max}`);
    }
  });
  describe('with the dynamic-shape proposal', () => {
    withDynamicShapes(true);
    for (const c of PROPOSAL_CASES) rankCase(backend, c);
    for (const c of PROPOSAL_FLAT_CASES) rankCase(backend, c, FLAT_RANK);
  });
});
