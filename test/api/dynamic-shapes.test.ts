/**
 * The dynamic-shape proposal end to end: symbolic inputs, MLOperand.shape, computeShapes(), dispatch at several sizes
 * of one graph, the shape interpreter's chains, and the errors. Expected values are computed here in float64.
 */
import type { MLContext } from '../../src/api/context.js';
import type { MLGraph } from '../../src/api/graph.js';
import type { MLOperand } from '../../src/api/operand.js';
import { setDynamicShapes } from '../../src/api/proposal.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { tf } from '../../src/runtime/backends.js';
import { conv2dRef } from '../ops/conv-reference.js';
import {
  assertClose, assertThrows, contextFor, forEachBackend, numbersFrom, randomData, size, typedArrayFor, withDynamicShapes,
} from '../util/harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the proposal's methods are not on the static builder type */
type Builder = any;
type Shapes = Record<string, number[]>;

function newBuilder(ctx: MLContext): Builder {
  const Ctor = (globalThis as unknown as { MLGraphBuilder: new (c: MLContext) => Builder }).MLGraphBuilder;
  return new Ctor(ctx);
}

function computeShapes(graph: MLGraph, shapes: Shapes): Shapes {
  return (graph as unknown as { computeShapes(s: Shapes): Shapes }).computeShapes(shapes);
}

interface Feed {
  dataType: MLOperandDataType;
  shape: number[];
  data: number[];
}

/** Dispatches with output tensors of exactly the shapes computeShapes() gives, and reads every output back. */
async function run(ctx: MLContext, graph: MLGraph, feeds: Record<string, Feed>, outputTypes: Record<string, MLOperandDataType>,
  outputShapes?: Shapes) {
  const shapes = outputShapes ?? computeShapes(graph, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.shape])));
  const ins: Record<string, unknown> = {};
  for (const [name, feed] of Object.entries(feeds)) {
    const t = await ctx.createTensor({ dataType: feed.dataType, shape: feed.shape, writable: true });
    ctx.writeTensor(t, typedArrayFor(feed));
    ins[name] = t;
  }
  const outs: Record<string, unknown> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    outs[name] = await ctx.createTensor({ dataType: outputTypes[name]!, shape, readable: true });
  }
  ctx.dispatch(graph, ins as never, outs as never);
  const result: Record<string, { dataType: MLOperandDataType; shape: number[]; data: number[] }> = {};
  for (const [name, t] of Object.entries(outs)) {
    const buffer = await ctx.readTensor(t as never);
    result[name] = { dataType: outputTypes[name]!, shape: shapes[name]!, data: numbersFrom(buffer, outputTypes[name]!) };
  }
  for (const t of [...Object.values(ins), ...Object.values(outs)]) (t as { destroy(): void }).destroy();
  return result;
}

const u32 = (b: Builder, values: number[]): MLOperand =>
  b.constant({ dataType: 'uint32', shape: [values.length] }, new Uint32Array(values));

/** x [rows, k] times w [k, n], plus bias [n], then softmax over n: float64. */
function denseSoftmaxRef(x: number[], rows: number, k: number, w: number[], n: number, bias: number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const logits = Array.from({ length: n }, (_, j) => {
      let acc = bias[j]!;
      for (let i = 0; i < k; i++) acc += x[r * k + i]! * w[i * n + j]!;
      return acc;
    });
    const max = Math.max(...logits);
    const exps = logits.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    out.push(...exps.map((e) => e / sum));
  }
  return out;
}

forEachBackend('dynamic shapes', (backend) => {
  let ctx: MLContext;
  withDynamicShapes(true);
  before(async () => {
    ctx = await contextFor(backend);
  });

  it('is detected through MLGraph.prototype.computeShapes and the new builder methods', () => {
    const g = globalThis as unknown as { MLGraph: { prototype: object }; MLGraphBuilder: { prototype: object } };
    if (!('computeShapes' in g.MLGraph.prototype)) throw new Error('computeShapes missing');
    for (const op of ['shape', 'range', 'modulusFloor', 'modulusTruncate', 'squeeze', 'unsqueeze', 'reshapeTo2d',
      'reshapeDynamic', 'expandDynamic', 'sliceDynamic', 'padDynamic', 'splitDynamic', 'resample2dDynamic', 'tileDynamic']) {
      if (!(op in g.MLGraphBuilder.prototype)) throw new Error(`${op} missing`);
    }
  });

  it('MLOperand.shape gives names, static sizes and fresh names for derived dimensions', () => {
    const b = newBuilder(ctx);
    const x = b.input('x', { dataType: 'float32', shape: ['batch', 'seq', 4] });
    const w = b.constant({ dataType: 'float32', shape: [4, 3] }, new Float32Array(12));
    const y = b.matmul(x, w);
    const c = b.concat([x, x], 1);
    const bounded = b.input('z', { dataType: 'float32', shape: [{ name: 'n', maxSize: 8 }, 2] });
    const shapes = [x.shape, y.shape, c.shape.slice(0, 1), c.shape.slice(2), bounded.shape];
    const expected = [['batch', 'seq', 4], ['batch', 'seq', 3], ['batch'], [4], ['n', 2]];
    if (JSON.stringify(shapes) !== JSON.stringify(expected)) throw new Error(JSON.stringify(shapes));
    const derived = c.shape[1];
    if (typeof derived !== 'string' || derived === 'seq' || derived === 'batch') throw new Error(`concat axis: ${derived}`);
    if (!Object.isFrozen(x.shape)) throw new Error('shape not frozen');
  });

  it('one graph runs at several batch sizes and sequence lengths with correct values', async () => {
    const b = newBuilder(ctx);
    const k = 4;
    const n = 3;
    const wData = randomData(k * n, 3);
    const biasData = randomData(n, 4);
    const x = b.input('x', { dataType: 'float32', shape: ['batch', 'seq', k] });
    const w = b.constant({ dataType: 'float32', shape: [k, n] }, new Float32Array(wData));
    const bias = b.constant({ dataType: 'float32', shape: [n] }, new Float32Array(biasData));
    const y = b.softmax(b.add(b.matmul(x, w), bias), 2);
    const graph = await b.build({ y });
    for (const [batch, seq] of [[1, 1], [2, 5], [3, 13], [2, 5]] as const) {
      const xData = randomData(batch * seq * k, batch * 100 + seq);
      const result = await run(ctx, graph, { x: { dataType: 'float32', shape: [batch, seq, k], data: xData } }, { y: 'float32' });
      assertClose(result['y']!, { shape: [batch, seq, n], data: denseSoftmaxRef(xData, batch * seq, k, wData, n, biasData) });
    }
    graph.destroy();
  });

  it('one conv2d graph runs at several image sizes with correct values', async () => {
    const b = newBuilder(ctx);
    const wData = randomData(3 * 2 * 3 * 3, 7);
    const biasData = randomData(3, 8);
    const x = b.input('image', { dataType: 'float32', shape: [1, 2, 'height', 'width'] });
    const w = b.constant({ dataType: 'float32', shape: [3, 2, 3, 3] }, new Float32Array(wData));
    const bias = b.constant({ dataType: 'float32', shape: [3] }, new Float32Array(biasData));
    const y = b.relu(b.conv2d(x, w, { bias, padding: [1, 1, 1, 1] }));
    if (JSON.stringify(y.shape) !== JSON.stringify([1, 3, 'height', 'width'])) throw new Error(`conv shape ${JSON.stringify(y.shape)}`);
    const graph = await b.build({ y });
    for (const [h, wd] of [[5, 7], [8, 3], [1, 1], [16, 16]] as const) {
      const xData = randomData(2 * h * wd, h * 31 + wd);
      const ref = conv2dRef({ data: xData, shape: [1, 2, h, wd] }, { data: wData, shape: [3, 2, 3, 3] }, biasData,
        { padding: [1, 1, 1, 1] });
      const result = await run(ctx, graph, { image: { dataType: 'float32', shape: [1, 2, h, wd], data: xData } }, { y: 'float32' });
      assertClose(result['y']!, { shape: ref.shape, data: ref.data.map((v) => Math.max(0, v)) });
    }
    graph.destroy();
  });

  it('reshapeDynamic takes its shape from a shape() chain', async () => {
    const b = newBuilder(ctx);
    const x = b.input('x', { dataType: 'float32', shape: ['rows', 6] });
    const rows = b.slice(b.shape(x), [0], [1]);
    // [rows * 2, 3]: arithmetic on shape values, then a concat with a constant.
    const newShape = b.concat([b.mul(rows, u32(b, [2])), u32(b, [3])], 0);
    const y = b.reshapeDynamic(x, newShape);
    // rows * 2 is a derived dimension: a fresh name, neither 'rows' nor a number.
    if (y.shape.length !== 2 || y.shape[1] !== 3 || typeof y.shape[0] !== 'string' || y.shape[0] === 'rows') {
      throw new Error(`reshapeDynamic shape ${JSON.stringify(y.shape)}`);
    }
    // The same rows back: [rows, 2, 3] from the first dimension of shape(x) itself.
    const z = b.reshapeDynamic(x, b.concat([rows, u32(b, [2, 3])], 0));
    if (JSON.stringify(z.shape) !== JSON.stringify(['rows', 2, 3])) throw new Error(`z shape ${JSON.stringify(z.shape)}`);
    const graph = await b.build({ y, z });
    for (const r of [1, 4, 9]) {
      const data = randomData(r * 6, r);
      const result = await run(ctx, graph, { x: { dataType: 'float32', shape: [r, 6], data } }, { y: 'float32', z: 'float32' });
      assertClose(result['y']!, { shape: [r * 2, 3], data });
      assertClose(result['z']!, { shape: [r, 2, 3], data });
    }
    graph.destroy();
  });

  it("an input read only through shape() is still bound, and shape() can be a graph output", async () => {
    const b = newBuilder(ctx);
    const data = b.input('data', { dataType: 'float32', shape: ['rows', 'columns'] });
    const like = b.input('like', { dataType: 'float32', shape: ['columns', 'rows'] });
    const y = b.reshapeDynamic(data, b.shape(like));
    const graph = await b.build({ y, likeShape: b.shape(like) });
    const values = randomData(6, 5);
    const result = await run(ctx, graph, {
      data: { dataType: 'float32', shape: [2, 3], data: values },
      like: { dataType: 'float32', shape: [3, 2], data: [0, 0, 0, 0, 0, 0] },
    }, { y: 'float32', likeShape: 'uint32' });
    assertClose(result['y']!, { shape: [3, 2], data: values });
    if (JSON.stringify(result['likeShape']) !== JSON.stringify({ dataType: 'uint32', shape: [2], data: [3, 2] })) {
      throw new Error(JSON.stringify(result['likeShape']));
    }
    await assertThrows(() => computeShapes(graph, { data: [2, 3] }), 'TypeError', "'like'");
    graph.destroy();
  });

  it('pads a sequence to a multiple of 64 through modulusFloor (37 -> 64)', async () => {
    const b = newBuilder(ctx);
    const x = b.input('x', { dataType: 'float32', shape: [1, 'seq', 2] });
    const seq = b.slice(b.shape(x), [1], [1]);
    const multiple = u32(b, [64]);
    const padding = b.modulusFloor(b.sub(multiple, b.modulusFloor(seq, multiple)), multiple);
    const ending = b.concat([u32(b, [0]), padding, u32(b, [0])], 0);
    const y = b.padDynamic(x, u32(b, [0, 0, 0]), ending);
    const graph = await b.build({ y });
    for (const [length, padded] of [[37, 64], [64, 64], [65, 128], [1, 64]] as const) {
      const data = randomData(length * 2, length);
      const result = await run(ctx, graph, { x: { dataType: 'float32', shape: [1, length, 2], data } }, { y: 'float32' });
      const expected = [...data, ...new Array<number>((padded - length) * 2).fill(0)];
      assertClose(result['y']!, { shape: [1, padded, 2], data: expected });
    }
    graph.destroy();
  });

  it('squeeze without axes of a named dimension is unranked until dispatch', async () => {
    const b = newBuilder(ctx);
    const x = b.input('x', { dataType: 'float32', shape: [1, 'n', 1] });
    const squeezed = b.squeeze(x);
    const y = b.mul(squeezed, b.constant('float32', 3));
    if (squeezed.shape !== null || y.shape !== null) throw new Error(`expected unranked, got ${JSON.stringify([squeezed.shape, y.shape])}`);
    const graph = await b.build({ y });
    const five = await run(ctx, graph, { x: { dataType: 'float32', shape: [1, 5, 1], data: [1, 2, 3, 4, 5] } }, { y: 'float32' });
    assertClose(five['y']!, { shape: [5], data: [3, 6, 9, 12, 15] });
    const one = await run(ctx, graph, { x: { dataType: 'float32', shape: [1, 1, 1], data: [-2] } }, { y: 'float32' });
    assertClose(one['y']!, { shape: [], data: [-6] });
    graph.destroy();
  });

  it('range sized by a shape value gives positions for any sequence length', async () => {
    const b = newBuilder(ctx);
    const x = b.input('tokens', { dataType: 'float32', shape: ['seq'] });
    const length = b.reshape(b.cast(b.shape(x), 'int32'), []);
    const positions = b.range(b.constant('int32', 0), length, b.constant('int32', 1));
    const y = b.add(x, b.cast(positions, 'float32'));
    if (JSON.stringify([positions.shape, y.shape]) !== JSON.stringify([['seq'], ['seq']])) {
      throw new Error(`range of the length of 'seq' has shape ${JSON.stringify(positions.shape)}`);
    }
    const graph = await b.build({ y });
    for (const n of [1, 6, 20]) {
      const data = randomData(n, n);
      const result = await run(ctx, graph, { tokens: { dataType: 'float32', shape: [n], data } }, { y: 'float32' });
      assertClose(result['y']!, { shape: [n], data: data.map((v, i) => v + i) });
    }
    graph.destroy();
  });

  it("a decoder step whose key/value cache grows: the caches one dispatch writes are the next one's inputs, on the device", async () => {
    const d = 4;
    const b = newBuilder(ctx);
    const input = (name: string, rows: string | number) => b.input(name, { dataType: 'float32', shape: [rows, d] });
    const [q, kNew, vNew, kCache, vCache] = [input('q', 1), input('kNew', 1), input('vNew', 1), input('kCache', 'past'),
      input('vCache', 'past')];
    const keys = b.concat([kCache, kNew], 0);
    const values = b.concat([vCache, vNew], 0);
    const scores = b.mul(b.matmul(q, b.transpose(keys)), b.constant('float32', 1 / Math.sqrt(d)));
    const out = b.matmul(b.softmax(scores, 1), values);
    if (JSON.stringify(out.shape) !== JSON.stringify([1, d])) throw new Error(`attention output ${JSON.stringify(out.shape)}`);
    const graph = await b.build({ out, keys, values });
    const tensor = async (rows: number, data?: number[]) => {
      const t = await ctx.createTensor({ dataType: 'float32', shape: [rows, d], readable: true, writable: true });
      if (data) ctx.writeTensor(t, new Float32Array(data));
      return t;
    };
    // float64 reference of the same steps.
    const refK = [randomData(d, 90)];
    const refV = [randomData(d, 91)];
    let kTensor = await tensor(1, refK[0]);
    let vTensor = await tensor(1, refV[0]);
    for (let step = 1; step <= 5; step++) {
      const [qData, kData, vData] = [randomData(d, 3 * step), randomData(d, 3 * step + 1), randomData(d, 3 * step + 2)];
      const shapes = computeShapes(graph, { q: [1, d], kNew: [1, d], vNew: [1, d], kCache: [step, d], vCache: [step, d] });
      if (JSON.stringify(shapes) !== JSON.stringify({ out: [1, d], keys: [step + 1, d], values: [step + 1, d] })) {
        throw new Error(JSON.stringify(shapes));
      }
      const [qt, kt, vt, outT, nextK, nextV] = await Promise.all([tensor(1, qData), tensor(1, kData), tensor(1, vData),
        tensor(1), tensor(step + 1), tensor(step + 1)]);
      ctx.dispatch(graph, { q: qt, kNew: kt, vNew: vt, kCache: kTensor, vCache: vTensor } as never,
        { out: outT, keys: nextK, values: nextV } as never);
      refK.push(kData);
      refV.push(vData);
      const logits = refK.map((k) => k.reduce((acc, kv, i) => acc + kv * qData[i]!, 0) / Math.sqrt(d));
      const max = Math.max(...logits);
      const weights = logits.map((l) => Math.exp(l - max));
      const total = weights.reduce((x, y) => x + y, 0);
      const expected = Array.from({ length: d }, (_, i) => refV.reduce((acc, v, r) => acc + (weights[r]! / total) * v[i]!, 0));
      const got = Array.from(new Float32Array(await ctx.readTensor(outT)));
      assertClose({ dataType: 'float32', shape: [1, d], data: got }, { shape: [1, d], data: expected });
      for (const t of [qt, kt, vt, outT, kTensor, vTensor]) t.destroy();
      kTensor = nextK;
      vTensor = nextV;
    }
    const cache = Array.from(new Float32Array(await ctx.readTensor(kTensor)));
    assertClose({ dataType: 'float32', shape: [6, d], data: cache }, { shape: [6, d], data: refK.flat() });
    kTensor.destroy();
    vTensor.destroy();
    graph.destroy();
  });

  it('20 input sizes (beyond the 16 signatures kept) give correct values and leave no TF.js tensor after destroy()', async () => {
    const probe = await ctx.createTensor({ dataType: 'float32', shape: [1], readable: true });
    const settle = () => ctx.readTensor(probe);
    await settle();
    const before = tf.memory().numTensors;
    const b = newBuilder(ctx);
    const x = b.input('x', { dataType: 'float32', shape: ['n', 2] });
    const scale = b.constant({ dataType: 'float32', shape: [2] }, new Float32Array([3, -0.5]));
    const graph = await b.build({ y: b.mul(b.concat([x, x], 0), scale) });
    for (let round = 0; round < 2; round++) {
      for (let n = 1; n <= 20; n++) {
        const data = randomData(2 * n, n + 40 * round);
        const result = await run(ctx, graph, { x: { dataType: 'float32', shape: [n, 2], data } }, { y: 'float32' });
        const once = data.map((v, i) => v * (i % 2 === 0 ? 3 : -0.5));
        assertClose(result['y']!, { shape: [2 * n, 2], data: [...once, ...once] });
      }
    }
    graph.destroy();
    await settle();
    const after = tf.memory().numTensors;
    probe.destroy();
    if (after !== before) throw new Error(`numTensors ${before} -> ${after} after destroy()`);
  });

  it('computeShapes checks names, ranks, static sizes, same-name sizes and bounds', async () => {
    const b = newBuilder(ctx);
    const a = b.input('a', { dataType: 'float32', shape: ['n', 3] });
    const c = b.input('c', { dataType: 'float32', shape: [{ name: 'n', maxSize: 8 }, 3] });
    const graph = await b.build({ sum: b.add(a, c) });
    const ok = computeShapes(graph, { a: [4, 3], c: [4, 3] });
    if (JSON.stringify(ok) !== JSON.stringify({ sum: [4, 3] })) throw new Error(JSON.stringify(ok));
    ok['sum']![0] = 99;
    if (computeShapes(graph, { a: [4, 3], c: [4, 3] })['sum']![0] !== 4) throw new Error('the memoised result was changed by its caller');
    await assertThrows(() => computeShapes(graph, { a: [4, 3], c: [5, 3] }), 'TypeError', "dimension 'n'");
    await assertThrows(() => computeShapes(graph, { a: [9, 3], c: [9, 3] }), 'TypeError', 'bounds');
    await assertThrows(() => computeShapes(graph, { a: [4, 3] }), 'TypeError', "'c'");
    await assertThrows(() => computeShapes(graph, { a: [4, 3], c: [4, 3], d: [1] }), 'TypeError', "'d'");
    await assertThrows(() => computeShapes(graph, { a: [4], c: [4, 3] }), 'TypeError', 'rank');
    await assertThrows(() => computeShapes(graph, { a: [4, 2], c: [4, 2] }), 'TypeError', 'dimension 1');
    await assertThrows(() => computeShapes(graph, { a: [-1, 3], c: [4, 3] }), 'TypeError');
    graph.destroy();
    await assertThrows(() => computeShapes(graph, { a: [4, 3], c: [4, 3] }), 'InvalidStateError');
  });

  it('dispatch rejects mismatched names, bounds and output tensors of another shape', async () => {
    const b = newBuilder(ctx);
    const a = b.input('a', { dataType: 'float32', shape: ['n', 2] });
    const c = b.input('c', { dataType: 'float32', shape: [{ name: 'n', maxSize: 4 }, 2] });
    const graph = await b.build({ out: b.sub(a, c) });
    const tensor = (shape: number[], readable = false) =>
      ctx.createTensor({ dataType: 'float32', shape, writable: !readable, readable });
    const [a3, c3, c2, a5, c5, out3, out2] = await Promise.all([tensor([3, 2]), tensor([3, 2]), tensor([2, 2]), tensor([5, 2]),
      tensor([5, 2]), tensor([3, 2], true), tensor([2, 2], true)]);
    await assertThrows(() => ctx.dispatch(graph, { a: a3, c: c2 } as never, { out: out3 } as never), 'TypeError', "dimension 'n'");
    await assertThrows(() => ctx.dispatch(graph, { a: a5, c: c5 } as never, { out: out3 } as never), 'TypeError', 'bounds');
    await assertThrows(() => ctx.dispatch(graph, { a: a3, c: c3 } as never, { out: out2 } as never), 'TypeError', "outputs['out']");
    ctx.writeTensor(a3, new Float32Array([1, 2, 3, 4, 5, 6]));
    ctx.writeTensor(c3, new Float32Array([6, 5, 4, 3, 2, 1]));
    ctx.dispatch(graph, { a: a3, c: c3 } as never, { out: out3 } as never);
    const values = Array.from(new Float32Array(await ctx.readTensor(out3)));
    if (JSON.stringify(values) !== JSON.stringify([-5, -3, -1, 1, 3, 5])) throw new Error(JSON.stringify(values));
    for (const t of [a3, c3, c2, a5, c5, out3, out2]) t.destroy();
    graph.destroy();
  });

  it('rejects at build: a shape chain reaching tensor data, static sizes that contradict, bad dimension names', async () => {
    const b = newBuilder(ctx);
    const x = b.input('x', { dataType: 'float32', shape: ['n'] });
    const wanted = b.input('wanted', { dataType: 'uint32', shape: [1] });
    await assertThrows(() => b.reshapeDynamic(x, wanted), 'TypeError', "input 'wanted'");
    await assertThrows(() => b.reshapeDynamic(x, b.add(b.shape(x), wanted)), 'TypeError', "input 'wanted'");
    const p = b.input('p', { dataType: 'float32', shape: ['k', 3] });
    const q = b.input('q', { dataType: 'float32', shape: ['k', 4] });
    await assertThrows(() => b.add(p, q), 'TypeError', 'broadcast');
    await assertThrows(() => b.matmul(p, b.input('r', { dataType: 'float32', shape: [5, 'm'] })), 'TypeError');
    await assertThrows(() => b.input('e', { dataType: 'float32', shape: ['', 3] }), 'TypeError', 'empty');
    await assertThrows(() => b.input('f', { dataType: 'float32', shape: [{ name: 'g', maxSize: 0 }] }), 'TypeError');
    await assertThrows(() => b.constant({ dataType: 'float32', shape: ['n'] }, new Float32Array(1)), 'TypeError');
    // The last dimension of gatherND's and scatterND's indices must be static; the others may be named.
    const table = b.input('table', { dataType: 'float32', shape: ['rows', 4, 5] });
    const named = b.input('namedIndices', { dataType: 'int32', shape: ['n', 'k'] });
    await assertThrows(() => b.gatherND(table, named), 'TypeError', 'last dimension of indices');
    await assertThrows(() => b.scatterND(table, named, b.input('updates', { dataType: 'float32', shape: ['n', 5] })), 'TypeError',
      'last dimension of indices');
    const gathered = b.gatherND(table, b.input('indices', { dataType: 'int32', shape: ['n', 2] }));
    if (JSON.stringify(gathered.shape) !== JSON.stringify(['n', 5])) throw new Error(`gatherND ${JSON.stringify(gathered.shape)}`);
    // Valid for some sizes: accepted now, checked at dispatch.
    const m = b.input('m', { dataType: 'float32', shape: ['a', 'b'] });
    const sum = b.add(m, b.input('o', { dataType: 'float32', shape: [3, 'c'] }));
    if (sum.shape[0] !== 3) throw new Error(`broadcast of 'a' with 3 is 3, got ${JSON.stringify(sum.shape)}`);
    const product = b.matmul(m, b.input('s', { dataType: 'float32', shape: ['d', 2] }));
    if (product.shape.length !== 2 || product.shape[1] !== 2) throw new Error(JSON.stringify(product.shape));
    // Valid only when five names have one size: more than the candidate search fixes at once.
    const parts = ['r1', 'r2', 'r3', 'r4', 'r5'].map((name) => b.input(`part-${name}`, { dataType: 'float32', shape: [name, 2] }));
    const joined = b.concat(parts, 1);
    if (JSON.stringify(joined.shape) !== JSON.stringify(['r1', 10])) throw new Error(`concat ${JSON.stringify(joined.shape)}`);
    const graph = await b.build({ joined });
    const shapes = (sizes: number[]) => Object.fromEntries(sizes.map((n, i) => [`part-r${i + 1}`, [n, 2]]));
    if (JSON.stringify(computeShapes(graph, shapes([3, 3, 3, 3, 3]))) !== JSON.stringify({ joined: [3, 10] })) {
      throw new Error('concat of five named inputs');
    }
    await assertThrows(() => computeShapes(graph, shapes([3, 3, 4, 3, 3])), 'TypeError', 'concat');
    graph.destroy();
    // Each axis its own names: those at one axis have one size, names at other axes keep theirs.
    const b2 = newBuilder(ctx);
    const maps = [0, 1, 2, 3].map((i) => b2.input(`map${i}`, { dataType: 'float32', shape: ['n', 2, `h${i}`, `w${i}`] }));
    const stacked = b2.concat(maps, 1);
    if (JSON.stringify(stacked.shape) !== JSON.stringify(['n', 8, 'h0', 'w0'])) throw new Error(`concat of maps ${JSON.stringify(stacked.shape)}`);
    const mapsGraph = await b2.build({ stacked });
    const mapShapes = (h: number[]) => Object.fromEntries(h.map((v, i) => [`map${i}`, [2, 2, v, 5]]));
    const resolved = computeShapes(mapsGraph, mapShapes([3, 3, 3, 3]));
    if (JSON.stringify(resolved) !== JSON.stringify({ stacked: [2, 8, 3, 5] })) throw new Error(`maps ${JSON.stringify(resolved)}`);
    await assertThrows(() => computeShapes(mapsGraph, mapShapes([3, 4, 3, 3])), 'TypeError', 'concat');
    mapsGraph.destroy();
  });

  it('a static graph gives the same shapes, values and errors with the proposal on and off', async () => {
    const make = async () => {
      const b = newBuilder(ctx);
      const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
      const y = b.transpose(b.relu(b.add(x, b.constant({ dataType: 'float32', shape: [3] }, new Float32Array([1, -2, 0.5])))));
      let message = '';
      try {
        b.add(x, b.input('bad', { dataType: 'float32', shape: [4] }));
      } catch (error) {
        message = `${(error as Error).name}: ${(error as Error).message}`;
      }
      const graph = await b.build({ y });
      const result = await run(ctx, graph, { x: { dataType: 'float32', shape: [2, 3], data: [1, 2, 3, -4, 5, -6] } }, { y: 'float32' },
        { y: [3, 2] });
      graph.destroy();
      return JSON.stringify({ shape: y.shape, message, result });
    };
    const on = await make();
    setDynamicShapes(false);
    let off: string;
    try {
      off = await make().catch((error: unknown) => `${String(error)}`);
    } finally {
      setDynamicShapes(true);
    }
    if (on !== off) throw new Error(`on ${on}\noff ${off}`);
    if (!on.includes('TypeError: add')) throw new Error(on);
  });
});

forEachBackend('dynamic shapes switched off', (backend) => {
  let ctx: MLContext;
  withDynamicShapes(false);
  before(async () => {
    ctx = await contextFor(backend);
  });

  it('is the static API: no proposal members, named dimensions are TypeErrors', async () => {
    const g = globalThis as unknown as { MLGraph: { prototype: object }; MLGraphBuilder: { prototype: object } };
    if ('computeShapes' in g.MLGraph.prototype) throw new Error('computeShapes present');
    if ('reshapeDynamic' in g.MLGraphBuilder.prototype || 'shape' in g.MLGraphBuilder.prototype) throw new Error('proposal ops present');
    const b = newBuilder(ctx);
    await assertThrows(() => b.input('x', { dataType: 'float32', shape: ['n', 3] }), 'TypeError');
    const limits = ctx.opSupportLimits() as unknown as Record<string, unknown>;
    if ('reshapeDynamic' in limits) throw new Error('opSupportLimits reports a proposal operation');
    if (size(b.input('y', { dataType: 'float32', shape: [2, 3] }).shape) !== 6) throw new Error('static shape');
  });
});
