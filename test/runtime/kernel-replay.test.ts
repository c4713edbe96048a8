/**
 * runtime/kernel-replay.ts alone: a run recorded as kernels and replayed on new inputs computes what the run computes
 * (checked against float64 arithmetic written here), without the engine, and leaves nothing behind on the backend,
 * also when a kernel throws; runs that cannot be replayed are refused.
 */
import { BACKENDS, contextFor, forEachBackend } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import { withBackend } from '../../src/runtime/placement.js';
import { recordKernels } from '../../src/runtime/kernel-replay.js';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function checkEqual<T>(actual: T, expected: T, message = ''): void {
  if (actual !== expected) throw new Error(`${message ? `${message}: ` : ''}${String(actual)}, expected ${String(expected)}`);
}

const PROBE = 'KernelReplayTestProbe';
let probeFails = false;

/** A kernel that copies its input, or throws while probeFails is set: a fault only a test can cause. */
function registerProbe(backendName: string): void {
  if (tf.getKernel(PROBE, backendName)) return;
  tf.registerKernel({
    kernelName: PROBE, backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      if (probeFails) throw new Error('probe kernel failed');
      return tf.getKernel('Identity', backendName)!.kernelFunc({ inputs, backend, attrs });
    },
  });
}

/** (x + 1.5) * y, concatenated with x, split in two, the second half reshaped; and a copy of x. */
function computation(x: tf.Tensor, y: tf.Tensor): tf.Tensor[] {
  const sum = tf.mul(tf.add(x, 1.5), y);
  const [first, second] = tf.split(tf.concat([sum, x], 1), 2, 1);
  const probed = tf.engine().runKernel(PROBE, { x: first! }) as tf.Tensor;
  return [probed, tf.reshape(second!, [-1]), x.clone()];
}

/** The same in float64: x, y are [2, 3] row-major. */
function expected(x: readonly number[], y: readonly number[]): number[][] {
  const sum = x.map((v, i) => (v + 1.5) * y[i]!);
  const rows = [0, 1].map((r) => [...sum.slice(3 * r, 3 * r + 3), ...x.slice(3 * r, 3 * r + 3)]);
  return [rows.flatMap((row) => row.slice(0, 3)), rows.flatMap((row) => row.slice(3)), [...x]];
}

/** Reads `tensors` (asynchronously: webgpu reads no other way) and compares each with its expected values. */
async function assertValues(tensors: readonly tf.Tensor[], wanted: readonly (readonly number[])[]): Promise<void> {
  checkEqual(tensors.length, wanted.length, 'outputs');
  for (let i = 0; i < wanted.length; i++) assertClose(await tensors[i]!.data(), wanted[i]!);
}

function assertClose(actual: ArrayLike<number>, wanted: readonly number[]): void {
  checkEqual(actual.length, wanted.length);
  for (let i = 0; i < wanted.length; i++) check(Math.abs(actual[i]! - wanted[i]!) <= 1e-6 * Math.max(1, Math.abs(wanted[i]!)), `[${i}] ${actual[i]} vs ${wanted[i]}`);
}

forEachBackend('kernel replay', (backend) => {
  before(async () => {
    await contextFor(backend);
    registerProbe(backend);
  });
  afterEach(() => { probeFails = false; });

  const on = <T>(fn: () => T): T => withBackend(backend, fn);
  const dataIds = () => tf.findBackend(backend)!.numDataIds();

  it('replays a recorded run on new inputs without the engine, and frees every intermediate', async () => {
    const [x0, y0] = on(() => [tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([0.5, -1, 2, 3, 0.25, -4], [2, 3])]);
    const { outputs, program } = on(() => recordKernels(() => tf.tidy(() => computation(x0!, y0!)), { inputs: [x0!, y0!], constants: [] }));
    check(program, 'the run is replayable');
    await assertValues(outputs, expected([1, 2, 3, 4, 5, 6], [0.5, -1, 2, 3, 0.25, -4]));
    for (const t of outputs) t.dispose();

    const xs = [-2, 0.5, 7, 1e3, -0.25, 3];
    const ys = [1, 2, 3, 4, 5, 6];
    const [x, y] = on(() => [tf.tensor2d(xs, [2, 3]), tf.tensor2d(ys, [2, 3])]);
    const before = dataIds();
    const engine = tf.engine() as unknown as { runKernel: (...args: unknown[]) => unknown };
    const runKernel = engine.runKernel;
    let engineKernels = 0;
    engine.runKernel = function counted(this: unknown, ...args: unknown[]) { engineKernels++; return runKernel.apply(this, args); };
    let replayed: tf.Tensor[];
    try {
      replayed = on(() => program.run([x!, y!]));
    } finally {
      delete (engine as Partial<typeof engine>).runKernel;
    }
    checkEqual(engineKernels, 0);
    checkEqual(JSON.stringify(replayed.map((t) => t.shape)), JSON.stringify([[2, 3], [6], [2, 3]]));
    await assertValues(replayed, expected(xs, ys));
    for (const t of replayed) t.dispose();
    checkEqual(dataIds(), before, 'data left on the backend after a replay');
    for (const t of [x0!, y0!, x!, y!]) t.dispose();
    program.dispose();
  });

  it('frees what a replay made so far when one of its kernels throws', async () => {
    const [x, y] = on(() => [tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([1, 1, 1, 1, 1, 1], [2, 3])]) as [tf.Tensor, tf.Tensor];
    const { outputs, program } = on(() => recordKernels(() => tf.tidy(() => computation(x, y)), { inputs: [x, y], constants: [] }));
    for (const t of outputs) t.dispose();
    check(program, 'the run is replayable');
    const before = dataIds();
    const tensorsBefore = tf.memory().numTensors;
    probeFails = true;
    let thrown: unknown = null;
    try {
      on(() => program.run([x, y]));
    } catch (error) {
      thrown = error;
    }
    check(thrown instanceof Error && /probe kernel failed/.test(thrown.message), `replay threw ${String(thrown)}`);
    checkEqual(dataIds(), before, 'data left on the backend after a failed replay');
    checkEqual(tf.memory().numTensors, tensorsBefore);
    probeFails = false;
    const again = on(() => program.run([x, y]));
    await assertValues(again, expected([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1]));
    for (const t of [...again, x, y]) t.dispose();
    program.dispose();
  });

  it('keeps the tensors a run makes from known values, once, until the program is disposed', async () => {
    const x = on(() => tf.tensor1d([1, 2, 3]));
    const tensorsBefore = tf.memory().numTensors;
    const { outputs, program } = on(() => recordKernels(() => tf.tidy(() => [tf.mul(x, tf.scalar(3))]), { inputs: [x], constants: [] }));
    check(program, 'the run is replayable');
    outputs[0]!.dispose();
    checkEqual(tf.memory().numTensors, tensorsBefore + 1, 'the scalar 3 is kept for the replays');
    const replayed = on(() => program.run([x]));
    await assertValues(replayed, [[3, 6, 9]]);
    replayed[0]!.dispose();
    program.dispose();
    checkEqual(tf.memory().numTensors, tensorsBefore);
    x.dispose();
  });

  it('refuses runs that read tensor data, dispose what they made, or read tensors from elsewhere', async () => {
    const [x, outside] = on(() => [tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 1, 1])]) as [tf.Tensor, tf.Tensor];
    const before = tf.memory().numTensors;
    // webgpu reads asynchronously only (a synchronous read is refused): there the run starts a read it does not await.
    const reading = (): tf.Tensor[] => {
      const max = tf.max(x);
      if (backend !== 'webgpu') return [tf.add(x, tf.scalar(max.dataSync()[0]!))];
      const read = tf.keep(max).data().finally(() => max.dispose());
      pendingReads.push(read);
      return [tf.add(x, tf.scalar(3))];
    };
    const pendingReads: Promise<unknown>[] = [];
    const runs: [string, () => tf.Tensor[]][] = [
      ['reads', reading],
      ['disposes', () => { const s = tf.scalar(2); const y = tf.mul(x, s); s.dispose(); return [y]; }],
      ['elsewhere', () => [tf.add(x, outside)]],
    ];
    const wanted: Record<string, number[]> = { reads: [4, 5, 6], disposes: [2, 4, 6], elsewhere: [2, 3, 4] };
    for (const [name, run] of runs) {
      const { outputs, program } = on(() => recordKernels(() => tf.tidy(run), { inputs: [x], constants: [] }));
      checkEqual(program, null, name);
      await assertValues(outputs, [wanted[name]!]);
      await Promise.all(pendingReads);
      outputs[0]!.dispose();
      checkEqual(tf.memory().numTensors, before, `${name}: tensors left behind`);
    }
    const engine = tf.engine() as unknown as Record<string, unknown>;
    for (const method of ['runKernel', 'makeTensor', 'readSync', 'read']) checkEqual(Object.hasOwn(engine, method), false, method);
    x.dispose();
    outside.dispose();
  });
});

if (BACKENDS.includes('wasm')) {
  describe('kernel replay on wasm', () => {
    before(() => contextFor('wasm'));
    const on = <T>(fn: () => T): T => withBackend('wasm', fn);
    const dataIds = () => tf.findBackend('wasm')!.numDataIds();

    it('skips a reshape of an input that only direct kernels read, keeps it where it is an output', async () => {
      const x = on(() => tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]));
      const c = on(() => tf.tensor1d([0.5, -1, 2, 3, 0.25, -4]));
      const run = () => { const flat = tf.reshape(x, [6]); return [tf.add(flat, c), tf.reshape(x, [3, 2])]; };
      const { outputs, program } = on(() => recordKernels(() => tf.tidy(run), { inputs: [x], constants: [c] }));
      check(program, 'the run is replayable');
      for (const t of outputs) t.dispose();
      const wasm = tf.findBackend('wasm') as unknown as { incRef: (dataId: object) => void };
      const incRef = wasm.incRef;
      let references = 0;
      // An own property over the backend's method, deleted after.
      wasm.incRef = function counted(this: unknown, dataId: object) { references++; incRef.call(this, dataId); };
      const before = dataIds();
      try {
        for (const xs of [[1, 2, 3, 4, 5, 6], [-3, 0, 7, 0.5, 2, -1]]) {
          const input = on(() => tf.tensor2d(xs, [2, 3]));
          const [sum, reshaped] = on(() => program.run([input]));
          await assertValues([sum!, reshaped!], [xs.map((v, i) => v + [0.5, -1, 2, 3, 0.25, -4][i]!), xs]);
          checkEqual(JSON.stringify(reshaped!.shape), '[3,2]');
          for (const t of [sum!, reshaped!]) t.dispose();
          await assertValues([input], [xs]);
          input.dispose();
        }
      } finally {
        delete (wasm as Partial<typeof wasm>).incRef;
      }
      // One reference a replay: the reshape that is an output; the other is skipped.
      checkEqual(references, 2, 'references taken by replays');
      checkEqual(dataIds(), before, 'data left on the backend after replays');
      program.dispose();
      for (const t of [x, c]) t.dispose();
    });
  });
}
