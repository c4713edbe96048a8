/**
 * TF.js memory: dispatch and read leave tf.memory().numTensors unchanged; destroying graphs, tensors and contexts
 * gives everything back; so does dropping them (FinalizationRegistry), checked where the test can force a collection.
 */
import { forEachBackend, withDynamicShapes } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import type { MLContext, MLTensor } from '../../src/index.js';
import { newBuilder, newContext } from './api-util.js';
import { graphSlots, tensorSlots } from '../../src/api/internals.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Waits for everything enqueued so far on every context (they share TF.js, hence one queue). */
async function flush(probeContext: MLContext, probe: MLTensor): Promise<void> {
  await probeContext.readTensor(probe);
}

/** x * c + y, with a constant c and an intermediate. */
async function smallGraph(ctx: MLContext) {
  const b = newBuilder(ctx);
  const desc = { dataType: 'float32' as const, shape: [2, 3] };
  const x = b.input('x', desc);
  const y = b.input('y', desc);
  const c = b.constant(desc, new Float32Array([1, 2, 3, 4, 5, 6]));
  const graph = await b.build({ out: b.add(b.mul(x, c), y), twice: b.add(y, y) });
  const [tx, ty, out, twice] = await Promise.all([
    ctx.createTensor({ ...desc, writable: true }), ctx.createTensor({ ...desc, writable: true }),
    ctx.createTensor({ ...desc, readable: true }), ctx.createTensor({ ...desc, readable: true })]);
  return { graph, tensors: [tx, ty, out, twice] as const };
}

/** Forces collections where the test can (Node: gc exposed through v8 flags), or null. */
async function collector(): Promise<(() => void) | null> {
  if (!isNode) return null;
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  return typeof gc === 'function' ? gc : null;
}

forEachBackend('memory', (backend) => {
  let ctx: MLContext;
  let probe: MLTensor;
  before(async () => {
    ctx = await newContext(backend);
    probe = await ctx.createTensor({ dataType: 'float32', shape: [1], readable: true });
  });
  after(() => ctx.destroy());

  it('1000 dispatch + read cycles leave tf.memory().numTensors and the backend\'s data unchanged', async () => {
    const { graph, tensors: [tx, ty, out, twice] } = await smallGraph(ctx);
    ctx.writeTensor(ty, new Float32Array(6).fill(0.5));
    await flush(ctx, probe);
    const before = tf.memory().numTensors;
    // Dispatches replay kernels without the engine (runtime/kernel-replay.ts): count what the backend itself holds too.
    const dataIds = () => tf.findBackend(backend)!.numDataIds();
    const dataBefore = dataIds();
    const target = new Float32Array(6);
    for (let i = 0; i < 1000; i++) {
      ctx.writeTensor(tx, new Float32Array(6).fill(i));
      ctx.dispatch(graph, { x: tx, y: ty }, { out, twice });
      if (i % 2) await ctx.readTensor(out, target);
      else target.set(new Float32Array(await ctx.readTensor(out)));
      if (target[5] !== i * 6 + 0.5) throw new Error(`cycle ${i}: ${target[5]}`);
    }
    const after = tf.memory().numTensors;
    if (after !== before) throw new Error(`numTensors ${before} -> ${after} after 1000 cycles`);
    if (dataIds() !== dataBefore) throw new Error(`backend data ${dataBefore} -> ${dataIds()} after 1000 cycles`);
    for (const d of [graph, tx, ty, out, twice]) d.destroy();
  });

  describe('with the dynamic-shape proposal on', () => {
    withDynamicShapes(true);
    it('a graph run at more input sizes than it keeps plans for holds a bounded number of tensors', async () => {
      // An NCHW convolution, a constant [C, 1, 1] the layout pass lays out as NHWC, a clamp whose bounds become constants.
      const b = newBuilder(ctx);
      const x = b.input('x', { dataType: 'float32', shape: [1, 2, 'h', 4] as unknown as number[] });
      const filter = b.constant({ dataType: 'float32', shape: [3, 2, 1, 1] }, new Float32Array([1, 2, 3, 4, 5, 6]));
      const c = b.constant({ dataType: 'float32', shape: [3, 1, 1] }, new Float32Array([1, 2, 3]));
      const graph = await b.build({ y: b.clamp(b.sub(b.conv2d(x, filter), c), { minValue: -1, maxValue: 6 }) });
      const cycle = async () => {
        for (let h = 1; h <= 20; h++) {
          const [tx, ty] = await Promise.all([ctx.createTensor({ dataType: 'float32', shape: [1, 2, h, 4], writable: true }),
            ctx.createTensor({ dataType: 'float32', shape: [1, 3, h, 4], readable: true })]);
          ctx.writeTensor(tx, new Float32Array(8 * h).fill(1));
          ctx.dispatch(graph, { x: tx }, { y: ty });
          const y = new Float32Array(await ctx.readTensor(ty));
          // Channels: 1 + 2 - 1, 3 + 4 - 2, 5 + 6 - 3 clamped to 6.
          if (y[0] !== 2 || y[4 * h] !== 5 || y[y.length - 1] !== 6) throw new Error(`h ${h}: ${y[0]}, ${y[y.length - 1]}`);
          tx.destroy();
          ty.destroy();
        }
        await flush(ctx, probe);
        return tf.memory().numTensors;
      };
      const first = await cycle();
      const second = await cycle();
      graph.destroy();
      if (second !== first) throw new Error(`numTensors ${first} after 20 input sizes, ${second} after 20 more`);
    });
  });

  it('destroying graphs and tensors gives back all their TF.js tensors', async () => {
    await flush(ctx, probe);
    const before = tf.memory().numTensors;
    const { graph, tensors } = await smallGraph(ctx);
    const constant = await ctx.createConstantTensor({ dataType: 'float32', shape: [2] }, new Float32Array(2));
    const b = newBuilder(ctx);
    const c = b.constant(constant);
    const withTensor = await b.build({ out: b.add(c, b.input('x', { dataType: 'float32', shape: [2] })) });
    ctx.dispatch(graph, { x: tensors[0], y: tensors[1] }, { out: tensors[2], twice: tensors[3] });
    await flush(ctx, probe);
    if (tf.memory().numTensors <= before) throw new Error('the graph and tensors should hold TF.js tensors');
    for (const d of [graph, ...tensors, withTensor, constant]) d.destroy();
    await flush(ctx, probe);
    const after = tf.memory().numTensors;
    if (after !== before) throw new Error(`numTensors ${before} -> ${after} after destroy()`);
  });

  it('destroying a context gives back every graph and tensor of it', async () => {
    await flush(ctx, probe);
    const before = tf.memory().numTensors;
    const doomed = await newContext(backend);
    await smallGraph(doomed);
    await smallGraph(doomed);
    await doomed.createConstantTensor({ dataType: 'int32', shape: [3] }, new Int32Array(3));
    doomed.destroy();
    await flush(ctx, probe);
    const after = tf.memory().numTensors;
    if (after !== before) throw new Error(`numTensors ${before} -> ${after} after MLContext.destroy()`);
  });

  if (isNode) {
    it('graphs and tensors dropped without destroy() are given back once collected', async () => {
      const gc = await collector();
      if (!gc) throw new Error('cannot force a collection in this Node');
      // The internal states of the dropped objects (they do not keep the MLGraph / MLTensor objects alive).
      const { graphState, tensorStates } = await (async () => {
        const { graph, tensors } = await smallGraph(ctx);
        ctx.dispatch(graph, { x: tensors[0], y: tensors[1] }, { out: tensors[2], twice: tensors[3] });
        await ctx.readTensor(tensors[2]);
        return { graphState: graphSlots.get(graph, 'test'), tensorStates: tensors.map((t) => tensorSlots.get(t, 'test')) };
      })();
      const data = tensorStates.map((t) => t.data as tf.Tensor);
      const released = () => graphState.destroyed && tensorStates.every((t) => t.destroyed) && data.every((t) => t.isDisposed);
      for (let round = 0; round < 20 && !released(); round++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 0)); // finalizers run as tasks
        await flush(ctx, probe);
      }
      if (!released()) throw new Error('dropped graph and tensors were not released');
    });

    it('a graph does not keep its builder, nor the builder\'s copies of constant bytes, alive', async () => {
      const gc = await collector();
      if (!gc) throw new Error('cannot force a collection in this Node');
      const { graph, builderRef } = await (async () => {
        const b = newBuilder(ctx);
        const desc = { dataType: 'float32' as const, shape: [1024] };
        const c = b.constant(desc, new Float32Array(1024).fill(2));
        return { graph: await b.build({ out: b.mul(b.input('x', desc), c) }), builderRef: new WeakRef(b) };
      })();
      const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
      // deref() keeps its target alive until the end of the current job: collect in a job of its own.
      let alive = true;
      for (let round = 0; round < 20 && alive; round++) {
        await tick();
        gc();
        await tick();
        alive = builderRef.deref() !== undefined;
      }
      if (alive) throw new Error('the graph keeps its MLGraphBuilder alive');
      graph.destroy();
    });
  }
});
