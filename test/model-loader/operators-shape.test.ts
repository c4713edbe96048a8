/** ONNX data movement, shape folding, Softmax and Resize against float64 references. */
import { assertClose, assertThrows, forEachBackend } from '../util/harness.js';
import { ELEM, graph, int, ints, OnnxModelWriter, string } from '../browser/onnx/model-writer.js';
import { feeds, randomTensor, singleNodeModel, type NodeInput } from './model-util.js';
import { resizeRef, sliceRef, softmaxRef, transposeRef, type Tensor } from './reference.js';
import { loadModel, runModel } from './run-model.js';
import type { OnnxAttribute } from '../browser/onnx/model-writer.js';
import type { BackendName } from '../../src/runtime/backends.js';

async function check(backend: BackendName, opType: string, opset: number, inputs: (NodeInput | '')[],
  attributes: Record<string, OnnxAttribute>, expected: Tensor) {
  const { y } = await runModel(backend, singleNodeModel(opType, opset, inputs, attributes), feeds(inputs));
  assertClose(y as never, expected, undefined, `${opType} (opset ${opset})`);
}

const int64 = (name: string, data: number[]): NodeInput => ({ name, tensor: { shape: [data.length], data }, initializer: 'int64' });
const same = (x: Tensor, shape: number[]): Tensor => ({ shape, data: x.data });
const INT64_MAX = 2 ** 63 - 1;

forEachBackend('ONNX import: shapes and data movement', (backend) => {
  const x = randomTensor([2, 3, 4], 50);

  it('Reshape with 0 (copy the size) and -1 (the rest)', () =>
    check(backend, 'Reshape', 14, [{ name: 'x', tensor: x }, int64('shape', [0, -1])], {}, same(x, [2, 12])));

  it('Flatten at axis 2', () => check(backend, 'Flatten', 13, [{ name: 'x', tensor: x }], { axis: int(2) }, same(x, [6, 4])));

  it('Transpose with a permutation, and reversed without one', async () => {
    await check(backend, 'Transpose', 13, [{ name: 'x', tensor: x }], { perm: ints([1, 2, 0]) }, transposeRef(x, [1, 2, 0]));
    await check(backend, 'Transpose', 13, [{ name: 'x', tensor: x }], {}, transposeRef(x, [2, 1, 0]));
  });

  it('Concat of an input and an initializer on axis -1', () => {
    const c = randomTensor([2, 3, 2], 51);
    const data = [...Array(6).keys()].flatMap((r) => [...x.data.slice(r * 4, r * 4 + 4), ...c.data.slice(r * 2, r * 2 + 2)]);
    return check(backend, 'Concat', 13, [{ name: 'x', tensor: x }, { name: 'c', tensor: c, initializer: 'float32' }],
      { axis: int(-1) }, { shape: [2, 3, 6], data });
  });

  it('Squeeze and Unsqueeze with axes as attributes (opset 11) and as inputs (opset 13)', async () => {
    const t = randomTensor([2, 1, 3, 1], 52);
    await check(backend, 'Squeeze', 11, [{ name: 'x', tensor: t }], { axes: ints([1]) }, same(t, [2, 3, 1]));
    await check(backend, 'Squeeze', 13, [{ name: 'x', tensor: t }], {}, same(t, [2, 3]));
    await check(backend, 'Unsqueeze', 11, [{ name: 'x', tensor: x }], { axes: ints([0, -1]) }, same(x, [1, 2, 3, 4, 1]));
    await check(backend, 'Unsqueeze', 13, [{ name: 'x', tensor: x }, int64('axes', [2])], {}, same(x, [2, 3, 1, 4]));
  });

  it('Slice with attributes (opset 9)', () =>
    check(backend, 'Slice', 9, [{ name: 'x', tensor: x }], { starts: ints([1, -3]), ends: ints([3, 100]), axes: ints([1, 2]) },
      sliceRef(x, [0, 1, 1], [2, 2, 3], [1, 1, 1])));

  it('Slice with constant inputs: negative steps, INT64_MAX ends, axes out of order (opset 13)', () =>
    check(backend, 'Slice', 13, [{ name: 'x', tensor: x }, int64('starts', [-1, 0]), int64('ends', [-INT64_MAX, INT64_MAX]),
      int64('axes', [2, 1]), int64('steps', [-2, 2])], {}, sliceRef(x, [0, 0, 3], [2, 2, 2], [1, 2, -2])));

  it('Gather with constant indices, negative ones included, on axis 1', () => {
    const expected: number[] = [];
    for (let b = 0; b < 2; b++) for (const i of [0, 2, 1, 1]) expected.push(...x.data.slice((b * 3 + i) * 4, (b * 3 + i) * 4 + 4));
    const w = new OnnxModelWriter(13, 8);
    w.input('x', x.shape);
    w.initializer('i', [2, 2], BigInt64Array.from([0n, -1n, 1n, 1n]));
    w.nodeWithOutputs('Gather', 'g', ['x', 'i'], ['y'], { axis: int(1) });
    w.output('y', null);
    return runModel(backend, w.encode(), feeds([{ name: 'x', tensor: x }]))
      .then(({ y }) => assertClose(y as never, { shape: [2, 2, 2, 4], data: expected }));
  });

  it('a Shape -> Gather -> Unsqueeze -> Concat chain folds into the constant shape of a Reshape', async () => {
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [2, 3, 4]);
    w.node('Shape', 'shape', ['x']);
    w.initializer('zero', [], BigInt64Array.from([0n]));
    w.node('Gather', 'batch', ['shape', 'zero']);
    w.initializer('axes', [1], BigInt64Array.from([0n]));
    w.node('Unsqueeze', 'batch1', ['batch', 'axes']);
    w.initializer('rest', [1], BigInt64Array.from([-1n]));
    w.nodeWithOutputs('Concat', 'target', ['batch1', 'rest'], ['target'], { axis: int(0) });
    w.initializer('two', [], BigInt64Array.from([2n]));
    w.node('Mul', 'doubled', ['target', 'two']);
    w.node('Div', 'target2', ['doubled', 'two']);
    w.node('Cast', 'target64', ['target2'], { to: int(ELEM.int64) });
    w.nodeWithOutputs('Reshape', 'reshape', ['x', 'target64'], ['y']);
    w.output('y', null);
    const { y } = await runModel(backend, w.encode(), feeds([{ name: 'x', tensor: x }]));
    assertClose(y as never, same(x, [2, 12]));
  });

  it('Identity and Dropout pass their input on', async () => {
    await check(backend, 'Identity', 13, [{ name: 'x', tensor: x }], {}, x);
    await check(backend, 'Dropout', 13, [{ name: 'x', tensor: x }], {}, x);
  });
});

forEachBackend('ONNX import: Softmax', (backend) => {
  const x = randomTensor([2, 3, 4], 60);

  it('opset 11 softmaxes the input seen as 2-D from axis on', async () => {
    const flat = softmaxRef({ shape: [2, 12], data: x.data }, 1);
    await check(backend, 'Softmax', 11, [{ name: 'x', tensor: x }], { axis: int(1) }, same(flat, [2, 3, 4]));
  });

  it('opset 13 softmaxes along the axis alone', () =>
    check(backend, 'Softmax', 13, [{ name: 'x', tensor: x }], { axis: int(1) }, softmaxRef(x, 1)));
});

forEachBackend('ONNX import: Resize', (backend) => {
  const x = randomTensor([1, 2, 3, 4], 70);
  const scales = (s: number[]): NodeInput => ({ name: 'scales', tensor: { shape: [4], data: s }, initializer: 'float32' });
  const halfPixel = (v: number, scale: number) => (v + 0.5) / scale - 0.5;
  const asymmetric = (v: number, scale: number) => v / scale;
  const roundHalfDown = (v: number) => Math.ceil(v - 0.5);

  it('nearest, half_pixel, round_prefer_floor, scales 2x (opset 11)', () =>
    check(backend, 'Resize', 11, [{ name: 'x', tensor: x }, '', scales([1, 1, 2, 2])], { mode: string('nearest') },
      resizeRef(x, 6, 8, 'nearest', halfPixel, roundHalfDown)));

  it('nearest, asymmetric, floor, scales 3x2 (opset 13)', () =>
    check(backend, 'Resize', 13, [{ name: 'x', tensor: x }, '', scales([1, 1, 3, 2])],
      { mode: string('nearest'), coordinate_transformation_mode: string('asymmetric'), nearest_mode: string('floor') },
      resizeRef(x, 9, 8, 'nearest', asymmetric, Math.floor)));

  it('linear, half_pixel, to sizes 5x7 (opset 13)', () =>
    check(backend, 'Resize', 13, [{ name: 'x', tensor: x }, '', '', int64('sizes', [1, 2, 5, 7])], { mode: string('linear') },
      resizeRef(x, 5, 7, 'linear', halfPixel, Math.round)));
});

forEachBackend('ONNX import: If decided at load time', (backend) => {
  const x = randomTensor([2, 3], 110);

  /** If (the batch size == 2) then relu(x) else -x; the condition folds from Shape -> Gather -> Equal. */
  function ifModel(batch: number): Uint8Array {
    const thenBranch = new OnnxModelWriter(13, 8);
    thenBranch.nodeWithOutputs('Relu', 'relu', ['x'], ['then_y']);
    thenBranch.output('then_y', null);
    const elseBranch = new OnnxModelWriter(13, 8);
    elseBranch.nodeWithOutputs('Neg', 'neg', ['x'], ['else_y']);
    elseBranch.output('else_y', null);
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [batch, 3]);
    w.node('Shape', 'shape', ['x']);
    w.initializer('zero', [], BigInt64Array.from([0n]));
    w.node('Gather', 'batch', ['shape', 'zero']);
    w.initializer('two', [], BigInt64Array.from([2n]));
    w.node('Equal', 'isTwo', ['batch', 'two']);
    w.nodeWithOutputs('If', 'branch', ['isTwo'], ['y'], { then_branch: graph(thenBranch, 'then'), else_branch: graph(elseBranch, 'else') });
    w.output('y', null);
    return w.encode();
  }

  it('takes the then branch when the folded condition holds, the else branch otherwise', async () => {
    const taken = await runModel(backend, ifModel(2), feeds([{ name: 'x', tensor: x }]));
    assertClose(taken['y'] as never, { shape: [2, 3], data: x.data.map((v) => Math.max(v, 0)) });
    const x3 = randomTensor([3, 3], 111);
    const other = await runModel(backend, ifModel(3), feeds([{ name: 'x', tensor: x3 }]));
    assertClose(other['y'] as never, { shape: [3, 3], data: x3.data.map((v) => -v) });
  });

  it('refuses a condition computed at run time with a NotSupportedError', () => {
    const branch = new OnnxModelWriter(13, 8);
    branch.nodeWithOutputs('Relu', 'relu', ['x'], ['b_y']);
    branch.output('b_y', null);
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [2, 3]);
    w.input('c', [], ELEM.bool);
    w.nodeWithOutputs('If', 'branch', ['c'], ['y'], { then_branch: graph(branch, 'then'), else_branch: graph(branch, 'else') });
    w.output('y', null);
    return assertThrows(() => loadModel(backend, w.encode()), 'NotSupportedError', "node 'branch' (If, opset 13): a condition computed at run time");
  });
});
