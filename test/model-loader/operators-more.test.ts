/** More ONNX operators against float64 references: normalizations, Split, Tile, Pad, Expand, logic, ArgMax, CumSum. */
import { assertClose, forEachBackend } from '../util/harness.js';
import { ELEM, float, int, ints, OnnxModelWriter, string, tensor } from '../browser/onnx/model-writer.js';
import { erf } from '../ops/erf-reference.js';
import { feeds, randomTensor, singleNodeModel, type NodeInput } from './model-util.js';
import { binaryRef, broadcastShape, reduceRef, sliceRef, unaryRef, type Tensor } from './reference.js';
import { runModel } from './run-model.js';
import { broadcastTo, strides } from '../util/harness.js';
import type { OnnxAttribute } from '../browser/onnx/model-writer.js';
import type { BackendName } from '../../src/runtime/backends.js';

async function check(backend: BackendName, opType: string, opset: number, inputs: (NodeInput | '')[],
  attributes: Record<string, OnnxAttribute>, expected: Tensor, outputElemType: number = ELEM.float) {
  const bytes = singleNodeModel(opType, opset, inputs, attributes, outputElemType);
  const { y } = await runModel(backend, bytes, feeds(inputs));
  assertClose(y as never, expected, { atol: 1e-5 }, `${opType} (opset ${opset})`);
}

const int64 = (name: string, data: number[]): NodeInput => ({ name, tensor: { shape: [data.length], data }, initializer: 'int64' });
const constant = (name: string, t: Tensor): NodeInput => ({ name, tensor: t, initializer: 'float32' });
const mean = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;

/** (x - mean) / sqrt(variance + epsilon) over `axes`, then scale and bias broadcast. */
function normalizeRef(x: Tensor, axes: number[], epsilon: number, scale: Tensor, bias: Tensor): Tensor {
  const mu = reduceRef(x, axes, true, mean);
  const centered = binaryRef(x, mu, (a, m) => a - m);
  const variance = reduceRef(unaryRef(centered, (v) => v * v), axes, true, mean);
  const normalized = binaryRef(centered, variance, (c, v) => c / Math.sqrt(v + epsilon));
  return binaryRef(binaryRef(normalized, scale, (a, s) => a * s), bias, (a, b) => a + b);
}

forEachBackend('ONNX import: normalizations and activations', (backend) => {
  const x = randomTensor([2, 3, 4], 80);

  it('LayerNormalization over the last axis and over axes 1..', async () => {
    const scale = randomTensor([4], 81);
    const bias = randomTensor([4], 82);
    await check(backend, 'LayerNormalization', 17, [{ name: 'x', tensor: x }, constant('s', scale), constant('b', bias)],
      { epsilon: float(1e-3) }, normalizeRef(x, [2], Math.fround(1e-3), scale, bias));
    const scale2 = randomTensor([3, 4], 83);
    const bias2 = randomTensor([3, 4], 84);
    await check(backend, 'LayerNormalization', 17, [{ name: 'x', tensor: x }, constant('s', scale2), constant('b', bias2)],
      { axis: int(1) }, normalizeRef(x, [1, 2], Math.fround(1e-5), scale2, bias2));
  });

  it('InstanceNormalization of a 4-D and a 3-D input', async () => {
    const scale = randomTensor([3], 85);
    const bias = randomTensor([3], 86);
    const perChannel = (t: Tensor) => ({ shape: [3, 1], data: t.data });
    const x4 = randomTensor([2, 3, 2, 3], 87);
    const ref4 = normalizeRef({ shape: [2, 3, 6], data: x4.data }, [2], Math.fround(1e-5), perChannel(scale), perChannel(bias));
    await check(backend, 'InstanceNormalization', 6, [{ name: 'x', tensor: x4 }, constant('s', scale), constant('b', bias)], {},
      { shape: x4.shape, data: ref4.data });
    await check(backend, 'InstanceNormalization', 6, [{ name: 'x', tensor: x }, constant('s', scale), constant('b', bias)], {},
      normalizeRef(x, [2], Math.fround(1e-5), perChannel(scale), perChannel(bias)));
  });

  it('Gelu (opset 20), PRelu, and Sum / Mean / Max / Min of three inputs', async () => {
    await check(backend, 'Gelu', 20, [{ name: 'x', tensor: x }], {}, unaryRef(x, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))));
    const slope = randomTensor([3, 1], 88);
    await check(backend, 'PRelu', 16, [{ name: 'x', tensor: x }, constant('s', slope)], {}, binaryRef(x, slope, (v, s) => (v < 0 ? s * v : v)));
    const b = randomTensor([4], 89);
    const c = randomTensor([3, 1], 90);
    const three = [{ name: 'x', tensor: x }, { name: 'b', tensor: b }, constant('c', c)];
    const fold = (fn: (p: number, q: number) => number) => binaryRef(binaryRef(x, b, fn), c, fn);
    await check(backend, 'Sum', 13, three, {}, fold((p, q) => p + q));
    await check(backend, 'Mean', 13, three, {}, unaryRef(fold((p, q) => p + q), (v) => v / 3));
    await check(backend, 'Max', 13, three, {}, fold(Math.max));
    await check(backend, 'Min', 13, three, {}, fold(Math.min));
  });

  it('LRN over 3 neighbouring channels', () => {
    const t = randomTensor([1, 4, 2, 3], 98);
    const [alpha, beta, bias] = [Math.fround(0.2), Math.fround(0.6), Math.fround(1.5)];
    const expected = t.data.map((v, i) => {
      const c = Math.floor(i / 6);
      let sum = 0;
      for (let k = c - 1; k <= c + 1; k++) if (k >= 0 && k < 4) sum += t.data[i + (k - c) * 6]! ** 2;
      return v / (bias + alpha / 3 * sum) ** beta;
    });
    return check(backend, 'LRN', 13, [{ name: 'x', tensor: t }], { size: int(3), alpha: float(0.2), beta: float(0.6), bias: float(1.5) },
      { shape: t.shape, data: expected });
  });
});

forEachBackend('ONNX import: more data movement', (backend) => {
  const x = randomTensor([2, 3, 4], 91);

  it('Split by a split input (opset 13) and into num_outputs uneven parts (opset 18)', async () => {
    for (const [opset, extra, parts] of [[13, [int64('split', [1, 3])], [1, 3]], [18, [], [2, 2]]] as const) {
      const w = new OnnxModelWriter(opset, 8);
      w.input('x', x.shape);
      const names = extra.map((e) => w.initializer(e.name, e.tensor.shape, BigInt64Array.from(e.tensor.data, BigInt)));
      w.nodeWithOutputs('Split', 'split', ['x', ...names], ['a', 'b'], { axis: int(-1), ...(opset >= 18 ? { num_outputs: int(2) } : {}) });
      w.output('a', null);
      w.output('b', null);
      const out = await runModel(backend, w.encode(), feeds([{ name: 'x', tensor: x }]));
      assertClose(out['a'] as never, sliceRef(x, [0, 0, 0], [2, 3, parts[0]], [1, 1, 1]));
      assertClose(out['b'] as never, sliceRef(x, [0, 0, parts[0]], [2, 3, parts[1]], [1, 1, 1]));
    }
  });

  it('Tile and Expand', async () => {
    const small = randomTensor([2, 1, 3], 92);
    const tiled: number[] = [];
    for (let a = 0; a < 2; a++) for (let r = 0; r < 2; r++) for (let rep = 0; rep < 3; rep++) tiled.push(...small.data.slice(a * 3, a * 3 + 3));
    await check(backend, 'Tile', 13, [{ name: 'x', tensor: small }, int64('repeats', [1, 2, 3])], {}, { shape: [2, 2, 9], data: tiled });
    const shape = broadcastShape(small.shape, [4, 1, 1, 1]);
    await check(backend, 'Expand', 13, [{ name: 'x', tensor: small }, int64('shape', [4, 1, 1, 1])], {},
      { shape, data: broadcastTo(small.data, small.shape, shape) });
  });

  it('Pad: constant with a value, reflect and edge', async () => {
    const t = randomTensor([1, 2, 3], 93);
    const padRef = (pick: (i: number, n: number) => number | null, value: number): Tensor => {
      const out: number[] = [];
      for (let c = 0; c < 2; c++) {
        for (let i = -2; i < 3 + 1; i++) {
          const k = pick(i, 3);
          out.push(k === null ? value : t.data[c * 3 + k]!);
        }
      }
      return { shape: [1, 2, 6], data: out };
    };
    const pads = int64('pads', [0, 0, 2, 0, 0, 1]);
    await check(backend, 'Pad', 13, [{ name: 'x', tensor: t }, pads, constant('v', { shape: [], data: [0.5] })], {},
      padRef((i, n) => (i < 0 || i >= n ? null : i), 0.5));
    await check(backend, 'Pad', 13, [{ name: 'x', tensor: t }, pads], { mode: string('reflect') },
      padRef((i, n) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i), 0));
    await check(backend, 'Pad', 11, [{ name: 'x', tensor: t }, pads], { mode: string('edge') },
      padRef((i, n) => Math.min(Math.max(i, 0), n - 1), 0));
  });

  it('Greater and Where; Equal and Cast to bool give 0 / 1', async () => {
    const y = randomTensor([3, 1], 94);
    const w = new OnnxModelWriter(13, 8);
    w.input('x', x.shape);
    w.input('t', y.shape);
    w.node('Greater', 'cond', ['x', 't']);
    w.nodeWithOutputs('Where', 'pick', ['cond', 'x', 't'], ['y']);
    w.node('Cast', 'nonzero', ['x'], { to: int(ELEM.bool) });
    w.output('y', null);
    w.output('nonzero', null, ELEM.bool);
    const out = await runModel(backend, w.encode(), feeds([{ name: 'x', tensor: x }, { name: 't', tensor: y }]));
    assertClose(out['y'] as never, binaryRef(x, y, (a, b) => (a > b ? a : b)));
    const nonzero = out['nonzero']!;
    if (nonzero.dataType !== 'uint8' || nonzero.data.some((v, i) => v !== (x.data[i] !== 0 ? 1 : 0))) {
      throw new Error(`Cast to bool: ${nonzero.dataType} ${nonzero.data}`);
    }
  });

  it('ArgMax with keepdims 0 gives int64 indices', async () => {
    const { y } = await runModel(backend, singleNodeModel('ArgMax', 13, [{ name: 'x', tensor: x }], { axis: int(1), keepdims: int(0) }, ELEM.int64),
      feeds([{ name: 'x', tensor: x }]));
    const expected = reduceRef(x, [1], false, (v) => v.indexOf(Math.max(...v)));
    assertClose(y as never, expected);
  });

  it('CumSum exclusive and reversed', () => {
    const axis = 2;
    const expected = x.data.map((_, i) => {
      const at = i % 4;
      let sum = 0;
      for (let k = at + 1; k < 4; k++) sum += x.data[i - at + k]!;
      return sum;
    });
    return check(backend, 'CumSum', 14, [{ name: 'x', tensor: x }, int64('axis', [axis])], { exclusive: int(1), reverse: int(1) },
      { shape: x.shape, data: expected });
  });

  it('Trilu (upper, k = 1)', () => {
    const m = randomTensor([3, 4], 95);
    return check(backend, 'Trilu', 14, [{ name: 'x', tensor: m }, int64('k', [1])], {},
      { shape: m.shape, data: m.data.map((v, i) => (i % 4 - Math.floor(i / 4) >= 1 ? v : 0)) });
  });

  it('ConstantOfShape and Range fold on the host into constants an Add takes', async () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [2, 4]);
    w.initializer('shape', [2], BigInt64Array.from([2n, 4n]));
    w.node('ConstantOfShape', 'ones', ['shape'], { value: tensor({ shape: [1], data: Float32Array.from([1.5]) }) });
    w.initializer('start', [], Float32Array.from([-1]));
    w.initializer('limit', [], Float32Array.from([1]));
    w.initializer('delta', [], Float32Array.from([0.5]));
    w.node('Range', 'steps', ['start', 'limit', 'delta']);
    w.node('Add', 'shifted', ['ones', 'steps']);
    w.nodeWithOutputs('Add', 'sum', ['x', 'shifted'], ['y']);
    w.output('y', null);
    const input = randomTensor([2, 4], 96);
    const { y } = await runModel(backend, w.encode(), feeds([{ name: 'x', tensor: input }]));
    assertClose(y as never, { shape: [2, 4], data: input.data.map((v, i) => v + 1.5 + (-1 + 0.5 * (i % 4))) });
  });

  it('GlobalMaxPool and LpPool (p = 2)', async () => {
    const t = randomTensor([1, 2, 4, 4], 97);
    await check(backend, 'GlobalMaxPool', 1, [{ name: 'x', tensor: t }], {}, reduceRef(t, [2, 3], true, (v) => Math.max(...v)));
    const l2: Tensor = { shape: [1, 2, 2, 2], data: [] };
    const st = strides(t.shape);
    for (let c = 0; c < 2; c++) {
      for (let oy = 0; oy < 2; oy++) {
        for (let ox = 0; ox < 2; ox++) {
          let sum = 0;
          for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) sum += t.data[c * st[1]! + (oy * 2 + i) * 4 + ox * 2 + j]! ** 2;
          l2.data.push(Math.sqrt(sum));
        }
      }
    }
    await check(backend, 'LpPool', 18, [{ name: 'x', tensor: t }], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), p: int(2) }, l2);
  });
});
