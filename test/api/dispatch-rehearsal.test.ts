/**
 * api/dispatch-rehearsal.ts: the first graph built on a backend is dispatched once or a few times on zeros before
 * build() resolves, through the context's own methods (with the dynamic-shape proposal on or off); those dispatches
 * leave no tensor behind, change no result, and do not happen while a test's fault is armed or for a later graph.
 */
import { forEachBackend } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import { Plan, type Value } from '../../src/graph/plan.js';
import { withBackend } from '../../src/runtime/placement.js';
import { clearFaults, failNextDispatch } from '../../src/runtime/faults.js';
import { rehearsedBackends } from '../../src/api/dispatch-rehearsal.js';
import type { MLContext } from '../../src/index.js';
import { newBuilder, newContext, readFloat32 } from './api-util.js';

forEachBackend('dispatch rehearsal in build()', (backend) => {
  let ctx: MLContext;
  before(async () => {
    ctx = await newContext(backend);
  });
  after(() => {
    rehearsedBackends.add(backend);
    ctx.destroy();
  });

  /**
   * Plan runs during `body` outside the plans' warm-ups (so the rehearsal's dispatches), each as the feeds' values:
   * 'zeros' or the values themselves. (The warm-up's own runs, more or fewer as a machine is busy, are not counted.)
   */
  async function runsDuring<T>(body: () => Promise<T>): Promise<{ result: T; runs: string[] }> {
    const runs: string[] = [];
    const run = Plan.prototype.run;
    const warmUp = Plan.prototype.warmUp;
    let warming = false;
    Plan.prototype.warmUp = function (this: Plan) {
      warming = true;
      try {
        return warmUp.call(this);
      } finally {
        warming = false;
      }
    };
    Plan.prototype.run = function (this: Plan, inputs: readonly Value[]) {
      if (!warming) {
        const values = inputs.flatMap((v) => Array.from(v instanceof tf.Tensor ? v.dataSync() : v.values, Number));
        runs.push(values.every((v) => v === 0) ? 'zeros' : values.join());
      }
      return run.call(this, inputs);
    };
    try {
      return { result: await body(), runs };
    } finally {
      Plan.prototype.run = run;
      Plan.prototype.warmUp = warmUp;
    }
  }

  const buildAdd = () => {
    const b = newBuilder(ctx);
    const x = b.input('x', { dataType: 'float32', shape: [2, 2] });
    return b.build({ y: b.add(x, b.constant({ dataType: 'float32', shape: [2, 2] }, new Float32Array([1, 2, 3, 4]))) });
  };

  it('the first graph of a backend is dispatched on zeros before build() resolves, a later one not, and nothing stays', async () => {
    rehearsedBackends.add(backend);
    const later = await runsDuring(buildAdd);
    later.result.destroy();
    const tensorsBefore = withBackend(backend, () => tf.memory().numTensors);
    rehearsedBackends.delete(backend);
    const first = await runsDuring(buildAdd);
    // The rehearsal: one dispatch, then up to eight more while they get faster; none for a later graph.
    if (later.runs.length !== 0 || first.runs.length < 1 || first.runs.length > 9 || first.runs.some((r) => r !== 'zeros')) {
      throw new Error(`runs: first graph ${first.runs.join(' | ')}; later graph ${later.runs.join(' | ')}`);
    }
    if (!rehearsedBackends.has(backend)) throw new Error('the backend is not marked rehearsed');
    // Only the graph's own constants stay (in its plan); the rehearsal's tensors have been released.
    const graphTensors = withBackend(backend, () => tf.memory().numTensors) - tensorsBefore;
    first.result.destroy();
    const probe = await ctx.createTensor({ dataType: 'float32', shape: [1], readable: true });
    await ctx.readTensor(probe);
    probe.destroy();
    const after = withBackend(backend, () => tf.memory().numTensors);
    if (after !== tensorsBefore || graphTensors > 2) throw new Error(`tensors: ${tensorsBefore} before, ${after} after (graph held ${graphTensors})`);
  });

  it('a graph built after its rehearsal computes as any other', async () => {
    rehearsedBackends.delete(backend);
    const graph = await buildAdd();
    const x = await ctx.createTensor({ dataType: 'float32', shape: [2, 2], writable: true });
    const y = await ctx.createTensor({ dataType: 'float32', shape: [2, 2], readable: true });
    ctx.writeTensor(x, new Float32Array([0.5, -1, 10, 2.25]));
    ctx.dispatch(graph, { x }, { y });
    const got = (await readFloat32(ctx, y)).join();
    if (got !== '1.5,1,13,6.25') throw new Error(`y = ${got}`);
    graph.destroy();
  });

  it('does not happen while a fault is armed (it would take the fault meant for the test\'s own dispatch)', async () => {
    rehearsedBackends.delete(backend);
    failNextDispatch(new Error('armed by the test'));
    try {
      const { result, runs } = await runsDuring(buildAdd);
      result.destroy();
      if (rehearsedBackends.has(backend)) throw new Error(`rehearsed with a fault armed (runs: ${runs.join(' | ')})`);
    } finally {
      clearFaults();
    }
  });
});
