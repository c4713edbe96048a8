/**
 * runtime/js-kernels.ts alone: a kernel written in JavaScript runs on wasm and cpu through TF.js's engine, reads its
 * inputs and writes its output where the backend keeps them (checked against float64 arithmetic written here), also
 * when the output's allocation grows the wasm heap, and leaves no tensor behind.
 */
import { contextFor, forEachBackend } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import { withBackend } from '../../src/runtime/placement.js';
import { type JsKernel, runJsKernel, runsJsKernels } from '../../src/runtime/js-kernels.js';
import { recordKernels } from '../../src/runtime/kernel-replay.js';
import { scaledSum } from '../util/js-kernel-fixtures.js';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Sums of the rows of three of x, one per output element. */
const rowSums: JsKernel = {
  name: 'JsKernelsTestRowSums',
  compute: ({ x }, output) => {
    for (let i = 0; i < output.length; i++) output[i] = x![3 * i]! + x![3 * i + 1]! + x![3 * i + 2]!;
  },
};

function checkValues(actual: ArrayLike<number>, expected: (i: number) => number, length: number): void {
  check(actual.length === length, `${actual.length} values, expected ${length}`);
  for (let i = 0; i < length; i++) {
    const e = Math.fround(expected(i));
    check(actual[i] === e || (Number.isNaN(e) && Number.isNaN(actual[i]!)), `[${i}] ${actual[i]} vs ${e}`);
  }
}

forEachBackend('JavaScript kernels', (backend) => {
  before(async () => {
    await contextFor(backend);
  });

  if (!runsJsKernels(backend)) {
    it('are not run on this backend', () => {
      withBackend(backend, () => {
        const x = tf.zeros([2]);
        try {
          let threw = false;
          try {
            runJsKernel(scaledSum, { x }, { factor: 1 });
          } catch {
            threw = true;
          }
          check(threw, `${scaledSum.name} ran on ${backend}`);
        } finally {
          x.dispose();
        }
      });
    });
    return;
  }

  it('compute from their inputs, with absent ones left out, and leave no tensor behind', () => {
    withBackend(backend, () => {
      const before = tf.memory().numTensors;
      const xs = [1.5, -2, Number.NaN, Infinity, 3e-39, 7];
      const ys = [0.25, 4, 1, -Infinity, 0, -7];
      const x = tf.tensor2d(xs, [2, 3]);
      const y = tf.tensor2d(ys, [2, 3]);
      const both = runJsKernel(scaledSum, { x, y }, { factor: 3 });
      const alone = runJsKernel(scaledSum, { x }, { factor: -0.5 });
      check(both.shape.join() === '2,3' && both.dtype === 'float32', `shape [${both.shape}] ${both.dtype}`);
      checkValues(both.dataSync(), (i) => Math.fround(xs[i]!) * 3 + ys[i]!, 6);
      checkValues(alone.dataSync(), (i) => Math.fround(xs[i]!) * -0.5, 6);
      for (const t of [x, y, both, alone]) t.dispose();
      check(tf.memory().numTensors === before, `${tf.memory().numTensors - before} tensors left`);
    });
  });

  it('shape their output as the attribute outputShape says', () => {
    withBackend(backend, () => {
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const out = runJsKernel(rowSums, { x }, { outputShape: [2, 1, 1] });
      check(out.shape.join() === '2,1,1', `shape [${out.shape}]`);
      checkValues(out.dataSync(), (i) => [6, 15][i]!, 2);
      for (const t of [x, out]) t.dispose();
    });
  });

  it('replay with the values the engine computes, absent inputs left out, called directly on wasm', () => {
    withBackend(backend, () => {
      const xs = [1.5, -2, Number.NaN, Infinity, 3e-39, 7];
      const ys = [0.25, 4, 1, -Infinity, 0, -7];
      const recordedX = tf.tensor2d([0, 0, 0, 0, 0, 0], [2, 3]);
      const recordedY = tf.tensor2d([0, 0, 0, 0, 0, 0], [2, 3]);
      const run = () => [runJsKernel(scaledSum, { x: recordedX, y: recordedY }, { factor: 3 }), runJsKernel(scaledSum, { x: recordedX }, { factor: -0.5 })];
      const { outputs, program } = recordKernels(run, { inputs: [recordedX, recordedY], constants: [] });
      check(program, 'the run is replayable');
      for (const t of [recordedX, recordedY, ...outputs]) t.dispose();
      const direct = program.directKernelCount;
      check(direct === (backend === 'wasm' ? 2 : 0), `${direct} of the 2 kernels are called directly`);
      const x = tf.tensor2d(xs, [2, 3]);
      const y = tf.tensor2d(ys, [2, 3]);
      const before = tf.memory().numTensors;
      try {
        const [both, alone] = program.run([x, y]);
        check(both!.shape.join() === '2,3' && alone!.shape.join() === '2,3', `shapes [${both!.shape}], [${alone!.shape}]`);
        checkValues(both!.dataSync(), (i) => Math.fround(xs[i]!) * 3 + ys[i]!, 6);
        checkValues(alone!.dataSync(), (i) => Math.fround(xs[i]!) * -0.5, 6);
        both!.dispose();
        alone!.dispose();
        check(tf.memory().numTensors === before, `${tf.memory().numTensors - before} tensors left`);
      } finally {
        program.dispose();
        x.dispose();
        y.dispose();
      }
    });
  });

  // A replayed call keeps TF.js's records of the tensors it was given from one replay to the next: each replay must
  // still read the tensors it is given, where they are now.
  it('replays read the tensors they are given: new ones, the same ones written over, and after the heap grew', () => {
    withBackend(backend, () => {
      const recorded = tf.tensor2d([0, 0, 0, 0, 0, 0], [2, 3]);
      const { outputs, program } = recordKernels(() => [runJsKernel(scaledSum, { x: recorded, y: recorded }, { factor: 2 })],
        { inputs: [recorded], constants: [] });
      check(program, 'the run is replayable');
      for (const t of [recorded, ...outputs]) t.dispose();
      const first = [1.5, -2, 3, 0.25, 8, -7];
      const x = tf.tensor2d(first, [2, 3]);
      const replay = (input: tf.Tensor, values: readonly number[]) => {
        const [out] = program.run([input]);
        checkValues(out!.dataSync(), (i) => Math.fround(values[i]!) * 3, 6);
        out!.dispose();
      };
      let grown: tf.Tensor | null = null;
      try {
        replay(x, first);
        replay(x, first);
        const other = tf.tensor2d([4, 5, 6, -1, -2, -3], [2, 3]);
        replay(other, [4, 5, 6, -1, -2, -3]);
        other.dispose();
        // The same tensor with other values, written where it is (as writeTensor() writes on wasm and cpu).
        const second = [9, -9, 0.5, 1e-3, 2, 4];
        if (backend === 'wasm') {
          (tf.backend() as unknown as { typedArrayFromHeap(info: tf.TensorInfo): Float32Array }).typedArrayFromHeap(x).set(second);
        } else {
          // cpu's readSync() hands out the array it keeps.
          (tf.backend().readSync(x.dataId) as Float32Array).set(second);
        }
        replay(x, second);
        // 32 MiB more: beyond what the wasm heap holds, so it grows and every view taken of it before is detached.
        grown = tf.zeros([8 * 2 ** 20]);
        replay(x, second);
      } finally {
        program.dispose();
        x.dispose();
        grown?.dispose();
      }
    });
  });

  it('read and write the right memory when the output grows the heap', () => {
    withBackend(backend, () => {
      // Two inputs and an output of 24 MiB each: beyond what the wasm heap holds at the start, so making the output
      // grows it, which detaches every view of the heap taken before.
      const length = 6 * 2 ** 20;
      const x = tf.tensor1d(Float32Array.from({ length }, (_, i) => (i % 1000) - 500));
      const y = tf.tensor1d(Float32Array.from({ length }, (_, i) => i % 3));
      const out = runJsKernel(scaledSum, { x, y }, { factor: 0.5 });
      checkValues(out.dataSync(), (i) => ((i % 1000) - 500) * 0.5 + (i % 3), length);
      for (const t of [x, y, out]) t.dispose();
    });
  });
});
