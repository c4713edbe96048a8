/**
 * runtime/kernel-replay.ts on wasm, where a replay allocates little: small results that reach no output of the program
 * are written into tensors the program keeps from one replay to the next (its arena), and an output into a tensor
 * the caller gives when no other tensor shares its memory. Checked against float64 arithmetic written here: results
 * of every replay, outputs handed out by earlier replays left as they were, and what each replay allocates.
 */
import { BACKENDS, contextFor } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import { withBackend } from '../../src/runtime/placement.js';
import { runJsKernel } from '../../src/runtime/js-kernels.js';
import { type KernelProgram, recordKernels } from '../../src/runtime/kernel-replay.js';
import { scaledSum } from '../util/js-kernel-fixtures.js';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * s = 2x (our kernel, a result nobody is handed); outputs: (s + 1) reshaped to [6] (the add's result reaches an
 * output through the reshape), and 3s + x (our kernel).
 */
function computation(x: tf.Tensor): tf.Tensor[] {
  const s = runJsKernel(scaledSum, { x }, { factor: 2 });
  return [tf.reshape(tf.add(s, 1), [6]), runJsKernel(scaledSum, { x: s, y: x }, { factor: 3 })];
}

function expected(x: readonly number[]): number[][] {
  const s = x.map((v) => 2 * v);
  return [s.map((v) => v + 1), s.map((v, i) => 3 * v + x[i]!)];
}

function assertValues(t: tf.Tensor, wanted: readonly number[], what: string): void {
  const actual = t.dataSync();
  check(actual.length === wanted.length, `${what}: ${actual.length} values, expected ${wanted.length}`);
  for (let i = 0; i < wanted.length; i++) {
    check(Math.abs(actual[i]! - wanted[i]!) <= 1e-6 * Math.max(1, Math.abs(wanted[i]!)), `${what}[${i}]: ${actual[i]} vs ${wanted[i]}`);
  }
}

interface WasmAllocations {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

if (BACKENDS.includes('wasm')) {
  describe('replay memory [wasm]', () => {
    before(async () => { await contextFor('wasm'); });
    const on = <T>(fn: () => T): T => withBackend('wasm', fn);
    const backend = () => tf.findBackend('wasm')! as unknown as WasmAllocations & tf.KernelBackend;

    /** Calls `run`, counting the results the wasm backend allocates meanwhile. */
    function allocationsOf<T>(run: () => T): { result: T; allocations: number } {
      const b = backend();
      const makeOutput = b.makeOutput;
      let allocations = 0;
      b.makeOutput = function counted(this: WasmAllocations, shape, dtype) {
        allocations++;
        return makeOutput.call(this, shape, dtype);
      };
      try {
        return { result: run(), allocations };
      } finally {
        b.makeOutput = makeOutput;
      }
    }

    function record(x: tf.Tensor): { outputs: tf.Tensor[]; program: KernelProgram } {
      const { outputs, program } = recordKernels(() => tf.tidy(() => computation(x)), { inputs: [x], constants: [] });
      check(program, 'the run is replayable');
      return { outputs, program };
    }

    it('keeps a small result no output reaches from one replay to the next, and frees it with the program', () => on(() => {
      const first = [1, 2, 3, 4, 5, 6];
      const x0 = tf.tensor2d(first, [2, 3]);
      const { outputs: recorded, program } = record(x0);
      for (const t of recorded) t.dispose();
      const dataIdsWithProgram = backend().numDataIds();
      const inputs = [[-2, 0.5, 7, 1e3, -0.25, 3], [0, 1, -1, 2, -2, 3]];
      const held: tf.Tensor[][] = [];
      try {
        for (const values of inputs) {
          const x = tf.tensor2d(values, [2, 3]);
          const { result, allocations } = allocationsOf(() => program.run([x]));
          // The add's result (which the reshape hands out) and the second output: the first kernel's result is the
          // arena's.
          check(allocations === 2, `a replay allocated ${allocations} results, expected 2`);
          held.push(result);
          x.dispose();
        }
        // Each replay's outputs are its own: a later replay wrote over none of them.
        held.forEach((outputs, r) => {
          const [reshaped, sum] = expected(inputs[r]!);
          assertValues(outputs[0]!, reshaped!, `replay ${r} output 0`);
          assertValues(outputs[1]!, sum!, `replay ${r} output 1`);
        });
      } finally {
        for (const outputs of held) for (const t of outputs) t.dispose();
        x0.dispose();
      }
      check(backend().numDataIds() === dataIdsWithProgram - 1, 'a replay left data behind');
      program.dispose();
      // The scalar 1 the add was recorded with, and the arena.
      check(backend().numDataIds() === dataIdsWithProgram - 3, 'the program kept its arena after dispose()');
    }));

    it('writes an output over the tensor given for it, unless another tensor shares that memory', () => on(() => {
      const x0 = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const { outputs: recorded, program } = record(x0);
      for (const t of recorded) t.dispose();
      const values = [3, -1, 0.5, 8, 2, -7];
      const x = tf.tensor2d(values, [2, 3]);
      const [reshaped, sum] = expected(values);
      const given = [tf.zeros([6]), tf.zeros([2, 3])];
      let shared: tf.Tensor | null = null;
      const wrongShape = tf.zeros([3, 2]);
      try {
        // The reshape's output is its input's data: only the second output can be computed over a given tensor.
        const { result, allocations } = allocationsOf(() => program.run([x], given));
        check(allocations === 1, `${allocations} results allocated, expected 1 (the add's)`);
        check(result[0] !== given[0], 'the reshape\'s output was handed out as the given tensor');
        check(result[1] === given[1], 'the second output is not the tensor given for it');
        assertValues(result[0]!, reshaped!, 'output 0');
        assertValues(given[1]!, sum!, 'the given tensor');
        result[0]!.dispose();

        // Its memory shared with another tensor (a reshape's: TF.js's clone copies on wasm): written into a new tensor,
        // both left as they were.
        shared = tf.reshape(given[1]!, [6]);
        const before = Array.from(given[1]!.dataSync());
        const again = program.run([x], [undefined, given[1]]);
        check(again[1] !== given[1], 'a tensor sharing its memory was written over');
        assertValues(again[1]!, sum!, 'output 1 in a new tensor');
        assertValues(shared, before, 'the tensor sharing its memory');
        for (const t of again) t.dispose();

        const third = program.run([x], [undefined, wrongShape]);
        check(third[1] !== wrongShape, 'a tensor of another shape was written over');
        assertValues(wrongShape, [0, 0, 0, 0, 0, 0], 'the tensor of another shape');
        for (const t of third) t.dispose();
      } finally {
        for (const t of [x0, x, wrongShape, ...given]) t.dispose();
        shared?.dispose();
        program.dispose();
      }
    }));

    it('replays on the tensors of the last replay anew: values written over its input in place, an output shared since',
      () => on(() => {
        // t = 2x (the arena's), then 3t + x: every kernel writes into a tensor it is given.
        const sevenfold = (x: tf.Tensor) => {
          const t = runJsKernel(scaledSum, { x }, { factor: 2 });
          return [runJsKernel(scaledSum, { x: t, y: x }, { factor: 3 })];
        };
        const x0 = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
        const { outputs: recorded, program } = recordKernels(() => tf.tidy(() => sevenfold(x0)), { inputs: [x0], constants: [] });
        check(program, 'the run is replayable');
        for (const t of recorded) t.dispose();
        const x = tf.tensor2d([0, 0, 0, 0, 0, 0], [2, 3]);
        const other = tf.tensor2d([2, -4, 6, 0.5, 1e3, -0.125], [2, 3]);
        const given = tf.zeros([2, 3]);
        const heap = (t: tf.Tensor) => (backend() as unknown as { typedArrayFromHeap(t: tf.Tensor): Float32Array }).typedArrayFromHeap(t);
        const sevenTimes = (values: readonly number[]) => values.map((v) => 7 * v);
        let shared: tf.Tensor | null = null;
        try {
          for (const values of [[3, -1, 0.5, 8, 2, -7], [-2, 0.25, 9, 1e-3, -6, 4], [5, 5, -5, 0, 1, -1]]) {
            // Written over the input's memory, as writeTensor() writes on wasm: the same tensor, new values.
            heap(x).set(values);
            const { result, allocations } = allocationsOf(() => program.run([x], [given]));
            check(result.length === 1 && result[0] === given, 'the output is not the tensor given for it');
            check(allocations === 0, `a replay allocated ${allocations} results`);
            assertValues(given, sevenTimes(values), `the given tensor after writing ${values.join(', ')}`);
          }
          // Another input, then the first again.
          program.run([other], [given]);
          assertValues(given, sevenTimes([2, -4, 6, 0.5, 1e3, -0.125]), 'after another input');
          program.run([x], [given]);
          assertValues(given, sevenTimes([5, 5, -5, 0, 1, -1]), 'after the first input again');

          // The given tensor's memory shared since the last replay: written into a new tensor, both left as they were.
          shared = tf.reshape(given, [6]);
          heap(x).set([1, 1, 1, 1, 1, 1]);
          const [fresh] = program.run([x], [given]);
          check(fresh !== given, 'a tensor sharing its memory was written over');
          assertValues(fresh!, sevenTimes([1, 1, 1, 1, 1, 1]), 'the new output');
          assertValues(shared, sevenTimes([5, 5, -5, 0, 1, -1]), 'the tensor sharing its memory');
          fresh!.dispose();
          shared.dispose();
          shared = null;
          // No longer shared: written into again.
          const [again] = program.run([x], [given]);
          check(again === given, 'the given tensor, no longer shared, was not written into');
          assertValues(given, sevenTimes([1, 1, 1, 1, 1, 1]), 'the given tensor again');
        } finally {
          for (const t of [x0, x, other, given]) t.dispose();
          shared?.dispose();
          program.dispose();
        }
      }));
  });
}
