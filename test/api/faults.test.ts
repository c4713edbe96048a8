/**
 * Faults stay with the context they happen on: a readback that never finishes, a dispatch whose kernel throws, a write
 * whose allocation fails. Each context has its own timeline, so the others go on; the context the fault happened on is
 * lost (`lost` resolves with a message) and everything queued on it settles with the spec's errors; no read returns
 * the previous dispatch's output as if it were a result. Faults are injected through src/runtime/faults.ts.
 */
import { assertThrows, forEachBackend } from '../util/harness.js';
import type { MLContextLostInfo } from '../../src/index.js';
import { clearFaults, failNextDispatch, failNextWrite, hangNextRead } from '../../src/runtime/faults.js';
import { timelineLimits } from '../../src/runtime/timeline.js';
import { addGraph, newContext, readFloat32 } from './api-util.js';
import { computeSums, later, SUMS, within } from './fault-util.js';

/** Runs `fn` with console.error collected instead of printed (a failed dispatch reports itself there). */
async function collectingErrors<T>(fn: (logged: unknown[][]) => Promise<T>): Promise<T> {
  const original = console.error;
  const logged: unknown[][] = [];
  console.error = (...args: unknown[]) => { logged.push(args); };
  try {
    return await fn(logged);
  } finally {
    console.error = original;
  }
}

forEachBackend('faults', (backend) => {
  const defaultStallMs = timelineLimits.stallMs;
  afterEach(() => {
    clearFaults();
    timelineLimits.stallMs = defaultStallMs;
  });

  describe('a readback that never finishes', () => {
    it('holds up no other context, and loses its own once it has waited too long', async () => {
      timelineLimits.stallMs = 300;
      const stuck = await newContext(backend);
      const { graph, x, y, out } = await addGraph(stuck);
      hangNextRead();
      const hung = later(stuck.readTensor(out));
      const queuedRead = later(stuck.readTensor(y));
      const queuedCreate = later(stuck.createTensor({ dataType: 'float32', shape: [2] }));
      // Another context on the same backend, and a new one, compute while the read hangs.
      const other = await within(newContext(backend), 2000, 'createContext() beside a hung read');
      if ((await within(computeSums(other), 2000, 'a read on another context')).join() !== SUMS) throw new Error('wrong sums');
      const info = await within(stuck.lost, 5000, 'lost of the stalled context') as MLContextLostInfo;
      if (!/did not finish within 300 ms/.test(info.message)) throw new Error(`lost message: ${info.message}`);
      await assertThrows(() => within(hung, 1000, 'the hung read'), 'InvalidStateError');
      await assertThrows(() => within(queuedRead, 1000, 'a read queued after it'), 'InvalidStateError');
      await assertThrows(() => within(queuedCreate, 1000, 'a createTensor() queued after it'), 'InvalidStateError');
      await assertThrows(() => stuck.dispatch(graph, { x, y }, { out }), 'InvalidStateError', 'destroyed');
      if ((await within(computeSums(other), 2000, 'another read on the other context')).join() !== SUMS) throw new Error('wrong sums');
      other.destroy();
    });

    it('destroy() rejects the hung read and everything queued behind it at once', async () => {
      const ctx = await newContext(backend);
      const { y, out } = await addGraph(ctx);
      hangNextRead();
      const hung = later(ctx.readTensor(out));
      const queuedRead = later(ctx.readTensor(y));
      const queuedCreate = later(ctx.createTensor({ dataType: 'float32', shape: [2] }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      ctx.destroy();
      await assertThrows(() => within(hung, 1000, 'the hung read'), 'InvalidStateError');
      await assertThrows(() => within(queuedRead, 1000, 'a read queued after it'), 'InvalidStateError');
      await assertThrows(() => within(queuedCreate, 1000, 'a createTensor() queued after it'), 'InvalidStateError');
      const info = await within(ctx.lost, 1000, 'lost');
      if (!info.message.includes('destroy()')) throw new Error(`lost message: ${info.message}`);
    });
  });

  describe('a dispatch whose kernel throws', () => {
    it('loses the context: the read after it rejects instead of returning the previous output', async () => {
      const ctx = await newContext(backend);
      const { graph, x, y, out } = await addGraph(ctx);
      ctx.writeTensor(x, new Float32Array([1, 0, 3, 0]));
      ctx.writeTensor(y, new Float32Array([1, 0, 3, 0]));
      ctx.dispatch(graph, { x, y }, { out });
      // The fault fires in the next dispatch to run: armed once that one has run.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const logged = await collectingErrors(async (errors) => {
        failNextDispatch(new Error('injected kernel failure'));
        const before = later(readFloat32(ctx, out));
        ctx.writeTensor(x, new Float32Array([1, 2, 3, 4]));
        ctx.writeTensor(y, new Float32Array([9, 10, 11, 12]));
        ctx.dispatch(graph, { x, y }, { out });
        const after = later(ctx.readTensor(out));
        // Work enqueued before the failure completes as it would have.
        if ((await before).join() !== '2,0,6,0') throw new Error(`the read before the failure: ${String(await before)}`);
        await assertThrows(() => within(after, 1000, 'the read after the failure'), 'InvalidStateError');
        return errors;
      });
      const info = await within(ctx.lost, 1000, 'lost');
      if (!/MLContext\.dispatch failed: injected kernel failure/.test(info.message)) throw new Error(`lost message: ${info.message}`);
      if (!logged.some((args) => String(args[0]).includes('MLContext.dispatch failed'))) throw new Error('no console.error');
      // The context is lost: its graph and tensors are destroyed, new work is refused with the spec's errors.
      await assertThrows(() => ctx.dispatch(graph, { x, y }, { out }), 'InvalidStateError');
      await assertThrows(() => ctx.readTensor(out), 'TypeError', 'destroyed');
      await assertThrows(() => ctx.writeTensor(x, new Float32Array(4)), 'TypeError', 'destroyed');
      await assertThrows(() => ctx.createTensor({ dataType: 'float32', shape: [1] }), 'InvalidStateError');
    });

    it('leaves other contexts as they were', async () => {
      const failing = await newContext(backend);
      const other = await newContext(backend);
      const { graph, x, y, out } = await addGraph(failing);
      await collectingErrors(async () => {
        failNextDispatch(new Error('injected allocation failure'));
        failing.dispatch(graph, { x, y }, { out });
        await within(failing.lost, 1000, 'lost');
      });
      if ((await within(computeSums(other), 2000, 'a read on another context')).join() !== SUMS) throw new Error('wrong sums');
      other.destroy();
    });
  });

  describe('a write whose allocation fails', () => {
    it('loses the context once the work before it is done; no read returns the old data', async () => {
      const ctx = await newContext(backend);
      const { y } = await addGraph(ctx);
      ctx.writeTensor(y, new Float32Array([5, 6, 7, 8]));
      const before = later(readFloat32(ctx, y));
      await collectingErrors(async () => {
        failNextWrite(new Error('injected out of memory'));
        ctx.writeTensor(y, new Float32Array([1, 2, 3, 4]));
        const after = later(ctx.readTensor(y));
        if ((await before).join() !== '5,6,7,8') throw new Error(`the read before the failure: ${String(await before)}`);
        await assertThrows(() => within(after, 1000, 'the read after the failure'), 'InvalidStateError');
      });
      const info = await within(ctx.lost, 1000, 'lost');
      if (!/MLContext\.writeTensor failed: injected out of memory/.test(info.message)) throw new Error(`lost message: ${info.message}`);
    });
  });
});
