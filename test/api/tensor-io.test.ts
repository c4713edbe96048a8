/**
 * writeTensor and readTensor move the caller's bytes with one copy each way, so these tests hold them to what the spec
 * asks of the copies: writeTensor takes its copy before it returns, whatever the view (any offset, a
 * SharedArrayBuffer) and whatever tf.tidy() the caller is in; readTensor writes exactly the destination's bytes,
 * and resolves with a buffer of its own; writes that never land give their TF.js memory back.
 */
import { forEachBackend } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import type { MLContext, MLGraphBuilder, MLOperand, MLTensor } from '../../src/index.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { newBuilder, newContext, settledState } from './api-util.js';

/** Little-endian bytes of `count` elements of `dataType`, made from seeded byte values. */
function patternBytes(dataType: MLOperandDataType, count: number, seed: number): Uint8Array {
  const size = { float32: 4, float16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, int8: 1, uint8: 1 }[dataType];
  const bytes = new Uint8Array(count * size);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + seed * 11) & 0xff;
  // Float exponents kept near 0 (normal numbers, either sign), whose bits survive every backend's storage.
  if (dataType === 'float32') for (let i = 3; i < bytes.length; i += 4) bytes[i] = (bytes[i]! & 0x81) | 0x3e;
  if (dataType === 'float16') for (let i = 1; i < bytes.length; i += 2) bytes[i] = (bytes[i]! & 0x87) | 0x38;
  return bytes;
}

/** `bytes` copied into a view at `offset` bytes into a larger buffer (a SharedArrayBuffer when asked). */
function placed(bytes: Uint8Array, offset: number, shared = false): Uint8Array {
  const buffer = shared ? new SharedArrayBuffer(bytes.length + offset + 5) : new ArrayBuffer(bytes.length + offset + 5);
  const view = new Uint8Array(buffer, offset, bytes.length);
  view.set(bytes);
  return view;
}

function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} bytes, expected ${expected.length}`);
  const at = actual.findIndex((v, i) => v !== expected[i]);
  if (at >= 0) throw new Error(`${what}: byte ${at} is ${actual[at]}, expected ${expected[at]}`);
}

/** Counts the tensors TF.js's engine makes until restored. */
function countTensorsMade(): { count: number; restore(): void } {
  const engine = tf.engine() as unknown as { makeTensor: (...args: unknown[]) => unknown };
  const original = engine.makeTensor;
  const own = Object.getOwnPropertyDescriptor(engine, 'makeTensor');
  const counter = {
    count: 0,
    // As found: the engine's method is its prototype's.
    restore: () => {
      if (own) Object.defineProperty(engine, 'makeTensor', own);
      else delete (engine as Partial<typeof engine>).makeTensor;
    },
  };
  engine.makeTensor = function (this: unknown, ...args: unknown[]) {
    counter.count++;
    return original.apply(this, args);
  };
  return counter;
}

const TYPES: readonly MLOperandDataType[] = ['float32', 'float16', 'int32', 'uint32', 'int8', 'uint8', 'int64', 'uint64'];

forEachBackend('tensor I/O copies', (backend) => {
  let ctx: MLContext;
  before(async () => {
    ctx = await newContext(backend);
  });
  after(() => ctx.destroy());

  async function tensorOf(dataType: MLOperandDataType, count: number): Promise<MLTensor> {
    return ctx.createTensor({ dataType, shape: [count], readable: true, writable: true });
  }

  for (const dataType of TYPES) {
    it(`${dataType}: a write from any view (offsets 0 to 3, SharedArrayBuffer) is taken at the call`, async () => {
      const t = await tensorOf(dataType, 7);
      for (const shared of [false, true]) {
        for (let offset = 0; offset < 4; offset++) {
          const expected = patternBytes(dataType, 7, offset + (shared ? 4 : 0));
          const source = placed(expected, offset, shared);
          ctx.writeTensor(t, source);
          source.fill(0xff); // the caller reuses its buffer at once
          const read = new Uint8Array(await ctx.readTensor(t));
          sameBytes(read, expected, `offset ${offset}${shared ? ', shared' : ''}`);
        }
      }
      t.destroy();
    });

    it(`${dataType}: a read writes exactly the destination's bytes (offsets 0 to 3, SharedArrayBuffer, Int8Array)`, async () => {
      const t = await tensorOf(dataType, 5);
      const expected = patternBytes(dataType, 5, 9);
      ctx.writeTensor(t, expected);
      for (const shared of [false, true]) {
        for (let offset = 0; offset < 4; offset++) {
          const destination = placed(new Uint8Array(expected.length).fill(0xee), offset, shared);
          const whole = new Uint8Array(destination.buffer);
          await ctx.readTensor(t, destination);
          sameBytes(destination, expected, `offset ${offset}${shared ? ', shared' : ''}`);
          if (whole.some((v, i) => (i < offset || i >= offset + expected.length) && v !== 0)) {
            throw new Error(`offset ${offset}: a byte outside the destination view was written`);
          }
        }
      }
      // Bytes of 128 and more land in an Int8Array as they are (ONNX Runtime reads into one).
      const signed = new Int8Array(expected.length);
      await ctx.readTensor(t, signed);
      sameBytes(new Uint8Array(signed.buffer), expected, 'an Int8Array destination');
      t.destroy();
    });
  }

  it('readTensor(tensor) resolves with a buffer of its own: later writes and changes to it do not meet', async () => {
    const t = await tensorOf('float32', 4);
    ctx.writeTensor(t, new Float32Array([1, 2, 3, 4]));
    const first = new Float32Array(await ctx.readTensor(t));
    ctx.writeTensor(t, new Float32Array([5, 6, 7, 8]));
    first.fill(-1);
    const second = new Float32Array(await ctx.readTensor(t));
    if (second.join() !== '5,6,7,8') throw new Error(`second read ${second.join()}`);
    second.fill(-2);
    const third = new Float32Array(await ctx.readTensor(t));
    if (third.join() !== '5,6,7,8') throw new Error(`third read ${third.join()}`);
    if (first.join() !== '-1,-1,-1,-1') throw new Error('the first result changed');
    t.destroy();
  });

  it('a write lands before later work and after earlier work, also where it goes straight into the tensor\'s memory', async () => {
    const builder = newBuilder(ctx);
    const x = builder.input('x', { dataType: 'float32', shape: [4] });
    // y shares x's values where the plan can make it so (reshape); z is computed from them.
    const graph = await builder.build({ y: builder.reshape(x, [2, 2]), z: builder.mul(x, builder.constant({ dataType: 'float32', shape: [] }, new Float32Array([2]))) });
    const xt = await ctx.createTensor({ dataType: 'float32', shape: [4], readable: true, writable: true });
    const yt = await ctx.createTensor({ dataType: 'float32', shape: [2, 2], readable: true });
    const zt = await ctx.createTensor({ dataType: 'float32', shape: [4], readable: true });
    const made = countTensorsMade();
    try {
      ctx.writeTensor(xt, new Float32Array([1, 2, 3, 4]));
      ctx.dispatch(graph, { x: xt }, { y: yt, z: zt });
      // Enqueued behind the dispatch: the dispatch reads the values written before it.
      ctx.writeTensor(xt, new Float32Array([5, 6, 7, 8]));
      const y1 = new Float32Array(await ctx.readTensor(yt));
      const z1 = new Float32Array(await ctx.readTensor(zt));
      if (y1.join() !== '1,2,3,4' || z1.join() !== '2,4,6,8') throw new Error(`first dispatch: y ${y1.join()}, z ${z1.join()}`);
      const x1 = new Float32Array(await ctx.readTensor(xt));
      if (x1.join() !== '5,6,7,8') throw new Error(`x after the second write: ${x1.join()}`);
      // Nothing waits now: a write may go straight into x's memory, but not into memory an output shares with it.
      ctx.dispatch(graph, { x: xt }, { y: yt, z: zt });
      await ctx.readTensor(zt);
      made.count = 0;
      ctx.writeTensor(xt, new Float32Array([-1, -2, -3, -4]));
      const y2 = new Float32Array(await ctx.readTensor(yt));
      const x2 = new Float32Array(await ctx.readTensor(xt));
      if (y2.join() !== '5,6,7,8') throw new Error(`the write into x reached y: ${y2.join()}`);
      if (x2.join() !== '-1,-2,-3,-4') throw new Error(`x: ${x2.join()}`);
      // Once y holds values of its own, x's memory is x's alone: on wasm the next write makes no tensor.
      const other = newBuilder(ctx);
      const copy = await other.build({ w: other.add(other.input('a', { dataType: 'float32', shape: [4] }), other.constant({ dataType: 'float32', shape: [] }, new Float32Array([0]))) });
      const wt = await ctx.createTensor({ dataType: 'float32', shape: [4], readable: true });
      ctx.dispatch(copy, { a: xt }, { w: wt });
      await ctx.readTensor(wt);
      made.count = 0;
      ctx.writeTensor(xt, new Float32Array([9, 8, 7, 6]));
      const alone = made.count;
      const x3 = new Float32Array(await ctx.readTensor(xt));
      const w3 = new Float32Array(await ctx.readTensor(wt));
      if (x3.join() !== '9,8,7,6' || w3.join() !== '-1,-2,-3,-4') throw new Error(`x ${x3.join()}, w ${w3.join()}`);
      if (backend === 'wasm' && alone !== 0) throw new Error(`a write into a tensor nothing else holds made ${alone} tensors`);
      for (const t of [xt, yt, zt, wt]) t.destroy();
      graph.destroy();
      copy.destroy();
    } finally {
      made.restore();
    }
  });

  it('int64 writes land in order too, where they go straight over the tensor\'s values, and never reach values a dispatch handed out', async () => {
    const builder = newBuilder(ctx);
    const x = builder.input('x', { dataType: 'int64', shape: [3] });
    // y is x's values as they were (a copy the plan hands out); z is computed from them.
    const graph = await builder.build({ y: builder.reshape(x, [3]), z: builder.add(x, x) });
    const xt = await ctx.createTensor({ dataType: 'int64', shape: [3], readable: true, writable: true });
    const yt = await ctx.createTensor({ dataType: 'int64', shape: [3], readable: true });
    const zt = await ctx.createTensor({ dataType: 'int64', shape: [3], readable: true });
    const read = async (t: MLTensor) => Array.from(new BigInt64Array(await ctx.readTensor(t))).join();
    ctx.writeTensor(xt, BigInt64Array.of(1n, -2n, 3n));
    ctx.dispatch(graph, { x: xt }, { y: yt, z: zt });
    // Enqueued behind the dispatch, which reads the values written before it.
    ctx.writeTensor(xt, BigInt64Array.of(4n, 5n, 6n));
    if (await read(yt) !== '1,-2,3' || await read(zt) !== '2,-4,6') throw new Error('the dispatch saw the later write');
    if (await read(xt) !== '4,5,6') throw new Error('the second write was lost');
    // Nothing waits now: the write goes over x's values, and y keeps the values the dispatch gave it.
    ctx.dispatch(graph, { x: xt }, { y: yt, z: zt });
    await ctx.readTensor(zt);
    ctx.writeTensor(xt, placed(new Uint8Array(BigInt64Array.of(-7n, 8n, 2n ** 62n).buffer), 3));
    ctx.dispatch(graph, { x: xt }, { y: zt, z: yt });
    if (await read(xt) !== `-7,8,${2n ** 62n}`) throw new Error('an unaligned write over x');
    if (await read(zt) !== `-7,8,${2n ** 62n}` || await read(yt) !== `-14,16,${2n ** 63n - 2n ** 64n}`) throw new Error('the dispatch after the write');
    ctx.writeTensor(xt, BigInt64Array.of(0n, 0n, 0n));
    if (await read(zt) !== `-7,8,${2n ** 62n}`) throw new Error('a write over x reached the values a dispatch handed out');
    for (const t of [xt, yt, zt]) t.destroy();
    graph.destroy();
  });

  it('results computed on the host land in their output tensors, over their values where nothing else holds them', async () => {
    const builder = newBuilder(ctx);
    const x = builder.input('x', { dataType: 'int64', shape: [3] });
    const limit = builder.constant({ dataType: 'int64', shape: [] }, BigInt64Array.of(2n));
    // Both computed on the host (int64 inputs), their outputs' values kept on the context's backend.
    const graph = await builder.build({ small: builder.lesser(x, limit), real: builder.cast(x, 'float32') });
    const other = newBuilder(ctx);
    // An output that is its input unchanged shares the input's memory.
    const copy = await other.build({ same: other.reshape(other.input('a', { dataType: 'uint8', shape: [3] }), [3]) });
    const xt = await ctx.createTensor({ dataType: 'int64', shape: [3], writable: true });
    const smallT = await ctx.createTensor({ dataType: 'uint8', shape: [3], readable: true });
    const realT = await ctx.createTensor({ dataType: 'float32', shape: [3], readable: true });
    const sameT = await ctx.createTensor({ dataType: 'uint8', shape: [3], readable: true });
    const made = countTensorsMade();
    try {
      const expected: [bigint[], string, string][] = [];
      for (const values of [[1n, 2n, 3n], [5n, -4n, 0n], [2n ** 40n, 1n, 2n]]) {
        expected.push([values, values.map((v) => (v < 2n ? 1 : 0)).join(), values.map(Number).join()]);
      }
      for (let round = 0; round < 2; round++) {
        for (const [values, small, real] of expected) {
          ctx.writeTensor(xt, BigInt64Array.from(values));
          made.count = 0;
          ctx.dispatch(graph, { x: xt }, { small: smallT, real: realT });
          const gotSmall = Array.from(new Uint8Array(await ctx.readTensor(smallT))).join();
          const gotReal = Array.from(new Float32Array(await ctx.readTensor(realT))).join();
          if (gotSmall !== small || gotReal !== real) throw new Error(`x ${values}: small ${gotSmall}, real ${gotReal}`);
          if (backend === 'wasm' && round === 1 && made.count !== 0) throw new Error(`a dispatch made ${made.count} tensors for its host results`);
        }
      }
      // small's memory is shared with same's now: the next result goes elsewhere, and same keeps its values.
      ctx.dispatch(copy, { a: smallT }, { same: sameT });
      ctx.writeTensor(xt, BigInt64Array.of(0n, 0n, 9n));
      ctx.dispatch(graph, { x: xt }, { small: smallT, real: realT });
      const same = Array.from(new Uint8Array(await ctx.readTensor(sameT))).join();
      const small = Array.from(new Uint8Array(await ctx.readTensor(smallT))).join();
      if (same !== '0,1,0' || small !== '1,1,0') throw new Error(`same ${same}, small ${small}`);
    } finally {
      made.restore();
    }
    for (const t of [xt, smallT, realT, sameT]) t.destroy();
    graph.destroy();
    copy.destroy();
  });

  it('float results land over their output tensors\' values where nothing else holds them, computed with no allocation on wasm', async () => {
    const builder = newBuilder(ctx);
    const x = builder.input('x', { dataType: 'float32', shape: [1, 4] });
    const weights = [0.5, -1, 2, 0.25, 1.5, -0.75, -2, 1, 0.125, 3, -0.5, 1.25];
    const bias = [0.1, -0.2, 0.3];
    const product = builder.gemm(x, builder.constant({ dataType: 'float32', shape: [4, 3] }, Float32Array.from(weights)),
      { c: builder.constant({ dataType: 'float32', shape: [3] }, Float32Array.from(bias)) });
    // The product is a result nobody is handed; the normalization's is the graph's output.
    const graph = await builder.build({ y: builder.layerNormalization(product, { axes: [1] }) });
    const other = newBuilder(ctx);
    const copy = await other.build({ same: other.reshape(other.input('a', { dataType: 'float32', shape: [1, 3] }), [3]) });
    const xt = await ctx.createTensor({ dataType: 'float32', shape: [1, 4], writable: true });
    const yt = await ctx.createTensor({ dataType: 'float32', shape: [1, 3], readable: true });
    const sameT = await ctx.createTensor({ dataType: 'float32', shape: [3], readable: true });
    const expected = (values: readonly number[]): number[] => {
      const p = bias.map((b, j) => values.reduce((sum, v, k) => sum + v * weights[k * 3 + j]!, b));
      const mean = p.reduce((a, b) => a + b, 0) / 3;
      const variance = p.reduce((a, b) => a + (b - mean) ** 2, 0) / 3;
      return p.map((v) => (v - mean) / Math.sqrt(variance + 1e-5));
    };
    const close = (actual: Float32Array, wanted: readonly number[], what: string) => {
      if (!wanted.every((w, i) => Math.abs(actual[i]! - w) <= 1e-5 * Math.max(1, Math.abs(w)))) {
        throw new Error(`${what}: ${Array.from(actual).join()}, expected ${wanted.join()}`);
      }
    };
    const wasm = backend === 'wasm' ? tf.findBackend('wasm') as unknown as { makeOutput: (...args: unknown[]) => unknown } : null;
    const makeOutput = wasm?.makeOutput;
    let allocations = 0;
    if (wasm) {
      wasm.makeOutput = function counted(this: unknown, ...args: unknown[]) {
        allocations++;
        return makeOutput!.apply(this, args);
      };
    }
    try {
      const inputs = [[1, 2, 3, 4], [-0.5, 4, 0, 2], [3, -3, 1, 0.5], [0.25, 0.5, -8, 1]];
      for (let round = 0; round < 2; round++) {
        for (const values of inputs) {
          ctx.writeTensor(xt, Float32Array.from(values));
          allocations = 0;
          ctx.dispatch(graph, { x: xt }, { y: yt });
          close(new Float32Array(await ctx.readTensor(yt)), expected(values), `x ${values}`);
          if (wasm && round === 1 && allocations !== 0) throw new Error(`a dispatch and read allocated ${allocations} results on wasm`);
        }
      }
      // y's memory shared with same's now: the next result goes elsewhere, and same keeps its values.
      ctx.dispatch(copy, { a: yt }, { same: sameT });
      ctx.writeTensor(xt, Float32Array.from(inputs[1]!));
      ctx.dispatch(graph, { x: xt }, { y: yt });
      close(new Float32Array(await ctx.readTensor(sameT)), expected(inputs[3]!), 'same');
      close(new Float32Array(await ctx.readTensor(yt)), expected(inputs[1]!), 'y');
    } finally {
      if (wasm) wasm.makeOutput = makeOutput!;
    }
    for (const t of [xt, yt, sameT]) t.destroy();
    graph.destroy();
    copy.destroy();
  });

  /** x of the 1x1 convolutions below, NHWC [1, 2, 2, 2], and their one-channel y for a filter [f0, f1], joined. */
  const CONV_X = [1, 2, 3, 4, 5, 6, 7, 8];
  const convolved = (f: readonly number[]) => [0, 1, 2, 3].map((p) => CONV_X[2 * p]! * f[0]! + CONV_X[2 * p + 1]! * f[1]!).join();

  /** `builder`'s input x of those convolutions, and a tensor holding CONV_X. */
  async function convolutionInput(builder: MLGraphBuilder): Promise<{ x: MLOperand; xt: MLTensor }> {
    const x = builder.input('x', { dataType: 'float32', shape: [1, 2, 2, 2] });
    const xt = await ctx.createTensor({ dataType: 'float32', shape: [1, 2, 2, 2], writable: true });
    ctx.writeTensor(xt, Float32Array.from(CONV_X));
    return { x, xt };
  }

  const readJoined = async (t: MLTensor) => Array.from(new Float32Array(await ctx.readTensor(t))).join();

  it('a convolution reads its filter\'s current values after writes and dispatches land over the filter\'s memory', async () => {
    const builder = newBuilder(ctx);
    const { x, xt } = await convolutionInput(builder);
    const w = builder.input('w', { dataType: 'float32', shape: [1, 1, 2, 1] });
    // TF.js's own filter layout: the filter tensor's values go to the kernel as they are.
    const conv = await builder.build({ y: builder.conv2d(x, w, { inputLayout: 'nhwc', filterLayout: 'hwio' }) });
    // A filter computed by another graph, into the same tensor at each dispatch.
    const other = newBuilder(ctx);
    const scale = other.input('s', { dataType: 'float32', shape: [1, 1, 2, 1] });
    const scaled = await other.build({ f: other.mul(scale, other.constant({ dataType: 'float32', shape: [] }, Float32Array.of(2))) });
    const wt = await ctx.createTensor({ dataType: 'float32', shape: [1, 1, 2, 1], readable: true, writable: true });
    const st = await ctx.createTensor({ dataType: 'float32', shape: [1, 1, 2, 1], writable: true });
    const yt = await ctx.createTensor({ dataType: 'float32', shape: [1, 2, 2, 1], readable: true });
    for (const filter of [[1, 0], [0.5, -1], [3, 2]]) {
      await ctx.readTensor(yt);
      // Nothing waits: the write goes over the filter's memory.
      ctx.writeTensor(wt, Float32Array.from(filter));
      ctx.dispatch(conv, { x: xt, w: wt }, { y: yt });
      const y = await readJoined(yt);
      if (y !== convolved(filter)) throw new Error(`filter ${filter} written: y ${y}, expected ${convolved(filter)}`);
    }
    for (const half of [[1, 1], [-2, 0.25], [4, -3]]) {
      ctx.writeTensor(st, Float32Array.from(half));
      ctx.dispatch(scaled, { s: st }, { f: wt });
      ctx.dispatch(conv, { x: xt, w: wt }, { y: yt });
      const y = await readJoined(yt);
      const filter = half.map((v) => 2 * v);
      if (y !== convolved(filter)) throw new Error(`filter ${filter} computed: y ${y}, expected ${convolved(filter)}`);
    }
    for (const t of [xt, wt, st, yt]) t.destroy();
    conv.destroy();
    scaled.destroy();
  });

  it('a convolution reads the current values of a filter its own graph computes into an output tensor', async () => {
    const builder = newBuilder(ctx);
    const { x, xt } = await convolutionInput(builder);
    const half = builder.input('half', { dataType: 'float32', shape: [1, 1, 2, 1] });
    const f = builder.mul(half, builder.constant({ dataType: 'float32', shape: [] }, Float32Array.of(2)));
    const graph = await builder.build({ f, y: builder.conv2d(x, f, { inputLayout: 'nhwc', filterLayout: 'hwio' }) });
    const ht = await ctx.createTensor({ dataType: 'float32', shape: [1, 1, 2, 1], writable: true });
    const ft = await ctx.createTensor({ dataType: 'float32', shape: [1, 1, 2, 1], readable: true });
    const yt = await ctx.createTensor({ dataType: 'float32', shape: [1, 2, 2, 1], readable: true });
    for (const h of [[1, 1], [-2, 0.25], [4, -3], [0.5, 0.5]]) {
      ctx.writeTensor(ht, Float32Array.from(h));
      ctx.dispatch(graph, { x: xt, half: ht }, { f: ft, y: yt });
      const y = await readJoined(yt);
      const want = convolved(h.map((v) => 2 * v));
      if (y !== want) throw new Error(`half ${h}: y ${y}, expected ${want}`);
    }
    for (const t of [xt, ht, ft, yt]) t.destroy();
    graph.destroy();
  });

  it('so does a convolution of a graph that also computes on the host (run through TF.js\'s engine)', async () => {
    const builder = newBuilder(ctx);
    const { x, xt } = await convolutionInput(builder);
    const w = builder.input('w', { dataType: 'float32', shape: [1, 1, 2, 1] });
    const k = builder.input('k', { dataType: 'int64', shape: [1] });
    const graph = await builder.build({
      y: builder.conv2d(x, w, { inputLayout: 'nhwc', filterLayout: 'hwio' }), k2: builder.add(k, k),
    });
    const wt = await ctx.createTensor({ dataType: 'float32', shape: [1, 1, 2, 1], writable: true });
    const kt = await ctx.createTensor({ dataType: 'int64', shape: [1], writable: true });
    const yt = await ctx.createTensor({ dataType: 'float32', shape: [1, 2, 2, 1], readable: true });
    const k2t = await ctx.createTensor({ dataType: 'int64', shape: [1], readable: true });
    ctx.writeTensor(kt, BigInt64Array.of(3n));
    for (const filter of [[1, 0], [0.5, -1], [3, 2]]) {
      await ctx.readTensor(yt);
      ctx.writeTensor(wt, Float32Array.from(filter));
      ctx.dispatch(graph, { x: xt, w: wt, k: kt }, { y: yt, k2: k2t });
      const y = await readJoined(yt);
      if (y !== convolved(filter)) throw new Error(`filter ${filter}: y ${y}, expected ${convolved(filter)}`);
      const k2 = new BigInt64Array(await ctx.readTensor(k2t))[0];
      if (k2 !== 6n) throw new Error(`k2 ${k2}`);
    }
    for (const t of [xt, wt, kt, yt, k2t]) t.destroy();
    graph.destroy();
  });

  it('a write made inside the caller\'s tf.tidy() outlives it', async () => {
    const t = await tensorOf('float32', 3);
    tf.tidy(() => {
      ctx.writeTensor(t, new Float32Array([0.25, 0.5, 0.75]));
    });
    const values = new Float32Array(await ctx.readTensor(t));
    if (values.join() !== '0.25,0.5,0.75') throw new Error(`${values.join()}`);
    t.destroy();
  });

  it('writes that never land (tensor or context destroyed first) and reads of them leave no TF.js tensor behind', async () => {
    const other = await newContext(backend);
    const probe = await other.createTensor({ dataType: 'float32', shape: [1], readable: true });
    await other.readTensor(probe);
    const before = tf.memory().numTensors;
    const t = await tensorOf('float32', 16);
    ctx.writeTensor(t, new Float32Array(16).fill(3));
    t.destroy();
    const doomed = await newContext(backend);
    const u = await doomed.createTensor({ dataType: 'float32', shape: [16], readable: true, writable: true });
    const constant = doomed.createConstantTensor({ dataType: 'float32', shape: [2] }, new Float32Array([1, 2]));
    doomed.writeTensor(u, new Float32Array(16).fill(4));
    const read = doomed.readTensor(u);
    doomed.destroy();
    if (await settledState(read) !== 'InvalidStateError') throw new Error('the pending read must reject InvalidStateError');
    if (await settledState(constant) !== 'InvalidStateError') throw new Error('the constant tensor must reject InvalidStateError');
    await other.readTensor(probe); // every job enqueued above has run
    const after = tf.memory().numTensors;
    if (after !== before) throw new Error(`numTensors ${before} -> ${after}`);
    probe.destroy();
    other.destroy();
  });
});
