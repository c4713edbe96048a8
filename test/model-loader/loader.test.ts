/** MLModelLoader and MLModel: descriptions, compute() and its shorthand, dispatch() on MLTensors, argument errors. */
import { assertClose, assertThrows, contextFor, forEachBackend } from '../util/harness.js';
import { readSourceImports } from '../util/source-imports.js';
import { OnnxModelWriter } from '../browser/onnx/model-writer.js';
import { loadModel } from './run-model.js';
import { MLModel, MLModelLoader } from '../../src/model-loader.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** y = relu(x + b), z = x * 2: two outputs, one input of [2, 3]. */
function twoOutputModel(): Uint8Array {
  const w = new OnnxModelWriter(13, 8);
  w.input('x', [2, 3]);
  w.initializer('b', [3], Float32Array.from([0.5, -1, 0]));
  w.initializer('two', [], Float32Array.from([2]));
  w.node('Add', 'sum', ['x', 'b']);
  w.nodeWithOutputs('Relu', 'relu', ['sum'], ['y']);
  w.nodeWithOutputs('Mul', 'double', ['x', 'two'], ['z']);
  w.output('y', [2, 3]);
  w.output('z', [2, 3]);
  return w.encode();
}

const x = [1, -2, 3, -0.5, 0.25, -4];
const expectedY = { shape: [2, 3], data: x.map((v, i) => Math.max(0, v + [0.5, -1, 0][i % 3]!)) };
const expectedZ = { shape: [2, 3], data: x.map((v) => v * 2) };
const asResult = (o: { data: ArrayBufferView; dimensions: readonly number[] }) =>
  ({ dataType: 'float32' as const, shape: [...o.dimensions], data: Array.from(o.data as Float32Array) });

forEachBackend('MLModelLoader', (backend) => {
  it('describes the inputs and outputs as MLTensorInfo (name, type, dimensions)', async () => {
    const model = await loadModel(backend, twoOutputModel());
    const described = JSON.stringify({ inputs: model.inputs(), outputs: model.outputs() });
    model.destroy();
    const expected = JSON.stringify({
      inputs: [{ name: 'x', type: 'float32', dimensions: [2, 3] }],
      outputs: [{ name: 'y', type: 'float32', dimensions: [2, 3] }, { name: 'z', type: 'float32', dimensions: [2, 3] }],
    });
    if (described !== expected) throw new Error(described);
    if (!(model instanceof MLModel)) throw new Error('load() gave no MLModel');
  });

  it('compute() takes named tensors and returns every output by name', async () => {
    const model = await loadModel(backend, twoOutputModel());
    const out = await model.compute({ x: { data: Float32Array.from(x), dimensions: [2, 3] } });
    model.destroy();
    assertClose(asResult(out['y']!), expectedY);
    assertClose(asResult(out['z']!), expectedZ);
  });

  it('compute() of a one-input model takes the tensor itself, and concurrent calls keep their own results', async () => {
    const model = await loadModel(backend, twoOutputModel());
    const other = x.map((v) => -v);
    const [a, b] = await Promise.all([
      model.compute({ data: Float32Array.from(x), dimensions: [2, 3] }),
      model.compute({ x: { data: Float32Array.from(other), dimensions: [2, 3] } }),
    ]);
    model.destroy();
    assertClose(asResult(a['z']!), expectedZ);
    assertClose(asResult(b['z']!), { shape: [2, 3], data: other.map((v) => v * 2) });
  });

  it('dispatch() computes on MLTensors of the context', async () => {
    const context = await contextFor(backend);
    const model = await new MLModelLoader(context).load(new Uint8Array(twoOutputModel()).buffer);
    const desc = { dataType: 'float32' as const, shape: [2, 3] };
    const [tx, ty, tz] = await Promise.all([
      context.createTensor({ ...desc, writable: true }),
      context.createTensor({ ...desc, readable: true }),
      context.createTensor({ ...desc, readable: true }),
    ]);
    context.writeTensor(tx, Float32Array.from(x));
    model.dispatch({ x: tx }, { y: ty, z: tz });
    const [y, z] = await Promise.all([context.readTensor(ty), context.readTensor(tz)]);
    for (const t of [tx, ty, tz]) t.destroy();
    model.destroy();
    assertClose({ dataType: 'float32', shape: [2, 3], data: Array.from(new Float32Array(y)) }, expectedY);
    assertClose({ dataType: 'float32', shape: [2, 3], data: Array.from(new Float32Array(z)) }, expectedZ);
  });

  it('inputs no output depends on (unread, or read only for their shape) are taken but not bound', async () => {
    // y = reshape(x, shape(s)) * 2 + 0 * 1: 's' is read only by Shape, folded at load; 'unused' is read by nothing.
    const w = new OnnxModelWriter(13, 8);
    w.input('x', [6]);
    w.input('s', [2, 3]);
    w.input('unused', [4]);
    w.initializer('two', [], Float32Array.from([2]));
    const shaped = w.node('Reshape', 'reshape', ['x', w.node('Shape', 'shape', ['s'])]);
    w.nodeWithOutputs('Mul', 'double', [shaped, 'two'], ['y']);
    w.output('y', [2, 3]);
    const context = await contextFor(backend);
    const model = await new MLModelLoader(context).load(w.encode());
    if (model.inputs().map((i) => i.name).join() !== 'x,s,unused') throw new Error(`inputs ${model.inputs().map((i) => i.name).join()}`);
    const expected = { shape: [2, 3], data: x.map((v) => v * 2) };
    const given = {
      x: { data: Float32Array.from(x), dimensions: [6] },
      s: { data: new Float32Array(6), dimensions: [2, 3] },
      unused: { data: new Float32Array(4), dimensions: [4] },
    };
    assertClose(asResult((await model.compute(given))['y']!), expected);
    const [tx, ts, tu, ty] = await Promise.all([
      context.createTensor({ dataType: 'float32', shape: [6], writable: true }),
      context.createTensor({ dataType: 'float32', shape: [2, 3], writable: true }),
      context.createTensor({ dataType: 'float32', shape: [4], writable: true }),
      context.createTensor({ dataType: 'float32', shape: [2, 3], readable: true }),
    ]);
    context.writeTensor(tx, Float32Array.from(x));
    model.dispatch({ x: tx, s: ts, unused: tu }, { y: ty });
    assertClose({ dataType: 'float32', shape: [2, 3], data: Array.from(new Float32Array(await context.readTensor(ty))) }, expected);
    for (const t of [tx, ts, tu, ty]) t.destroy();
    model.destroy();
  });

  it('compute() refuses a missing input and wrong dimensions with a TypeError', async () => {
    const model = await loadModel(backend, twoOutputModel());
    await assertThrows(() => model.compute({ w: { data: Float32Array.from(x), dimensions: [2, 3] } }), 'TypeError', "input 'x' is missing");
    await assertThrows(() => model.compute({ x: { data: Float32Array.from(x), dimensions: [3, 2] } }), 'TypeError', 'dimensions [3, 2]');
    model.destroy();
  });
});

if (isNode) {
  describe('ONNX importer sources', () => {
    it('import nothing of the polyfill but its public classes, in index.ts', () => {
      const problems = [...readSourceImports()].filter(([file]) => file.startsWith('model-loader/')).flatMap(([file, list]) =>
        list.filter((i) => !i.target.startsWith('model-loader/'))
          .filter((i) => !(file === 'model-loader/index.ts' && ['api/context.ts', 'api/graph-builder.ts'].includes(i.target)))
          .map((i) => `src/${file}:${i.line} imports ${i.target}`));
      if (problems.length > 0) throw new Error(problems.join('\n'));
    });
  });
}
