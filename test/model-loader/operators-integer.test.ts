/** MatMulInteger and ConvInteger held to exact int32 results, DynamicQuantizeLinear to its definition, exactly. */
import { assertThrows, forEachBackend, randomData } from '../util/harness.js';
import { ELEM, int, ints, OnnxModelWriter, type TensorData } from '../browser/onnx/model-writer.js';
import { conv2dRef } from '../ops/conv-reference.js';
import { loadModel, runModel, type ModelOutput } from './run-model.js';

type Eight = 'uint8' | 'int8';
const RANGE = { uint8: [0, 255], int8: [-128, 127] } as const;
const ARRAY = { uint8: Uint8Array, int8: Int8Array } as const;

/** Seeded 8-bit integers; `extreme` draws only the ends of the range, the largest products. */
function integers(count: number, seed: number, type: Eight, extreme = false): number[] {
  const [lo, hi] = RANGE[type];
  return randomData(count, seed, 0, 1).map((u) => (extreme ? (u < 0.5 ? lo : hi) : lo + Math.floor(u * (hi - lo + 1))));
}

interface IntTensor {
  name: string;
  type: Eight;
  shape: number[];
  data: number[];
  /** An initializer (a constant) instead of a graph input. */
  constant?: boolean;
}

const tensorData = (t: IntTensor): TensorData => ({ shape: t.shape, data: ARRAY[t.type].from(t.data), elemType: ELEM[t.type] });

function integerModel(opType: string, inputs: readonly (IntTensor | '')[], attributes = {}): Uint8Array {
  const w = new OnnxModelWriter(13, 8);
  const names = inputs.map((t) => {
    if (t === '') return '';
    if (t.constant) return w.initializer(t.name, t.shape, ARRAY[t.type].from(t.data), { elemType: ELEM[t.type] });
    return w.input(t.name, t.shape, ELEM[t.type]);
  });
  w.nodeWithOutputs(opType, `${opType}_0`, names, ['y'], attributes);
  w.output('y', null, ELEM.int32);
  return w.encode();
}

async function runInteger(backend: Parameters<typeof runModel>[0], opType: string, inputs: readonly (IntTensor | '')[],
  attributes = {}): Promise<ModelOutput> {
  const feeds = Object.fromEntries(inputs.flatMap((t) => (t === '' || t.constant ? [] : [[t.name, { shape: t.shape, data: tensorData(t).data }]])));
  const { y } = await runModel(backend, integerModel(opType, inputs, attributes), feeds);
  return y!;
}

function assertExact(actual: ModelOutput, shape: readonly number[], expected: readonly number[]): void {
  if (actual.dataType !== 'int32') throw new Error(`data type ${actual.dataType}, not int32`);
  if (actual.shape.join() !== shape.join()) throw new Error(`shape [${actual.shape}] != [${shape}]`);
  const wrong = expected.findIndex((v, i) => actual.data[i] !== v);
  if (wrong >= 0) throw new Error(`[${wrong}]: ${actual.data[wrong]} != ${expected[wrong]}`);
}

/** [..., M, K] x [K, N] of (a - za) and (b - zb): za per row (or one), zb per column (or one), exact in float64. */
function matMulIntegerRef(a: IntTensor, b: IntTensor, za: readonly number[], zb: readonly number[]): number[] {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[1]!;
  const batches = a.data.length / (m * k);
  const out: number[] = [];
  for (let t = 0; t < batches; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          sum += (a.data[(t * m + i) * k + p]! - za[za.length === 1 ? 0 : i]!) * (b.data[p * n + j]! - zb[zb.length === 1 ? 0 : j]!);
        }
        out.push(sum);
      }
    }
  }
  return out;
}

forEachBackend('ONNX import: integer products', (backend) => {
  it('MatMulInteger of uint8 inputs with scalar zero points', async () => {
    const a: IntTensor = { name: 'a', type: 'uint8', shape: [3, 4], data: integers(12, 600, 'uint8') };
    const b: IntTensor = { name: 'b', type: 'uint8', shape: [4, 5], data: integers(20, 601, 'uint8'), constant: true };
    const za: IntTensor = { name: 'za', type: 'uint8', shape: [], data: [128], constant: true };
    const zb: IntTensor = { name: 'zb', type: 'uint8', shape: [], data: [3], constant: true };
    assertExact(await runInteger(backend, 'MatMulInteger', [a, b, za, zb]), [3, 5], matMulIntegerRef(a, b, [128], [3]));
  });

  it('MatMulInteger of int8 inputs, zero points per row of A and per column of B', async () => {
    const a: IntTensor = { name: 'a', type: 'int8', shape: [3, 6], data: integers(18, 602, 'int8') };
    const b: IntTensor = { name: 'b', type: 'int8', shape: [6, 4], data: integers(24, 603, 'int8'), constant: true };
    const za: IntTensor = { name: 'za', type: 'int8', shape: [3], data: [-5, 0, 7], constant: true };
    const zb: IntTensor = { name: 'zb', type: 'int8', shape: [4], data: [1, -2, 3, 127], constant: true };
    assertExact(await runInteger(backend, 'MatMulInteger', [a, b, za, zb]), [3, 4], matMulIntegerRef(a, b, za.data, zb.data));
  });

  it('MatMulInteger of two inputs without zero points, sums beyond 2^24 (K = 700 of extreme values) still exact', async () => {
    const k = 700;
    const a: IntTensor = { name: 'a', type: 'uint8', shape: [2, k], data: integers(2 * k, 604, 'uint8', true) };
    const b: IntTensor = { name: 'b', type: 'uint8', shape: [k, 3], data: integers(3 * k, 605, 'uint8', true) };
    a.data.fill(255, 0, k);
    b.data.fill(255);
    const expected = matMulIntegerRef(a, b, [0], [0]);
    if (expected[0]! <= 2 ** 24) throw new Error('the case should exceed 2^24');
    assertExact(await runInteger(backend, 'MatMulInteger', [a, b]), [2, 3], expected);
  });

  it('MatMulInteger of a batch by a constant matrix of large weights, sums beyond 2^24 (runs cut from the weights)', async () => {
    const k = 700;
    const a: IntTensor = { name: 'a', type: 'uint8', shape: [2, 3, k], data: integers(6 * k, 606, 'uint8', true) };
    const b: IntTensor = { name: 'b', type: 'uint8', shape: [k, 2], data: integers(2 * k, 607, 'uint8', true), constant: true };
    a.data.fill(255, 0, k);
    b.data.forEach((_, i) => { if (i % 2 === 0) b.data[i] = 255; });
    const expected = matMulIntegerRef(a, b, [0], [0]);
    if (expected[0]! <= 2 ** 24) throw new Error('the case should exceed 2^24');
    assertExact(await runInteger(backend, 'MatMulInteger', [a, b]), [2, 3, 2], expected);
  });

  it('ConvInteger with zero points, pads and strides (padding stands for the zero point)', async () => {
    const x: IntTensor = { name: 'x', type: 'uint8', shape: [1, 3, 5, 6], data: integers(90, 610, 'uint8') };
    const w: IntTensor = { name: 'w', type: 'uint8', shape: [4, 3, 3, 3], data: integers(108, 611, 'uint8'), constant: true };
    const zx: IntTensor = { name: 'zx', type: 'uint8', shape: [], data: [100], constant: true };
    const zw: IntTensor = { name: 'zw', type: 'uint8', shape: [4], data: [0, 128, 255, 7], constant: true };
    const centeredW = w.data.map((v, i) => v - zw.data[Math.floor(i / 27)]!);
    const expected = conv2dRef({ shape: x.shape, data: x.data.map((v) => v - 100) }, { shape: w.shape, data: centeredW }, undefined,
      { padding: [1, 1, 0, 2], strides: [2, 1] });
    const y = await runInteger(backend, 'ConvInteger', [x, w, zx, zw], { pads: ints([1, 0, 1, 2]), strides: ints([2, 1]) });
    assertExact(y, expected.shape, expected.data);
  });

  it('ConvInteger of 72 channels of extreme values (sums beyond 2^24, cut into runs of channels)', async () => {
    const x: IntTensor = { name: 'x', type: 'uint8', shape: [1, 72, 4, 4], data: integers(72 * 16, 612, 'uint8', true) };
    const w: IntTensor = { name: 'w', type: 'uint8', shape: [2, 72, 3, 3], data: integers(2 * 648, 613, 'uint8', true) };
    x.data.fill(255, 0, 72 * 8);
    w.data.fill(255, 0, 648);
    const expected = conv2dRef({ shape: x.shape, data: x.data }, { shape: w.shape, data: w.data }, undefined, {});
    if (Math.max(...expected.data) <= 2 ** 24) throw new Error('the case should exceed 2^24');
    assertExact(await runInteger(backend, 'ConvInteger', [x, w]), expected.shape, expected.data);
  });

  it('ConvInteger with groups and sums beyond 2^24 (each group\'s channels cut into the same runs)', async () => {
    const x: IntTensor = { name: 'x', type: 'uint8', shape: [1, 144, 3, 4], data: integers(144 * 12, 614, 'uint8', true) };
    const w: IntTensor = { name: 'w', type: 'uint8', shape: [4, 72, 3, 3], data: integers(4 * 648, 615, 'uint8', true), constant: true };
    x.data.fill(255, 0, 72 * 12);
    x.data.fill(255, 72 * 12 + 12, 144 * 12 - 12);
    w.data.fill(255, 0, 648);
    w.data.fill(255, 3 * 648, 4 * 648);
    const expected = conv2dRef({ shape: x.shape, data: x.data }, { shape: w.shape, data: w.data }, undefined, { groups: 2, padding: [1, 1, 1, 1] });
    if (Math.max(...expected.data) <= 2 ** 24) throw new Error('the case should exceed 2^24');
    assertExact(await runInteger(backend, 'ConvInteger', [x, w], { group: int(2), pads: ints([1, 1, 1, 1]) }), expected.shape, expected.data);
  });

  it('ConvInteger whose one channel\'s window alone can pass 2^24 (17 x 17 of weights given at run time) is refused', () => {
    const x: IntTensor = { name: 'x', type: 'uint8', shape: [1, 1, 17, 17], data: new Array<number>(289).fill(0) };
    const w: IntTensor = { name: 'w', type: 'uint8', shape: [1, 1, 17, 17], data: new Array<number>(289).fill(0) };
    return assertThrows(() => loadModel(backend, integerModel('ConvInteger', [x, w])), 'NotSupportedError',
      "node 'ConvInteger_0' (ConvInteger, opset 13): index 0 of its contracted axis alone can add up past 2^24, beyond float32's exact integers");
  });

  it('MatMulInteger of a float32 input is refused', () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('a', [2, 2]);
    w.input('b', [2, 2], ELEM.uint8);
    w.nodeWithOutputs('MatMulInteger', 'mmi', ['a', 'b'], ['y']);
    w.output('y', null, ELEM.int32);
    return assertThrows(() => loadModel(backend, w.encode()), 'NotSupportedError',
      "node 'mmi' (MatMulInteger, opset 13): input 0 of type float32 is not mapped (uint8 and int8 are)");
  });
});

/** Round half to even. */
function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff !== 0.5) return Math.round(v);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** ONNX's DynamicQuantizeLinear: the scale computed in float32 as the operator's float output is. */
function dynamicQuantizeRef(x: readonly number[]): { y: number[]; scale: number; zeroPoint: number } {
  const low = Math.min(0, ...x);
  const high = Math.max(0, ...x);
  const scale = Math.fround(Math.fround(high - low) / 255);
  const clamp = (v: number) => Math.min(255, Math.max(0, v));
  const zeroPoint = clamp(roundHalfEven(0 - low / scale));
  return { y: x.map((v) => clamp(roundHalfEven(v / scale) + zeroPoint)), scale, zeroPoint };
}

forEachBackend('ONNX import: DynamicQuantizeLinear', (backend) => {
  const model = (shape: number[]) => {
    const w = new OnnxModelWriter(11, 8);
    w.input('x', shape);
    w.nodeWithOutputs('DynamicQuantizeLinear', 'dql', ['x'], ['y', 'scale', 'zero']);
    w.output('y', null, ELEM.uint8);
    w.output('scale', null);
    w.output('zero', null, ELEM.uint8);
    return w.encode();
  };
  const cases: [string, number[]][] = [
    ['values of both signs', randomData(24, 620, -3, 5).map(Math.fround)],
    ['positive values only (the range starts at 0)', randomData(24, 621, 0.5, 2).map(Math.fround)],
    ['negative values only (the range ends at 0)', randomData(24, 622, -4, -1).map(Math.fround)],
    // A range of 127.5: the scale is 0.5, and x / scale falls on .5 but for -1 and 126.5.
    ['values on the rounding ties', [-1, 0.25, 0.75, 1.25, 1.75, 2.25, 3.75, 126.5]],
  ];
  for (const [title, data] of cases) {
    it(title, async () => {
      const x = Float32Array.from(data);
      const outputs = await runModel(backend, model([4, x.length / 4]), { x: { shape: [4, x.length / 4], data: x } });
      const expected = dynamicQuantizeRef(Array.from(x));
      const { y, scale, zero } = outputs as Record<string, ModelOutput>;
      if (y!.dataType !== 'uint8' || zero!.dataType !== 'uint8') throw new Error(`types ${y!.dataType} ${zero!.dataType}`);
      if (scale!.shape.length !== 0 || zero!.shape.length !== 0) throw new Error(`shapes [${scale!.shape}] [${zero!.shape}]`);
      if (scale!.data[0] !== expected.scale) throw new Error(`scale ${scale!.data[0]} != ${expected.scale}`);
      if (zero!.data[0] !== expected.zeroPoint) throw new Error(`zero point ${zero!.data[0]} != ${expected.zeroPoint}`);
      if (y!.data.join() !== expected.y.join()) throw new Error(`y ${y!.data} != ${expected.y}`);
    });
  }

  it('an all-zero input (where ONNX\'s formula divides by zero) gives zeros, a zero point of 0 and ONNX Runtime\'s scale of 1', async () => {
    const outputs = await runModel(backend, model([2, 2]), { x: { shape: [2, 2], data: new Float32Array(4) } });
    const { y, scale, zero } = outputs as Record<string, ModelOutput>;
    if (y!.data.join() !== '0,0,0,0' || scale!.data[0] !== 1 || zero!.data[0] !== 0) throw new Error(`${y!.data} ${scale!.data} ${zero!.data}`);
  });
});
