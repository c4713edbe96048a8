/** DequantizeLinear (folded for constants, computed for inputs) and QuantizeLinear against float64 references. */
import { assertClose, forEachBackend } from '../util/harness.js';
import { ELEM, int, OnnxModelWriter } from '../browser/onnx/model-writer.js';
import { feeds, randomTensor } from './model-util.js';
import { runModel } from './run-model.js';

/** Round half to even, as ONNX's QuantizeLinear rounds. */
function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff !== 0.5) return Math.round(v);
  return floor % 2 === 0 ? floor : floor + 1;
}

forEachBackend('ONNX import: quantization', (backend) => {
  const q = [-128, -3, 0, 5, 127, 64, -64, 1];
  const scale = [0.5, 0.03125];
  const zero = [2, -1];

  it('DequantizeLinear per axis of a constant folds into the float weights an Add takes', async () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [2, 4]);
    w.initializer('q', [2, 4], Int8Array.from(q));
    w.initializer('s', [2], Float32Array.from(scale));
    w.initializer('z', [2], Int8Array.from(zero));
    w.node('DequantizeLinear', 'weights', ['q', 's', 'z'], { axis: int(0) });
    w.nodeWithOutputs('Add', 'add', ['x', 'weights'], ['y']);
    w.output('y', null);
    const x = randomTensor([2, 4], 120);
    const { y } = await runModel(backend, w.encode(), feeds([{ name: 'x', tensor: x }]));
    const weights = q.map((v, i) => (v - zero[Math.floor(i / 4)]!) * scale[Math.floor(i / 4)]!);
    assertClose(y as never, { shape: [2, 4], data: x.data.map((v, i) => v + weights[i]!) });
  });

  it('DequantizeLinear per axis of an int8 input', async () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('q', [2, 4], ELEM.int8);
    w.initializer('s', [4], Float32Array.from([0.5, 0.25, 2, 1]));
    w.initializer('z', [4], Int8Array.from([0, 1, -2, 3]));
    w.nodeWithOutputs('DequantizeLinear', 'dq', ['q', 's', 'z'], ['y'], { axis: int(1) });
    w.output('y', null);
    const { y } = await runModel(backend, w.encode(), { q: { shape: [2, 4], data: Int8Array.from(q) } });
    assertClose(y as never, { shape: [2, 4], data: q.map((v, i) => (v - [0, 1, -2, 3][i % 4]!) * [0.5, 0.25, 2, 1][i % 4]!) });
  });

  it('QuantizeLinear to uint8: rounded half to even, saturated', async () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [8]);
    w.initializer('s', [], Float32Array.from([0.5]));
    w.initializer('z', [], Uint8Array.from([10]));
    w.nodeWithOutputs('QuantizeLinear', 'q', ['x', 's', 'z'], ['y']);
    w.output('y', null, ELEM.uint8);
    const data = [-100, -5.25, -0.75, 0.25, 0.75, 1.25, 60, 1000];
    const { y } = await runModel(backend, w.encode(), { x: { shape: [8], data: Float32Array.from(data) } });
    const expected = data.map((v) => Math.min(255, Math.max(0, roundHalfEven(v / 0.5) + 10)));
    if (y!.dataType !== 'uint8' || y!.data.join() !== expected.join()) throw new Error(`${y!.dataType} ${y!.data} != ${expected}`);
  });
});
