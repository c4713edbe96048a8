/** Mish, Celu, Selu, ThresholdedRelu, Mod and Hardmax against float64 references from the ONNX definitions. */
import { assertClose, assertThrows, forEachBackend } from '../util/harness.js';
import { ELEM, float, int, OnnxModelWriter, type OnnxAttribute } from '../browser/onnx/model-writer.js';
import { feeds, randomTensor, singleNodeModel, type NodeInput } from './model-util.js';
import { unaryRef, type Tensor } from './reference.js';
import { loadModel, runModel } from './run-model.js';
import type { BackendName } from '../../src/runtime/backends.js';

async function check(backend: BackendName, opType: string, opset: number, inputs: NodeInput[],
  attributes: Record<string, OnnxAttribute>, expected: Tensor) {
  const { y } = await runModel(backend, singleNodeModel(opType, opset, inputs, attributes), feeds(inputs));
  assertClose(y as never, expected, undefined, `${opType} (opset ${opset})`);
}

/** The float32 values of Selu's default attributes. */
const SELU_ALPHA = Math.fround(1.6732632423543772);
const SELU_GAMMA = Math.fround(1.0507009873554805);

forEachBackend('ONNX import: more activations', (backend) => {
  const x = randomTensor([2, 3, 4], 700, -4, 4);
  const softplus = (v: number) => Math.log1p(Math.exp(v));
  const cases: [string, number, Record<string, OnnxAttribute>, (v: number) => number][] = [
    ['Mish', 18, {}, (v) => v * Math.tanh(softplus(v))],
    ['Celu', 12, {}, (v) => Math.max(0, v) + Math.min(0, Math.exp(v) - 1)],
    ['Celu', 12, { alpha: float(0.5) }, (v) => Math.max(0, v) + Math.min(0, 0.5 * (Math.exp(v / 0.5) - 1))],
    ['Selu', 6, {}, (v) => SELU_GAMMA * (v > 0 ? v : SELU_ALPHA * (Math.exp(v) - 1))],
    ['Selu', 6, { alpha: float(2), gamma: float(0.5) }, (v) => 0.5 * (v > 0 ? v : 2 * (Math.exp(v) - 1))],
    ['ThresholdedRelu', 10, {}, (v) => (v > 1 ? v : 0)],
    ['ThresholdedRelu', 10, { alpha: float(-0.5) }, (v) => (v > -0.5 ? v : 0)],
  ];
  for (const [op, opset, attributes, fn] of cases) {
    it(`${op} ${JSON.stringify(Object.fromEntries(Object.entries(attributes).map(([k, a]) => [k, a.value])))}`, () =>
      check(backend, op, opset, [{ name: 'x', tensor: x }], attributes, unaryRef(x, fn)));
  }
});

/** A two-input model of int32 inputs and output. */
function int32Model(opType: string, shape: number[], attributes: Record<string, OnnxAttribute>): Uint8Array {
  const w = new OnnxModelWriter(13, 8);
  w.input('a', shape, ELEM.int32);
  w.input('b', shape, ELEM.int32);
  w.nodeWithOutputs(opType, `${opType}_0`, ['a', 'b'], ['y'], attributes);
  w.output('y', null, ELEM.int32);
  return w.encode();
}

forEachBackend('ONNX import: Mod', (backend) => {
  const a = [7, -7, 7, -7, 6, -6, 0, 13, -13, 2147483, -1, 1];
  const b = [3, 3, -3, -3, 3, -3, 5, 4, -4, 1000, 7, -7];
  const run = async (fmod: number) => {
    const { y } = await runModel(backend, int32Model('Mod', [12], { fmod: int(fmod) }),
      { a: { shape: [12], data: Int32Array.from(a) }, b: { shape: [12], data: Int32Array.from(b) } });
    return y!;
  };

  it('int32, fmod 0: the remainder takes the divisor\'s sign', async () => {
    const y = await run(0);
    const expected = a.map((v, i) => v - Math.floor(v / b[i]!) * b[i]!);
    if (y.dataType !== 'int32' || y.data.join() !== expected.join()) throw new Error(`${y.dataType} ${y.data} != ${expected}`);
  });

  it('int32, fmod 1: the remainder takes the dividend\'s sign', async () => {
    const y = await run(1);
    const expected = a.map((v, i) => v - Math.trunc(v / b[i]!) * b[i]!);
    if (y.dataType !== 'int32' || y.data.join() !== expected.join()) throw new Error(`${y.dataType} ${y.data} != ${expected}`);
  });

  it('float32, fmod 1 (C\'s fmod), broadcast divisor', () => {
    const x = randomTensor([2, 5], 710, -6, 6);
    const divisor = { shape: [5], data: [1.5, -2.25, 0.75, 3.5, -1.25] };
    const expected = { shape: [2, 5], data: x.data.map((v, i) => { const d = divisor.data[i % 5]!; return v - Math.trunc(v / d) * d; }) };
    return check(backend, 'Mod', 13, [{ name: 'x', tensor: x }, { name: 'd', tensor: divisor, initializer: 'float32' }], { fmod: int(1) }, expected);
  });

  it('float32 with fmod 0 breaks an ONNX rule: a TypeError', () =>
    assertThrows(() => loadModel(backend, singleNodeModel('Mod', 13, [{ name: 'x', tensor: randomTensor([2], 1) }, { name: 'd', tensor: randomTensor([2], 2) }])),
      'TypeError', "node 'Mod_0' (Mod, opset 13): fmod = 0 is defined for integer inputs only"));
});

/** 1 at the first maximum of each run of `size` values spaced `stride` apart. */
function hardmaxRef(t: Tensor, outer: number, size: number, inner: number): Tensor {
  const data = new Array<number>(t.data.length).fill(0);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let k = 1; k < size; k++) if (t.data[(o * size + k) * inner + i]! > t.data[(o * size + best) * inner + i]!) best = k;
      data[(o * size + best) * inner + i] = 1;
    }
  }
  return { shape: [...t.shape], data };
}

forEachBackend('ONNX import: Hardmax', (backend) => {
  // Values on a coarse grid, so that a run has ties: the first of them is the maximum.
  const x = randomTensor([2, 3, 4], 720, -2, 2);
  x.data = x.data.map((v) => Math.round(v));

  it('opset 13, the last axis (default), ties to the first', () =>
    check(backend, 'Hardmax', 13, [{ name: 'x', tensor: x }], {}, hardmaxRef(x, 6, 4, 1)));

  it('opset 13, axis 1', () =>
    check(backend, 'Hardmax', 13, [{ name: 'x', tensor: x }], { axis: int(1) }, hardmaxRef(x, 2, 3, 4)));

  it('opset 11, axis 1: the axes from 1 on taken as one', () =>
    check(backend, 'Hardmax', 11, [{ name: 'x', tensor: x }], {}, hardmaxRef(x, 2, 12, 1)));
});
