/**
 * A built graph's dispatches replay the kernels its warm-up recorded (runtime/kernel-replay.ts): no kernel goes through
 * the TF.js engine, results match float64 arithmetic written here, nothing stays on the backend; under tf.profile()
 * the plan runs through the engine, so profiles list its kernels.
 */
import { forEachBackend, withDynamicShapes } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import type { MLContext } from '../../src/index.js';
import { newBuilder, newContext } from '../api/api-util.js';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function checkEqual<T>(actual: T, expected: T, message = ''): void {
  if (actual !== expected) throw new Error(`${message ? `${message}: ` : ''}${String(actual)}, expected ${String(expected)}`);
}

/** NCHW conv2d (1x1, 2 -> 2 channels) + bias, hardSwish, then x * 2 concatenated; and a copy of x. */
async function build(ctx: MLContext) {
  const b = newBuilder(ctx);
  const x = b.input('x', { dataType: 'float32', shape: [1, 2, 2, 2] });
  const filter = b.constant({ dataType: 'float32', shape: [2, 2, 1, 1] }, new Float32Array([1, -1, 0.5, 2]));
  const bias = b.constant({ dataType: 'float32', shape: [2] }, new Float32Array([0.25, -3]));
  const conv = b.hardSwish(b.conv2d(x, filter, { bias }));
  const doubled = b.mul(x, b.constant({ dataType: 'float32', shape: [] }, new Float32Array([2])));
  const graph = await b.build({ y: b.concat([conv, doubled], 1), same: b.identity(x) });
  const tensor = (shape: number[], usage: object) => ctx.createTensor({ dataType: 'float32', shape, ...usage });
  return { graph, x: await tensor([1, 2, 2, 2], { writable: true }), y: await tensor([1, 4, 2, 2], { readable: true }), same: await tensor([1, 2, 2, 2], { readable: true }) };
}

function expected(xs: readonly number[]): number[] {
  const hardSwish = (v: number) => v * Math.min(6, Math.max(0, v + 3)) / 6;
  const w = [[1, -1], [0.5, 2]];
  const bias = [0.25, -3];
  const conv = [0, 1].flatMap((o) => [0, 1, 2, 3].map((p) => hardSwish(w[o]![0]! * xs[p]! + w[o]![1]! * xs[4 + p]! + bias[o]!)));
  return [...conv, ...xs.map((v) => v * 2)];
}

function assertClose(actual: ArrayLike<number>, wanted: readonly number[]): void {
  checkEqual(actual.length, wanted.length);
  for (let i = 0; i < wanted.length; i++) check(Math.abs(actual[i]! - wanted[i]!) <= 1e-5 * Math.max(1, Math.abs(wanted[i]!)), `[${i}] ${actual[i]} vs ${wanted[i]}`);
}

forEachBackend('plan replay', (backend) => {
  let ctx: MLContext;
  before(async () => { ctx = await newContext(backend); });
  after(() => ctx.destroy());

  it('dispatches run no kernel through the engine, compute right and leave nothing on the backend', async () => {
    const { graph, x, y, same } = await build(ctx);
    const engine = tf.engine() as unknown as { runKernel: (...args: unknown[]) => unknown };
    const runKernel = engine.runKernel;
    let engineKernels = 0;
    const dataIds = () => tf.findBackend(backend)!.numDataIds();
    const inputs = [[1, -2, 3, 0.5, -4, 6, 0, 2], [0.1, 0.2, -7, 8, 1, 1, -1, -1]];
    ctx.writeTensor(x, new Float32Array(inputs[0]!));
    ctx.dispatch(graph, { x }, { y, same });
    await ctx.readTensor(y);
    const before = dataIds();
    engine.runKernel = function counted(this: unknown, ...args: unknown[]) { engineKernels++; return runKernel.apply(this, args); };
    try {
      for (let i = 0; i < 20; i++) {
        const xs = inputs[i % 2]!;
        ctx.writeTensor(x, new Float32Array(xs));
        ctx.dispatch(graph, { x }, { y, same });
        assertClose(new Float32Array(await ctx.readTensor(y)), expected(xs));
        assertClose(new Float32Array(await ctx.readTensor(same)), xs);
      }
    } finally {
      delete (engine as Partial<typeof engine>).runKernel;
    }
    checkEqual(engineKernels, 0, 'kernels run through the engine during dispatches');
    checkEqual(dataIds(), before, 'data left on the backend by 20 dispatches');
    for (const d of [graph, x, y, same]) d.destroy();
  });

  it('dispatches on the same tensors compute anew each time: a small perceptron, its input written between', async () => {
    // x [1, 1024] -> gemm [1024, 20] + bias -> layerNormalization (scale, bias) -> relu -> gemm [20, 3] + bias ->
    // sigmoid: on wasm a product over packed weights, a normalization and a small product, each ours (steady replays
    // make their calls into wasm as recorded).
    const inner = 1024;
    const hidden = 20;
    const random = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.31 + i * 1.713) * 0.5);
    const w1 = random(inner * hidden, 1);
    const c1 = random(hidden, 2);
    const scale = random(hidden, 3).map((v) => 1 + v);
    const shift = random(hidden, 4);
    const w2 = random(hidden * 3, 5);
    const c2 = random(3, 6);
    const b = newBuilder(ctx);
    const constant = (shape: number[], values: Float32Array) => b.constant({ dataType: 'float32', shape }, values);
    const x = b.input('x', { dataType: 'float32', shape: [1, inner] });
    const h = b.relu(b.layerNormalization(b.gemm(x, constant([inner, hidden], w1), { c: constant([hidden], c1) }),
      { axes: [1], scale: constant([hidden], scale), bias: constant([hidden], shift) }));
    const graph = await b.build({ y: b.sigmoid(b.gemm(h, constant([hidden, 3], w2), { c: constant([3], c2) })) });
    const tx = await ctx.createTensor({ dataType: 'float32', shape: [1, inner], writable: true });
    const ty = await ctx.createTensor({ dataType: 'float32', shape: [1, 3], readable: true });
    const perceptron = (xs: Float32Array): number[] => {
      const first = Array.from(c1, (c, j) => c + xs.reduce((s, v, k) => s + v * w1[k * hidden + j]!, 0));
      const mean = first.reduce((s, v) => s + v, 0) / hidden;
      const variance = first.reduce((s, v) => s + (v - mean) ** 2, 0) / hidden;
      const normal = first.map((v, j) => Math.max(0, ((v - mean) / Math.sqrt(variance + 1e-5)) * scale[j]! + shift[j]!));
      return Array.from(c2, (c, j) => 1 / (1 + Math.exp(-(c + normal.reduce((s, v, k) => s + v * w2[k * 3 + j]!, 0)))));
    };
    for (let i = 0; i < 6; i++) {
      const xs = random(inner, 10 + (i % 3) * (i + 1));
      ctx.writeTensor(tx, xs);
      ctx.dispatch(graph, { x: tx }, { y: ty });
      const got = new Float32Array(await ctx.readTensor(ty));
      const want = perceptron(xs);
      for (let j = 0; j < 3; j++) check(Math.abs(got[j]! - want[j]!) <= 1e-4, `dispatch ${i}, y[${j}]: ${got[j]} vs ${want[j]}`);
    }
    for (const d of [graph, tx, ty]) d.destroy();
  });

  describe('with the dynamic-shape proposal on', () => {
    withDynamicShapes(true);
    it('the plan for an input shape records its second dispatch and replays the later ones', async () => {
      const b = newBuilder(ctx);
      const x = b.input('x', { dataType: 'float32', shape: [2, 'n'] as unknown as number[] });
      const graph = await b.build({ y: b.relu(b.sub(x, b.constant({ dataType: 'float32', shape: [] }, new Float32Array([1])))) });
      const tx = await ctx.createTensor({ dataType: 'float32', shape: [2, 3], writable: true });
      const ty = await ctx.createTensor({ dataType: 'float32', shape: [2, 3], readable: true });
      for (const xs of [[0, 1, 2, -3, 4, 0.5], [1, 1, 7, 0, -2, 3]]) {
        ctx.writeTensor(tx, new Float32Array(xs));
        ctx.dispatch(graph, { x: tx }, { y: ty });
        assertClose(new Float32Array(await ctx.readTensor(ty)), xs.map((v) => Math.max(0, v - 1)));
      }
      const engine = tf.engine() as unknown as { runKernel: (...args: unknown[]) => unknown };
      const runKernel = engine.runKernel;
      let engineKernels = 0;
      engine.runKernel = function counted(this: unknown, ...args: unknown[]) { engineKernels++; return runKernel.apply(this, args); };
      try {
        const next = [5, -1, 1.5, 2, 3, 1];
        ctx.writeTensor(tx, new Float32Array(next));
        ctx.dispatch(graph, { x: tx }, { y: ty });
        assertClose(new Float32Array(await ctx.readTensor(ty)), next.map((v) => Math.max(0, v - 1)));
      } finally {
        delete (engine as Partial<typeof engine>).runKernel;
      }
      checkEqual(engineKernels, 0, 'kernels run through the engine by the third dispatch');
      for (const d of [graph, tx, ty]) d.destroy();
    });
  });

  it('runs through the engine under tf.profile(), with the same results', async () => {
    const { graph, x, y, same } = await build(ctx);
    const xs = [1, -2, 3, 0.5, -4, 6, 0, 2];
    ctx.writeTensor(x, new Float32Array(xs));
    await ctx.readTensor(y);
    let read = new ArrayBuffer(0);
    const profile = await tf.profile(async () => {
      ctx.dispatch(graph, { x }, { y, same });
      read = await ctx.readTensor(y);
    });
    assertClose(new Float32Array(read), expected(xs));
    check(profile.kernels.some((k) => /Conv2D/.test(k.name)), profile.kernels.map((k) => k.name).join());
    for (const d of [graph, x, y, same]) d.destroy();
  });
});
