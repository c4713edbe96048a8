/** ONNX arithmetic, activations, convolutions, pools, products and normalizations against float64 references. */
import { assertClose, forEachBackend } from '../util/harness.js';
import { float, int, ints, OnnxModelWriter } from '../browser/onnx/model-writer.js';
import { conv2dRef, convTranspose2dRef, pool2dRef } from '../ops/conv-reference.js';
import { erf } from '../ops/erf-reference.js';
import { feeds, randomTensor, singleNodeModel, type NodeInput } from './model-util.js';
import {
  binaryRef, gemmRef, matmulRef, reduceRef, topBottomLeftRight, unaryRef, type Tensor,
} from './reference.js';
import { runModel } from './run-model.js';
import type { OnnxAttribute } from '../browser/onnx/model-writer.js';
import type { BackendName } from '../../src/runtime/backends.js';

async function check(backend: BackendName, opType: string, opset: number, inputs: (NodeInput | '')[],
  attributes: Record<string, OnnxAttribute>, expected: Tensor, tolerance?: { atol?: number; rtol?: number }) {
  const bytes = singleNodeModel(opType, opset, inputs, attributes);
  const { y } = await runModel(backend, bytes, feeds(inputs));
  assertClose(y as never, expected, tolerance, `${opType} (opset ${opset})`);
}

forEachBackend('ONNX import: element-wise operators', (backend) => {
  const x = randomTensor([2, 3, 4], 1);
  const y = randomTensor([3, 1], 2, 0.5, 2);
  const binaries: [string, (a: number, b: number) => number][] = [
    ['Add', (a, b) => a + b], ['Sub', (a, b) => a - b], ['Mul', (a, b) => a * b], ['Div', (a, b) => a / b],
  ];
  for (const [op, fn] of binaries) {
    it(`${op} broadcasts an initializer against an input`, () =>
      check(backend, op, 13, [{ name: 'x', tensor: x }, { name: 'b', tensor: y, initializer: 'float32' }], {}, binaryRef(x, y, fn)));
  }

  it('Pow of a positive input and an input exponent', () => {
    const base = randomTensor([2, 3], 3, 0.5, 2);
    const exponent = randomTensor([3], 4, -2, 2);
    return check(backend, 'Pow', 15, [{ name: 'x', tensor: base }, { name: 'e', tensor: exponent }], {},
      binaryRef(base, exponent, Math.pow), { rtol: 1e-5 });
  });

  const unaries: [string, (v: number) => number, Record<string, OnnxAttribute>?, Tensor?][] = [
    ['Relu', (v) => Math.max(v, 0)],
    ['Sigmoid', (v) => 1 / (1 + Math.exp(-v))],
    ['Tanh', Math.tanh],
    ['Sqrt', Math.sqrt, {}, randomTensor([2, 3, 4], 5, 0, 4)],
    ['Erf', erf],
    ['Exp', Math.exp],
    ['Abs', Math.abs],
    ['Neg', (v) => -v],
    ['Floor', Math.floor, {}, randomTensor([2, 3, 4], 6, -4, 4)],
    ['Reciprocal', (v) => 1 / v, {}, randomTensor([2, 3, 4], 7, 0.5, 2)],
    ['LeakyRelu', (v) => (v < 0 ? 0.1 * v : v), { alpha: float(0.1) }],
    ['HardSigmoid', (v) => Math.max(0, Math.min(1, Math.fround(0.3) * v + Math.fround(0.4))), { alpha: float(0.3), beta: float(0.4) }],
    ['HardSwish', (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5)), {}, randomTensor([2, 3, 4], 8, -4, 4)],
    ['Elu', (v) => (v < 0 ? 0.5 * (Math.exp(v) - 1) : v), { alpha: float(0.5) }],
  ];
  for (const [op, fn, attributes, input] of unaries) {
    it(op, () => {
      const t = input ?? x;
      return check(backend, op, 14, [{ name: 'x', tensor: t }], attributes ?? {}, unaryRef(t, fn));
    });
  }

  it('Clip with min and max attributes (opset 6)', () =>
    check(backend, 'Clip', 6, [{ name: 'x', tensor: x }], { min: float(-0.25), max: float(0.5) },
      unaryRef(x, (v) => Math.min(Math.max(v, -0.25), 0.5))));

  it('Clip with a constant min input and no max (opset 13)', () =>
    check(backend, 'Clip', 13, [{ name: 'x', tensor: x }, { name: 'lo', tensor: { shape: [], data: [-0.5] }, initializer: 'float32' }], {},
      unaryRef(x, (v) => Math.max(v, -0.5))));

  it('Clip with bounds computed from constants (Neg, Sqrt) folded at load time', async () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', x.shape);
    w.initializer('half', [], Float32Array.from([0.5]));
    w.initializer('quarter', [], Float32Array.from([0.0625]));
    w.node('Neg', 'lo', ['half']);
    w.node('Sqrt', 'hi', ['quarter']);
    w.nodeWithOutputs('Clip', 'clip', ['x', 'lo', 'hi'], ['y']);
    w.output('y', null);
    const { y } = await runModel(backend, w.encode(), feeds([{ name: 'x', tensor: x }]));
    assertClose(y as never, unaryRef(x, (v) => Math.min(Math.max(v, -0.5), 0.25)));
  });
});

forEachBackend('ONNX import: convolutions and pools', (backend) => {
  const bias = randomTensor([6], 12);

  it('Conv with groups, asymmetric pads, strides, dilations and a bias', () => {
    const x = randomTensor([1, 4, 7, 6], 10);
    const w = randomTensor([6, 2, 3, 3], 11);
    const pads = [1, 0, 2, 1];
    const expected = conv2dRef(x, w, bias.data, { padding: topBottomLeftRight(pads), strides: [2, 1], dilations: [1, 2], groups: 2 });
    return check(backend, 'Conv', 11,
      [{ name: 'x', tensor: x }, { name: 'w', tensor: w, initializer: 'float32' }, { name: 'b', tensor: bias, initializer: 'float32' }],
      { group: int(2), pads: ints(pads), strides: ints([2, 1]), dilations: ints([1, 2]), kernel_shape: ints([3, 3]) },
      expected, { atol: 1e-5 });
  });

  it('Conv with auto_pad SAME_UPPER and stride 2', () => {
    const x = randomTensor([1, 2, 7, 8], 13);
    const w = randomTensor([3, 2, 4, 3], 14);
    // out = ceil(in / 2): height 4 (total pad 4 - 7 + 3 + ... ), computed as ONNX defines it.
    const total = (size: number, k: number) => Math.max(0, (Math.ceil(size / 2) - 1) * 2 + k - size);
    const [th, tw] = [total(7, 4), total(8, 3)];
    const padding = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
    return check(backend, 'Conv', 11, [{ name: 'x', tensor: x }, { name: 'w', tensor: w, initializer: 'float32' }],
      { auto_pad: { kind: 'string', value: 'SAME_UPPER' }, strides: ints([2, 2]) },
      conv2dRef(x, w, undefined, { padding, strides: [2, 2] }), { atol: 1e-5 });
  });

  it('Conv over a 1-D signal', async () => {
    const x = randomTensor([2, 3, 10], 15);
    const w = randomTensor([4, 3, 3], 16);
    const as2d = (t: Tensor) => ({ shape: [t.shape[0]!, t.shape[1]!, 1, t.shape[2]!], data: t.data });
    const expected = conv2dRef(as2d(x), as2d(w), undefined, { padding: [0, 0, 1, 2], strides: [1, 2] });
    await check(backend, 'Conv', 13, [{ name: 'x', tensor: x }, { name: 'w', tensor: w, initializer: 'float32' }],
      { pads: ints([1, 2]), strides: ints([2]) },
      { shape: [2, 4, expected.shape[3]!], data: expected.data }, { atol: 1e-5 });
  });

  it('ConvTranspose with strides, pads and output_padding', () => {
    const x = randomTensor([1, 4, 3, 5], 17);
    const w = randomTensor([4, 3, 3, 3], 18);
    const b = randomTensor([3], 19);
    const pads = [1, 0, 1, 1];
    const expected = convTranspose2dRef(x, w, b.data, { padding: topBottomLeftRight(pads), strides: [2, 2], outputPadding: [1, 0] });
    return check(backend, 'ConvTranspose', 11,
      [{ name: 'x', tensor: x }, { name: 'w', tensor: w, initializer: 'float32' }, { name: 'b', tensor: b, initializer: 'float32' }],
      { pads: ints(pads), strides: ints([2, 2]), output_padding: ints([1, 0]) }, expected, { atol: 1e-5 });
  });

  it('ConvTranspose with output_shape (pads derived as ONNX derives them)', () => {
    const x = randomTensor([1, 2, 4, 4], 20);
    const w = randomTensor([2, 2, 3, 3], 21);
    // total padding = 2 * 3 + 3 - 8 = 1 per axis: NOTSET puts the odd one at the beginning.
    const expected = convTranspose2dRef(x, w, undefined, { padding: [1, 0, 1, 0], strides: [2, 2] });
    return check(backend, 'ConvTranspose', 11, [{ name: 'x', tensor: x }, { name: 'w', tensor: w, initializer: 'float32' }],
      { strides: ints([2, 2]), output_shape: ints([8, 8]) }, expected, { atol: 1e-5 });
  });

  it('GlobalAveragePool', () => {
    const x = randomTensor([1, 3, 5, 7], 22);
    return check(backend, 'GlobalAveragePool', 11, [{ name: 'x', tensor: x }], {},
      reduceRef(x, [2, 3], true, (v) => v.reduce((p, q) => p + q, 0) / v.length));
  });

  it('AveragePool with padding left out of the count (count_include_pad 0)', () => {
    const x = randomTensor([1, 2, 6, 7], 23);
    const expected = pool2dRef('average', x, { window: [3, 3], padding: [1, 1, 1, 1], strides: [2, 2], outputSize: [3, 4] });
    return check(backend, 'AveragePool', 11, [{ name: 'x', tensor: x }],
      { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) }, expected);
  });

  it('AveragePool with padding counted as zeros (count_include_pad 1)', () => {
    const x = randomTensor([1, 2, 6, 7], 24);
    const padded = randomTensor([1, 2, 8, 9], 0);
    padded.data = padded.data.map((_, i) => {
      const [c, y, xo] = [Math.floor(i / 72), Math.floor(i / 9) % 8, i % 9];
      return y === 0 || y === 7 || xo === 0 || xo === 8 ? 0 : x.data[(c * 6 + y - 1) * 7 + xo - 1]!;
    });
    const expected = pool2dRef('average', padded, { window: [3, 3], strides: [2, 2], outputSize: [3, 4] });
    return check(backend, 'AveragePool', 11, [{ name: 'x', tensor: x }],
      { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]), count_include_pad: int(1) }, expected);
  });

  it('MaxPool with ceil_mode', () => {
    const x = randomTensor([1, 2, 8, 8], 25);
    // ceil((8 - 3) / 2) + 1 = 4 windows per axis; the last one is partly outside the input.
    const expected = pool2dRef('max', x, { window: [3, 3], strides: [2, 2], outputSize: [4, 4] });
    return check(backend, 'MaxPool', 12, [{ name: 'x', tensor: x }],
      { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: int(1) }, expected);
  });
});

forEachBackend('ONNX import: products and normalizations', (backend) => {
  it('Gemm with transB, alpha, beta and a broadcast C', () => {
    const a = randomTensor([3, 4], 30);
    const b = randomTensor([5, 4], 31);
    const c = randomTensor([5], 32);
    return check(backend, 'Gemm', 13,
      [{ name: 'a', tensor: a }, { name: 'b', tensor: b, initializer: 'float32' }, { name: 'c', tensor: c, initializer: 'float32' }],
      { transB: int(1), alpha: float(0.5), beta: float(2) },
      gemmRef(a, b, c, { transB: true, alpha: 0.5, beta: 2 }), { atol: 1e-5 });
  });

  it('MatMul of a batch and a matrix', () => {
    const a = randomTensor([2, 3, 4], 33);
    const b = randomTensor([4, 5], 34);
    return check(backend, 'MatMul', 13, [{ name: 'a', tensor: a }, { name: 'b', tensor: b, initializer: 'float32' }], {},
      matmulRef(a, b), { atol: 1e-5 });
  });

  it('MatMul of a vector and a batch (the vector axis removed)', () => {
    const a = randomTensor([4], 35);
    const b = randomTensor([2, 4, 3], 36);
    const product = matmulRef({ shape: [1, 4], data: a.data }, b);
    return check(backend, 'MatMul', 13, [{ name: 'a', tensor: a }, { name: 'b', tensor: b }], {},
      { shape: [2, 3], data: product.data }, { atol: 1e-5 });
  });

  it('BatchNormalization', () => {
    const x = randomTensor([2, 3, 4, 4], 37);
    const scale = randomTensor([3], 38);
    const bias = randomTensor([3], 39);
    const mean = randomTensor([3], 40);
    const variance = randomTensor([3], 41, 0.5, 2);
    const eps = Math.fround(1e-3);
    const expected = {
      shape: x.shape,
      data: x.data.map((v, i) => {
        const c = Math.floor(i / 16) % 3;
        return (v - mean.data[c]!) / Math.sqrt(variance.data[c]! + eps) * scale.data[c]! + bias.data[c]!;
      }),
    };
    return check(backend, 'BatchNormalization', 15, [{ name: 'x', tensor: x },
      ...[['s', scale], ['b', bias], ['m', mean], ['v', variance]].map(([name, tensor]) =>
        ({ name: name as string, tensor: tensor as Tensor, initializer: 'float32' as const }))],
    { epsilon: float(1e-3) }, expected, { atol: 1e-5 });
  });

  it('ReduceMean with axes as an attribute (opset 13) and as an input (opset 18)', async () => {
    const x = randomTensor([2, 3, 4], 42);
    const mean = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
    await check(backend, 'ReduceMean', 13, [{ name: 'x', tensor: x }], { axes: ints([-1]), keepdims: int(0) },
      reduceRef(x, [2], false, mean));
    await check(backend, 'ReduceMean', 18, [{ name: 'x', tensor: x }, { name: 'axes', tensor: { shape: [2], data: [0, 2] }, initializer: 'int64' }],
      {}, reduceRef(x, [0, 2], true, mean));
  });
});
