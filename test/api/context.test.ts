/**
 * MLContext per the spec's algorithms: which errors are thrown and which are rejected, in the spec's order; the
 * timeline keeping writes, dispatches and reads in order; readTensor into a caller's buffer; destroy() and `lost`.
 */
import { assertThrows, forEachBackend } from '../util/harness.js';
import type { MLContext, MLTensor } from '../../src/index.js';
import { addGraph, newBuilder, newContext, readFloat32, settledState } from './api-util.js';

/** Calls `fn`, which must not throw, and returns its promise. */
function mustReturnPromise<T>(fn: () => Promise<T>): Promise<T> {
  const p = fn();
  if (!(p instanceof Promise)) throw new Error('expected a promise');
  return p;
}

async function assertRejects(fn: () => Promise<unknown>, name: string, messagePart?: string | RegExp): Promise<void> {
  let p: Promise<unknown>;
  try {
    p = mustReturnPromise(fn);
  } catch (error) {
    throw new Error(`expected a promise rejected with ${name}, but the call threw ${(error as Error).name}: ${(error as Error).message}`,
      { cause: error });
  }
  await assertThrows(() => p, name, messagePart);
}

/** Asserts `fn` throws synchronously (not a rejected promise). */
function assertThrowsNow(fn: () => unknown, name: string, messagePart?: string | RegExp): void {
  let error: unknown;
  try {
    const result = fn();
    if (result instanceof Promise) {
      result.catch(() => undefined);
      throw new Error(`expected ${name} to be thrown, got a promise`);
    }
  } catch (e) {
    error = e;
  }
  if (!error) throw new Error(`expected ${name}, nothing was thrown`);
  if ((error as Error).name !== name) throw new Error(`expected ${name}, got ${(error as Error).name}: ${(error as Error).message}`);
  if (messagePart !== undefined) {
    const msg = (error as Error).message;
    if (typeof messagePart === 'string' ? !msg.includes(messagePart) : !messagePart.test(msg)) {
      throw new Error(`message '${msg}' does not mention ${messagePart}`);
    }
  }
}

forEachBackend('MLContext', (backend) => {
  let ctx: MLContext;
  before(async () => {
    ctx = await newContext(backend);
  });

  describe('createTensor', () => {
    it('makes a zero-filled tensor with the descriptor\'s attributes; readable/writable default to false', async () => {
      const t = await ctx.createTensor({ dataType: 'float32', shape: [2, 3], readable: true });
      if (t.dataType !== 'float32' || t.shape.join() !== '2,3') throw new Error(`${t.dataType} [${t.shape}]`);
      if (!t.readable || t.writable || t.constant) throw new Error('flags');
      if (!Object.isFrozen(t.shape) || t.shape !== t.shape) throw new Error('shape must be one frozen array');
      const data = await readFloat32(ctx, t);
      if (data.join() !== '0,0,0,0,0,0') throw new Error(`not zero-filled: ${data}`);
      const plain = await ctx.createTensor({ dataType: 'int32', shape: [1] });
      if (plain.readable || plain.writable) throw new Error('readable and writable default to false');
      t.destroy();
      plain.destroy();
    });

    it('accepts the legacy `dimensions` member (and prefers `shape`)', async () => {
      const t = await ctx.createTensor({ dataType: 'float32', dimensions: [4], readable: true } as never);
      const u = await ctx.createTensor({ dataType: 'float32', shape: [2], dimensions: [4] } as never);
      if (t.shape.join() !== '4' || u.shape.join() !== '2') throw new Error(`[${t.shape}] [${u.shape}]`);
      t.destroy();
      u.destroy();
    });

    it('rejects (does not throw) TypeError for invalid descriptors', async () => {
      await assertRejects(() => ctx.createTensor(undefined as never), 'TypeError', 'MLContext.createTensor');
      await assertRejects(() => ctx.createTensor({ shape: [2] } as never), 'TypeError', 'dataType');
      await assertRejects(() => ctx.createTensor({ dataType: 'float64', shape: [2] } as never), 'TypeError', 'dataType');
      await assertRejects(() => ctx.createTensor({ dataType: 'float32' } as never), 'TypeError', 'shape');
      await assertRejects(() => ctx.createTensor({ dataType: 'float32', shape: [2, 0] }), 'TypeError', 'shape[1]');
      await assertRejects(() => ctx.createTensor({ dataType: 'float32', shape: [-1] }), 'TypeError', 'shape[0]');
      await assertRejects(() => ctx.createTensor({ dataType: 'float32', shape: [2 ** 31] }), 'TypeError', 'shape[0]');
      await assertRejects(() => ctx.createTensor({ dataType: 'float32', shape: [65536, 65536] }), 'TypeError', 'elements');
      await assertRejects(() => ctx.createTensor({ dataType: 'float32', shape: [1, 1, 1, 1, 1, 1, 1, 1, 1] }), 'TypeError', 'rank');
      await assertRejects(() => ctx.createTensor({ dataType: 'int4' as never, shape: [2] }), 'TypeError', 'dataType');
      await assertRejects(() => (ctx.createTensor as (...a: unknown[]) => Promise<MLTensor>)(), 'TypeError', 'argument');
    });
  });

  describe('createConstantTensor', () => {
    it('makes a constant tensor (neither readable nor writable) holding a copy taken at the call', async () => {
      const data = new Float32Array([1, 2, 3]);
      const p = ctx.createConstantTensor({ dataType: 'float32', shape: [3] }, data);
      data[0] = 99;
      const t = await p;
      if (!t.constant || t.readable || t.writable) throw new Error('flags');
      const b = newBuilder(ctx);
      const c = b.constant(t);
      const graph = await b.build({ out: b.add(c, c) });
      const out = await ctx.createTensor({ dataType: 'float32', shape: [3], readable: true });
      ctx.dispatch(graph, {}, { out });
      const result = await readFloat32(ctx, out);
      if (result.join() !== '2,4,6') throw new Error(`the copy must be taken at the call: ${result}`);
      graph.destroy();
      out.destroy();
      t.destroy();
    });

    it('rejects TypeError for invalid dimensions and buffers', async () => {
      const desc = { dataType: 'float32' as const, shape: [2] };
      await assertRejects(() => ctx.createConstantTensor({ dataType: 'float32', shape: [0] }, new Float32Array(0)), 'TypeError', 'shape[0]');
      await assertRejects(() => ctx.createConstantTensor(desc, new Float32Array(3)), 'TypeError', 'inputData');
      await assertRejects(() => ctx.createConstantTensor(desc, new Int32Array(2)), 'TypeError', 'Int32Array');
      await assertRejects(() => ctx.createConstantTensor(desc, new DataView(new ArrayBuffer(8))), 'TypeError', 'DataView');
      await assertRejects(() => ctx.createConstantTensor(desc, [1, 2] as never), 'TypeError', 'inputData');
      // A Uint8Array, an ArrayBuffer and a SharedArrayBuffer of the right length fit any data type.
      const ok = await Promise.all([
        ctx.createConstantTensor(desc, new Uint8Array(8)),
        ctx.createConstantTensor(desc, new ArrayBuffer(8)),
        ...(typeof SharedArrayBuffer === 'function' ? [ctx.createConstantTensor(desc, new SharedArrayBuffer(8))] : []),
      ]);
      for (const t of ok) t.destroy();
    });

    it('cannot be read, written or bound to dispatch', async () => {
      const t = await ctx.createConstantTensor({ dataType: 'float32', shape: [4] }, new Float32Array(4));
      await assertRejects(() => ctx.readTensor(t), 'TypeError', 'readable');
      assertThrowsNow(() => ctx.writeTensor(t, new Float32Array(4)), 'TypeError', 'writable');
      const { graph, y, out } = await addGraph(ctx);
      assertThrowsNow(() => ctx.dispatch(graph, { x: t, y }, { out }), 'TypeError', 'constant');
      for (const d of [t, y, out, graph]) d.destroy();
    });
  });

  describe('dispatch', () => {
    it('throws in the spec\'s order: graph context, destroyed graph, duplicates, tensor context/state, bindings', async () => {
      const other = await newContext(backend);
      const mine = await addGraph(ctx);
      const theirs = await addGraph(other);
      const { graph, x, y, out } = mine;
      // 1. The graph belongs to another context (even when it is also destroyed).
      theirs.graph.destroy();
      assertThrowsNow(() => ctx.dispatch(theirs.graph, { x, y }, { out }), 'TypeError', 'another MLContext');
      // 3. A tensor bound twice.
      assertThrowsNow(() => ctx.dispatch(graph, { x, y: x }, { out }), 'TypeError', 'same MLTensor');
      assertThrowsNow(() => ctx.dispatch(graph, { x, y }, { out: x }), 'TypeError', 'same MLTensor');
      // 4. A tensor of another context, a destroyed tensor.
      assertThrowsNow(() => ctx.dispatch(graph, { x, y: theirs.y }, { out }), 'TypeError', 'another MLContext');
      const dead = await ctx.createTensor({ dataType: 'float32', shape: [4] });
      dead.destroy();
      assertThrowsNow(() => ctx.dispatch(graph, { x, y: dead }, { out }), 'TypeError', 'destroyed');
      // 5. Bindings: missing, extra, misnamed, mismatched type or shape (inputs and outputs).
      const wrongShape = await ctx.createTensor({ dataType: 'float32', shape: [2, 2] });
      const wrongType = await ctx.createTensor({ dataType: 'int32', shape: [4] });
      const extra = await ctx.createTensor({ dataType: 'float32', shape: [4] });
      assertThrowsNow(() => ctx.dispatch(graph, { x }, { out }), 'TypeError', 'inputs binds 1');
      assertThrowsNow(() => ctx.dispatch(graph, { x, y, z: extra }, { out }), 'TypeError', 'inputs binds 3');
      assertThrowsNow(() => ctx.dispatch(graph, { x, z: y }, { out }), 'TypeError', 'inputs[\'z\']');
      assertThrowsNow(() => ctx.dispatch(graph, { x, y: wrongShape }, { out }), 'TypeError', 'float32[2, 2]');
      assertThrowsNow(() => ctx.dispatch(graph, { x, y: wrongType }, { out }), 'TypeError', 'int32[4]');
      assertThrowsNow(() => ctx.dispatch(graph, { x, y }, {}), 'TypeError', 'outputs binds 0');
      assertThrowsNow(() => ctx.dispatch(graph, { x, y }, { out, more: extra }), 'TypeError', 'outputs binds 2');
      assertThrowsNow(() => ctx.dispatch(graph, { x, y }, { result: out }), 'TypeError', 'outputs[\'result\']');
      assertThrowsNow(() => ctx.dispatch(graph, { x, y }, { out: wrongType }), 'TypeError', 'outputs[\'out\']');
      // WebIDL conversions come first: not an MLGraph, not an MLTensor, missing arguments.
      assertThrowsNow(() => ctx.dispatch({} as never, { x, y }, { out }), 'TypeError', 'graph');
      assertThrowsNow(() => ctx.dispatch(graph, { x, y: {} as never }, { out }), 'TypeError', 'inputs[\'y\']');
      assertThrowsNow(() => (ctx.dispatch as (...a: unknown[]) => void)(graph, { x, y }), 'TypeError', '3 arguments');
      // 2. A destroyed graph is an InvalidStateError, checked before the tensors.
      graph.destroy();
      assertThrowsNow(() => ctx.dispatch(graph, { x, y: x }, { out: dead }), 'InvalidStateError', 'destroyed');
      for (const t of [x, y, out, wrongShape, wrongType, extra, theirs.x, theirs.y, theirs.out]) t.destroy();
      other.destroy();
    });

    it('does not check readable/writable', async () => {
      const b = newBuilder(ctx);
      const x = b.input('x', { dataType: 'float32', shape: [2] });
      const graph = await b.build({ out: b.add(x, x) });
      const input = await ctx.createTensor({ dataType: 'float32', shape: [2] });
      const output = await ctx.createTensor({ dataType: 'float32', shape: [2] });
      ctx.dispatch(graph, { x: input }, { out: output });
      for (const d of [graph, input, output]) d.destroy();
    });

    it('runs the dispatches enqueued before the graph was destroyed', async () => {
      const { graph, x, y, out } = await addGraph(ctx);
      ctx.writeTensor(x, new Float32Array([1, 2, 3, 4]));
      ctx.writeTensor(y, new Float32Array([10, 20, 30, 40]));
      ctx.dispatch(graph, { x, y }, { out });
      graph.destroy();
      const result = await readFloat32(ctx, out);
      if (result.join() !== '11,22,33,44') throw new Error(`${result}`);
      for (const t of [x, y, out]) t.destroy();
    });
  });

  describe('timeline', () => {
    it('keeps write, dispatch, read, write, dispatch, read in order without awaiting in between', async () => {
      const { graph, x, y, out } = await addGraph(ctx);
      const source = new Float32Array([1, 2, 3, 4]);
      ctx.writeTensor(x, source);
      ctx.writeTensor(y, new Float32Array([0.5, 0.5, 0.5, 0.5]));
      ctx.dispatch(graph, { x, y }, { out });
      const first = ctx.readTensor(out);
      source.set([100, 200, 300, 400]); // writeTensor copied the bytes at the call
      ctx.writeTensor(x, source);
      ctx.dispatch(graph, { x, y }, { out });
      const second = ctx.readTensor(out);
      ctx.writeTensor(y, new Float32Array([-1, -1, -1, -1]));
      const third = ctx.readTensor(y);
      const [a, b, c] = await Promise.all([first, second, third]);
      const f = (buffer: ArrayBuffer) => Array.from(new Float32Array(buffer)).join();
      if (f(a) !== '1.5,2.5,3.5,4.5') throw new Error(`first read ${f(a)}`);
      if (f(b) !== '100.5,200.5,300.5,400.5') throw new Error(`second read ${f(b)}`);
      if (f(c) !== '-1,-1,-1,-1') throw new Error(`third read ${f(c)}`);
      for (const d of [graph, x, y, out]) d.destroy();
    });

    it('reads a tensor written through every kind of view of its type', async () => {
      const t = await ctx.createTensor({ dataType: 'int32', shape: [2], readable: true, writable: true });
      for (const source of [new Int32Array([7, -8]), new Uint8Array(new Int32Array([7, -8]).buffer),
        new Int32Array([7, -8]).buffer]) {
        ctx.writeTensor(t, source);
        const values = Array.from(new Int32Array(await ctx.readTensor(t)));
        if (values.join() !== '7,-8') throw new Error(`${values}`);
      }
      t.destroy();
    });
  });

  describe('readTensor', () => {
    it('rejects (does not throw) TypeError: other context, destroyed, not readable, invalid buffer', async () => {
      const other = await newContext(backend);
      const theirs = await other.createTensor({ dataType: 'float32', shape: [2], readable: true });
      const unreadable = await ctx.createTensor({ dataType: 'float32', shape: [2], writable: true });
      const dead = await ctx.createTensor({ dataType: 'float32', shape: [2], readable: true });
      dead.destroy();
      const t = await ctx.createTensor({ dataType: 'float32', shape: [2], readable: true });
      await assertRejects(() => ctx.readTensor(theirs), 'TypeError', 'another MLContext');
      await assertRejects(() => ctx.readTensor(dead), 'TypeError', 'destroyed');
      await assertRejects(() => ctx.readTensor(unreadable), 'TypeError', 'readable');
      await assertRejects(() => ctx.readTensor({} as never), 'TypeError', 'tensor');
      await assertRejects(() => ctx.readTensor(t, new Float32Array(3)), 'TypeError', 'outputData');
      // A destination view of another type but the exact byte length receives the bytes (ONNX Runtime Web does this).
      const asInt8 = new Int8Array(8);
      await ctx.readTensor(t, asInt8);
      if (new Float32Array(asInt8.buffer).some((v) => v !== 0)) throw new Error('expected the zero bytes of t');
      await assertRejects(() => ctx.readTensor(t, new Int8Array(7)), 'TypeError', 'outputData');
      await assertRejects(() => ctx.readTensor(t, 5 as never), 'TypeError', 'outputData');
      await assertRejects(() => ctx.readTensor(t, undefined as never), 'TypeError', 'outputData');
      const detached = new Float32Array(2);
      structuredClone(detached.buffer, { transfer: [detached.buffer] });
      await assertRejects(() => ctx.readTensor(t, detached), 'TypeError', 'outputData');
      for (const d of [theirs, unreadable, t]) d.destroy();
      other.destroy();
    });

    it('reads into a caller buffer: typed view, Uint8Array, ArrayBuffer, offset view', async () => {
      const t = await ctx.createTensor({ dataType: 'float32', shape: [3], readable: true, writable: true });
      ctx.writeTensor(t, new Float32Array([1.5, -2, 3.25]));
      const view = new Float32Array(3);
      const result = await ctx.readTensor(t, view);
      if (result !== undefined) throw new Error('resolves with undefined');
      if (Array.from(view).join() !== '1.5,-2,3.25') throw new Error(`${view}`);
      const bytes = new Uint8Array(12);
      await ctx.readTensor(t, bytes);
      if (Array.from(new Float32Array(bytes.buffer)).join() !== '1.5,-2,3.25') throw new Error('Uint8Array');
      const buffer = new ArrayBuffer(12);
      await ctx.readTensor(t, buffer);
      if (Array.from(new Float32Array(buffer)).join() !== '1.5,-2,3.25') throw new Error('ArrayBuffer');
      // A view at an odd offset into a larger buffer: only its bytes are written.
      const big = new Uint8Array(20).fill(0xee);
      await ctx.readTensor(t, new Uint8Array(big.buffer, 3, 12));
      const expected = new Uint8Array(new Float32Array([1.5, -2, 3.25]).buffer);
      if (big[2] !== 0xee || big[15] !== 0xee || !expected.every((v, i) => big[3 + i] === v)) throw new Error('offset view');
      t.destroy();
    });

    it('rejects TypeError when the caller buffer is detached before the read completes', async () => {
      const t = await ctx.createTensor({ dataType: 'float32', shape: [2], readable: true });
      const target = new Float32Array(2);
      const read = ctx.readTensor(t, target);
      structuredClone(target.buffer, { transfer: [target.buffer] });
      await assertThrows(() => read, 'TypeError', 'detached');
      t.destroy();
    });

    it('resolves with a new ArrayBuffer per read', async () => {
      const t = await ctx.createTensor({ dataType: 'float32', shape: [2], readable: true });
      const [a, b] = await Promise.all([ctx.readTensor(t), ctx.readTensor(t)]);
      if (!(a instanceof ArrayBuffer) || a === b || a.byteLength !== 8) throw new Error('distinct ArrayBuffers');
      t.destroy();
    });

    it('MLTensor.destroy() rejects pending reads with InvalidStateError at once', async () => {
      const t = await ctx.createTensor({ dataType: 'float32', shape: [2], readable: true });
      const pending = [ctx.readTensor(t), ctx.readTensor(t, new Float32Array(2))];
      t.destroy();
      for (const p of pending) {
        if (await settledState(p) !== 'InvalidStateError') throw new Error('the read must be rejected by destroy()');
      }
      t.destroy(); // idempotent
      await assertRejects(() => ctx.readTensor(t), 'TypeError', 'destroyed');
    });

    it('leaves the buffer of a read destroy() rejected as it was (the spec writes it only when the read resolves)', async () => {
      const t = await ctx.createTensor({ dataType: 'float32', shape: [2], readable: true, writable: true });
      ctx.writeTensor(t, new Float32Array([1.5, -2]));
      const into = new Float32Array([7, 8]);
      const pending = ctx.readTensor(t, into);
      t.destroy();
      if (await settledState(pending) !== 'InvalidStateError') throw new Error('the read must be rejected by destroy()');
      // A read queued after it on the timeline: the rejected one's turn came and went.
      await ctx.readTensor(await ctx.createTensor({ dataType: 'float32', shape: [1], readable: true }));
      if (into[0] !== 7 || into[1] !== 8) throw new Error(`the buffer was written: ${Array.from(into).join(', ')}`);
    });
  });

  describe('writeTensor', () => {
    it('throws TypeError: other context, destroyed, not writable, invalid buffer', async () => {
      const other = await newContext(backend);
      const theirs = await other.createTensor({ dataType: 'float32', shape: [2], writable: true });
      const unwritable = await ctx.createTensor({ dataType: 'float32', shape: [2], readable: true });
      const t = await ctx.createTensor({ dataType: 'float32', shape: [2], writable: true });
      const dead = await ctx.createTensor({ dataType: 'float32', shape: [2], writable: true });
      dead.destroy();
      assertThrowsNow(() => ctx.writeTensor(theirs, new Float32Array(2)), 'TypeError', 'another MLContext');
      assertThrowsNow(() => ctx.writeTensor(dead, new Float32Array(2)), 'TypeError', 'destroyed');
      assertThrowsNow(() => ctx.writeTensor(unwritable, new Float32Array(2)), 'TypeError', 'writable');
      assertThrowsNow(() => ctx.writeTensor(t, new Float32Array(3)), 'TypeError', 'inputData');
      assertThrowsNow(() => ctx.writeTensor(t, new Float64Array(1)), 'TypeError', 'Float64Array');
      assertThrowsNow(() => ctx.writeTensor(t, [1, 2] as never), 'TypeError', 'inputData');
      assertThrowsNow(() => (ctx.writeTensor as (...a: unknown[]) => void)(t), 'TypeError', '2 arguments');
      for (const d of [theirs, unwritable, t]) d.destroy();
      other.destroy();
    });
  });

  describe('opSupportLimits', () => {
    it('returns a new dictionary per call', () => {
      const a = ctx.opSupportLimits();
      a.input.dataTypes.length = 0;
      if (ctx.opSupportLimits().input.dataTypes.length === 0) throw new Error('callers must not change what is reported');
    });
  });

  describe('destroy and lost', () => {
    it('resolves lost (never rejects) with a message; destroy() is idempotent', async () => {
      const c = await newContext(backend);
      if (c.lost !== c.lost) throw new Error('lost is the same promise');
      if (await settledState(c.lost) !== 'pending') throw new Error('lost settled before destroy()');
      c.destroy();
      c.destroy();
      const info = await c.lost;
      if (typeof info.message !== 'string' || !info.message) throw new Error('MLContextLostInfo.message');
    });

    it('destroys graphs and tensors: pending reads reject InvalidStateError, later calls fail as specified', async () => {
      const c = await newContext(backend);
      const { graph, x, y, out } = await addGraph(c);
      const builder = newBuilder(c);
      const input = builder.input('a', { dataType: 'float32', shape: [4] });
      const unbuilt = newBuilder(c);
      const constantTensor = await c.createConstantTensor({ dataType: 'float32', shape: [4] }, new Float32Array(4));
      c.writeTensor(x, new Float32Array(4));
      c.dispatch(graph, { x, y }, { out });
      const pendingRead = c.readTensor(out);
      const pendingCreate = c.createTensor({ dataType: 'float32', shape: [4] });
      const pendingBuild = builder.build({ out: builder.add(input, input) });
      c.destroy();
      if (await settledState(pendingRead) !== 'InvalidStateError') throw new Error('pending read');
      await assertThrows(() => pendingCreate, 'InvalidStateError');
      await assertThrows(() => pendingBuild, 'InvalidStateError');
      await c.lost;
      await assertRejects(() => c.createTensor({ dataType: 'float32', shape: [4] }), 'InvalidStateError', 'lost');
      await assertRejects(() => c.createConstantTensor({ dataType: 'float32', shape: [4] }, new Float32Array(4)),
        'InvalidStateError', 'lost');
      assertThrowsNow(() => newBuilder(c), 'InvalidStateError', 'lost');
      assertThrowsNow(() => unbuilt.input('b', { dataType: 'float32', shape: [4] }), 'InvalidStateError', 'lost');
      assertThrowsNow(() => unbuilt.constant('float32', 1), 'InvalidStateError', 'lost');
      assertThrowsNow(() => unbuilt.constant({ dataType: 'float32', shape: [1] }, new Float32Array(1)), 'InvalidStateError');
      await assertRejects(() => unbuilt.build({ out: input }), 'InvalidStateError');
      // constant(tensor) checks the tensor first: it was destroyed with the context.
      assertThrowsNow(() => unbuilt.constant(constantTensor), 'TypeError', 'destroyed');
      assertThrowsNow(() => c.dispatch(graph, { x, y }, { out }), 'InvalidStateError', 'destroyed');
      await assertRejects(() => c.readTensor(out), 'TypeError', 'destroyed');
      assertThrowsNow(() => c.writeTensor(x, new Float32Array(4)), 'TypeError', 'destroyed');
      const limits = c.opSupportLimits(); // still answers
      if (!limits.input) throw new Error('opSupportLimits after destroy');
    });
  });
});
