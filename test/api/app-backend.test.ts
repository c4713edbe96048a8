/**
 * The app's TF.js active backend is the app's: a context on another backend builds, creates, writes, dispatches, reads
 * and is destroyed without leaving its own backend active. tfjsBackendOf() says which backend a context runs on.
 */
import { BACKENDS, assertThrows, withDynamicShapes } from '../util/harness.js';
import { tf, type BackendName } from '../../src/runtime/backends.js';
import { tfjsBackendOf, type MLContext, type MLGraph, type MLTensor } from '../../src/index.js';
import { ml, newBuilder, newContext } from './api-util.js';

function checkActive(expected: BackendName, after: string): void {
  const active = tf.getBackend();
  if (active !== expected) throw new Error(`after ${after}, TF.js's active backend is ${active}, expected the app's ${expected}`);
}

/** y = relu(x * c + x) in float64, then rounded to float32 as the graph's result is. */
function reference(x: readonly number[], c: readonly number[]): number[] {
  return x.map((v, i) => Math.fround(Math.max(0, v * c[i % c.length]! + v)));
}

function checkValues(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  const tolerance = (e: number) => 2 ** -20 * Math.max(1, Math.abs(e));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tolerance(expected[i]!))) {
      throw new Error(`${what}[${i}]: ${actual[i]}, expected ${expected[i]}`);
    }
  }
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
}

/** The app makes `app` active as TF.js users do; started first by a context, with the polyfill's wasm set-up. */
async function appUses(app: BackendName): Promise<void> {
  (await newContext(app)).destroy();
  await tf.setBackend(app);
  checkActive(app, 'tf.setBackend()');
}

const C = [0.5, -2, 3];

/** Builds relu(x * c + x) for x of `shape` (names allowed with the dynamic-shape proposal on). */
async function buildGraph(ctx: MLContext, shape: (number | string)[]): Promise<MLGraph> {
  const b = newBuilder(ctx);
  const x = b.input('x', { dataType: 'float32', shape: shape as number[] });
  const c = b.constant({ dataType: 'float32', shape: [3] }, new Float32Array(C));
  return b.build({ y: b.relu(b.add(b.mul(x, c), x)) });
}

async function dispatchAndRead(ctx: MLContext, graph: MLGraph, x: MLTensor, y: MLTensor, values: number[], app: BackendName,
  what: string): Promise<void> {
  ctx.writeTensor(x, new Float32Array(values));
  checkActive(app, `${what}: writeTensor()`);
  ctx.dispatch(graph, { x }, { y });
  checkActive(app, `${what}: dispatch()`);
  const read = ctx.readTensor(y);
  // A tensor op of the app's own while the read waits runs on the app's backend.
  const own = tf.add(tf.tensor([1, 2]), tf.tensor([3, 4]));
  await Promise.resolve();
  checkActive(app, `${what}: the drain of the timeline`);
  checkValues(await own.data(), [4, 6], `${what}: the app's own add`);
  own.dispose();
  const out = new Float32Array(await read);
  checkActive(app, `${what}: readTensor()`);
  checkValues(out, reference(values, C), what);
}

for (const app of BACKENDS) {
  for (const backend of BACKENDS.filter((b) => b !== app)) {
    describe(`the app's TF.js backend [app ${app}, context ${backend}]`, () => {
      let ctx: MLContext;
      before(async () => {
        ctx = await newContext(backend);
        await appUses(app);
      });
      after(() => ctx.destroy());

      it('stays active across build(), createTensor(), writeTensor(), dispatch(), readTensor() and destroy()', async () => {
        const graph = await buildGraph(ctx, [2, 3]);
        checkActive(app, 'build()');
        const [x, y] = await Promise.all([
          ctx.createTensor({ dataType: 'float32', shape: [2, 3], writable: true }),
          ctx.createTensor({ dataType: 'float32', shape: [2, 3], readable: true }),
        ]);
        checkActive(app, 'createTensor()');
        const zeros = new Float32Array(await ctx.readTensor(y));
        checkValues(zeros, [0, 0, 0, 0, 0, 0], 'a new tensor');
        for (let run = 0; run < 3; run++) {
          await dispatchAndRead(ctx, graph, x, y, [1, -2, 3, -4, 5.25, 0.125].map((v) => v * (run + 1)), app, `run ${run}`);
        }
        const constant = await ctx.createConstantTensor({ dataType: 'float32', shape: [3] }, new Float32Array(C));
        checkActive(app, 'createConstantTensor()');
        x.destroy();
        y.destroy();
        constant.destroy();
        graph.destroy();
        await new Promise((resolve) => setTimeout(resolve, 0));
        checkActive(app, 'destroying tensors and graphs');
      });

      describe('a graph of named dimensions (runs through the engine, then records, then replays)', () => {
        withDynamicShapes(true);

        it('stays active across the dispatches of each shape', async () => {
          const graph = await buildGraph(ctx, ['rows', 3]);
          checkActive(app, 'build()');
          for (const rows of [1, 2]) {
            const [x, y] = await Promise.all([
              ctx.createTensor({ dataType: 'float32', shape: [rows, 3], writable: true }),
              ctx.createTensor({ dataType: 'float32', shape: [rows, 3], readable: true }),
            ]);
            for (let run = 0; run < 3; run++) {
              const values = Array.from({ length: rows * 3 }, (_, i) => (i - 2.5) * (run + 1));
              await dispatchAndRead(ctx, graph, x, y, values, app, `[${rows}, 3], run ${run}`);
            }
            x.destroy();
            y.destroy();
          }
          graph.destroy();
          await new Promise((resolve) => setTimeout(resolve, 0));
          checkActive(app, 'destroying the graph');
        });
      });

      it('stays active when the context is destroyed with work queued', async () => {
        const other = await newContext(backend);
        const graph = await buildGraph(other, [1, 3]);
        const [x, y] = await Promise.all([
          other.createTensor({ dataType: 'float32', shape: [1, 3], writable: true }),
          other.createTensor({ dataType: 'float32', shape: [1, 3], readable: true }),
        ]);
        other.writeTensor(x, new Float32Array([1, 2, 3]));
        other.dispatch(graph, { x }, { y });
        const read = other.readTensor(y);
        other.destroy();
        await read.then(() => undefined, () => undefined);
        await new Promise((resolve) => setTimeout(resolve, 0));
        checkActive(app, 'destroy()');
      });
    });
  }
}

describe('tfjsBackendOf()', () => {
  it('names the backend of a context made with each tfjsBackend', async () => {
    for (const backend of BACKENDS) {
      const ctx = await newContext(backend);
      if (tfjsBackendOf(ctx) !== backend) throw new Error(`tfjsBackend '${backend}': ${tfjsBackendOf(ctx)}`);
      ctx.destroy();
      if (tfjsBackendOf(ctx) !== backend) throw new Error(`tfjsBackend '${backend}', destroyed: ${tfjsBackendOf(ctx)}`);
    }
  });

  it("names wasm for deviceType 'cpu' (the backend the options choose first)", async () => {
    const ctx = await ml().createContext({ deviceType: 'cpu' });
    if (tfjsBackendOf(ctx) !== 'wasm') throw new Error(`deviceType 'cpu': ${tfjsBackendOf(ctx)}`);
    ctx.destroy();
  });

  it('throws a TypeError for anything but an MLContext', async () => {
    const ctx = await newContext(BACKENDS[0]!);
    for (const notAContext of [undefined, null, {}, 'wasm', newBuilder(ctx), Object.create(Object.getPrototypeOf(ctx) as object)]) {
      await assertThrows(() => tfjsBackendOf(notAContext as MLContext), 'TypeError', 'tfjsBackendOf');
    }
    ctx.destroy();
  });

  it('is not a member of MLContext or ML', async () => {
    const ctx = await newContext(BACKENDS[0]!);
    for (const object of [ctx, ml()]) {
      if ('tfjsBackendOf' in object || 'tfjsBackend' in object) throw new Error('a spec interface has gained a backend member');
    }
    ctx.destroy();
  });
});
