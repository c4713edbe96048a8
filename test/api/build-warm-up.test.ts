/**
 * build() runs the compiled plan on zero-filled inputs (README: what build() costs), so that the backends' one-time
 * work is done before the first dispatch; those runs leave nothing behind and change no result.
 */
import { forEachBackend } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import { Plan, type Value } from '../../src/graph/plan.js';
import { withBackend } from '../../src/runtime/placement.js';
import type { MLContext } from '../../src/index.js';
import { newBuilder, newContext } from './api-util.js';
import { rehearsedBackends } from '../../src/api/dispatch-rehearsal.js';

forEachBackend('build() warm-up', (backend) => {
  let ctx: MLContext;
  before(async () => {
    ctx = await newContext(backend);
    // Only the warm-up is counted here: the first graph of a backend also rehearses a dispatch (dispatch-rehearsal.test.ts).
    rehearsedBackends.add(backend);
  });
  after(() => ctx.destroy());

  it('runs the plan on zeros of every input\'s shape and type (once on webgl, up to ten times on wasm and cpu) and leaves no tensor of it behind', async () => {
    const seen: string[] = [];
    const run = Plan.prototype.run;
    Plan.prototype.run = function (this: Plan, inputs: readonly Value[]) {
      const feeds: string[] = [];
      inputs.forEach((value, i) => {
        const values = Array.from(value instanceof tf.Tensor ? value.dataSync() : value.values, Number);
        feeds.push(`${this.inputNames[i]} [${value.shape.join(',')}] ${values.every((v) => v === 0) ? 'zeros' : values.join()}`);
      });
      seen.push(feeds.sort().join('; '));
      return run.call(this, inputs);
    };
    const build = async () => {
      const b = newBuilder(ctx);
      const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
      const k = b.input('k', { dataType: 'int32', shape: [3] });
      const y = b.add(b.mul(x, b.constant({ dataType: 'float32', shape: [3] }, new Float32Array([1, 2, 3]))), b.cast(k, 'float32'));
      seen.length = 0;
      return b.build({ y });
    };
    // wasm runs a plan whose kernels no replay has run yet twice, and on wasm and cpu a cheap plan runs again while its
    // runs get faster (JavaScript still being compiled), at most eight more times.
    const most = backend === 'webgl' ? 1 : 10;
    const check = (which: string) => {
      if (seen.length < 1 || seen.length > most || seen.some((feeds) => feeds !== 'k [3] zeros; x [2,3] zeros')) {
        throw new Error(`the ${which} build() ran the plan on: ${seen.join(' | ')}`);
      }
    };
    const before = withBackend(backend, () => tf.memory().numTensors);
    const graphs = [];
    try {
      graphs.push(await build());
      check('first');
      graphs.push(await build());
      check('second');
    } finally {
      Plan.prototype.run = run;
    }
    for (const graph of graphs) graph.destroy();
    const probe = await ctx.createTensor({ dataType: 'float32', shape: [1], readable: true });
    await ctx.readTensor(probe); // the graphs' release has run
    probe.destroy();
    const after = withBackend(backend, () => tf.memory().numTensors);
    if (after !== before + 1) throw new Error(`numTensors ${before} before build(), ${after} after (the probe is one)`);
  });

  it('the first dispatch after build() computes from its own inputs', async () => {
    const b = newBuilder(ctx);
    const x = b.input('x', { dataType: 'float32', shape: [4] });
    const graph = await b.build({ y: b.div(b.constant({ dataType: 'float32', shape: [4] }, new Float32Array([1, 2, 3, 4])), x) });
    const [tx, ty] = await Promise.all([ctx.createTensor({ dataType: 'float32', shape: [4], writable: true }),
      ctx.createTensor({ dataType: 'float32', shape: [4], readable: true })]);
    ctx.writeTensor(tx, new Float32Array([2, 4, 8, 16]));
    ctx.dispatch(graph, { x: tx }, { y: ty });
    const values = Array.from(new Float32Array(await ctx.readTensor(ty)));
    const expected = [1 / 2, 2 / 4, 3 / 8, 4 / 16];
    if (values.some((v, i) => v !== expected[i])) throw new Error(`${values} instead of ${expected}`);
    for (const d of [graph, tx, ty]) d.destroy();
  });
});
