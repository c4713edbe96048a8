/**
 * int32 is exact on every backend: two's complement wrap-around and the full 32-bit range, through arithmetic, data
 * movement, constant folding, casts and MLTensor reads and writes. A webgl context computes int32 on TF.js's cpu
 * backend (webgl textures are float32): mixed graphs must give exact results, move no data through the engine (values
 * read on both backends are copied once, constants at build), keep tf.memory() balanced and restore the backend.
 */
import { forEachBackend } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import type { MLContext, MLOperand, MLTensor } from '../../src/index.js';
import { newBuilder, newContext } from './api-util.js';

const wrap = (x: bigint): number => Number(BigInt.asIntN(32, x));
const addRef = (a: number, b: number) => wrap(BigInt(a) + BigInt(b));
const subRef = (a: number, b: number) => wrap(BigInt(a) - BigInt(b));
const mulRef = (a: number, b: number) => wrap(BigInt(a) * BigInt(b));

function int32Desc(shape: number[]) {
  return { dataType: 'int32' as const, shape };
}

function sameValues(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  const got = Array.from(actual);
  if (got.length !== expected.length || got.some((v, i) => !Object.is(v, expected[i]))) {
    throw new Error(`${what}: [${got}] != expected [${expected}]`);
  }
}

interface Binding {
  data?: Int32Array | Float32Array;
  dataType: 'int32' | 'float32';
  shape: number[];
}

/** Builds once, dispatches once, reads every output (as Int32Array or Float32Array by its type). */
async function run(ctx: MLContext, inputs: Record<string, Binding>,
  build: (b: ReturnType<typeof newBuilder>, x: Record<string, MLOperand>) => Record<string, MLOperand>):
  Promise<Record<string, Int32Array | Float32Array>> {
  const b = newBuilder(ctx);
  const operands: Record<string, MLOperand> = {};
  for (const [name, v] of Object.entries(inputs)) operands[name] = b.input(name, { dataType: v.dataType, shape: v.shape });
  const outputs = build(b, operands);
  const graph = await b.build(outputs);
  const ins: Record<string, MLTensor> = {};
  for (const [name, v] of Object.entries(inputs)) {
    ins[name] = await ctx.createTensor({ dataType: v.dataType, shape: v.shape, writable: true });
    ctx.writeTensor(ins[name], v.data!);
  }
  const outs: Record<string, MLTensor> = {};
  for (const [name, o] of Object.entries(outputs)) {
    outs[name] = await ctx.createTensor({ dataType: o.dataType, shape: [...o.shape], readable: true });
  }
  ctx.dispatch(graph, ins, outs);
  const result: Record<string, Int32Array | Float32Array> = {};
  for (const [name, o] of Object.entries(outputs)) {
    const buffer = await ctx.readTensor(outs[name]!);
    result[name] = o.dataType === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer);
  }
  for (const t of [...Object.values(ins), ...Object.values(outs)]) t.destroy();
  graph.destroy();
  return result;
}

/** Counts the engine's moves of tensor data from one backend to another while `body` runs. */
async function countingMoves(body: () => Promise<void>): Promise<number> {
  const engine = tf.engine() as unknown as { moveData: (...args: unknown[]) => void };
  const original = engine.moveData;
  let moves = 0;
  engine.moveData = function (this: unknown, ...args: unknown[]) {
    moves++;
    return original.apply(this, args);
  };
  try {
    await body();
  } finally {
    engine.moveData = original;
  }
  return moves;
}

/** Counts TF.js backend switches while `body` runs. */
async function countingSwitches(body: () => Promise<void>): Promise<number> {
  const engine = tf.engine() as unknown as { setBackend: (...args: unknown[]) => Promise<boolean> };
  const original = engine.setBackend;
  let switches = 0;
  engine.setBackend = function (this: unknown, ...args: unknown[]) {
    switches++;
    return original.apply(this, args);
  };
  try {
    await body();
  } finally {
    engine.setBackend = original;
  }
  return switches;
}

forEachBackend('int32 exactness', (backend) => {
  let ctx: MLContext;
  before(async () => {
    ctx = await newContext(backend);
  });
  after(() => ctx.destroy());

  it('add, sub and mul wrap around at 2^31 (2147483647 + 1, 123456789 * 987654321)', async () => {
    const a = [2147483647, -2147483648, 123456789, 16777217, -16777217, 2147483647, 65536];
    const b = [1, -1, 987654321, 3, 16777219, 2147483647, 65536];
    const r = await run(ctx, {
      a: { dataType: 'int32', shape: [a.length], data: Int32Array.from(a) },
      b: { dataType: 'int32', shape: [b.length], data: Int32Array.from(b) },
    }, (builder, { a: x, b: y }) => ({ add: builder.add(x!, y!), sub: builder.sub(x!, y!), mul: builder.mul(x!, y!) }));
    sameValues(r['add']!, a.map((v, i) => addRef(v, b[i]!)), 'add');
    sameValues(r['sub']!, a.map((v, i) => subRef(v, b[i]!)), 'sub');
    sameValues(r['mul']!, a.map((v, i) => mulRef(v, b[i]!)), 'mul');
    if (r['add']![0] !== -2147483648) throw new Error('2147483647 + 1 must wrap to -2147483648');
    if (r['mul']![2] !== mulRef(123456789, 987654321)) throw new Error('123456789 * 987654321 must wrap');
  });

  it('values above 2^24 pass unchanged through reshape, transpose, concat, slice and gather', async () => {
    const data = [2147483647, -2147483648, 16777217, -16777217, 123456789, 2147483646];
    const extra = [16777219, -2147483647];
    const r = await run(ctx, { x: { dataType: 'int32', shape: [2, 3], data: Int32Array.from(data) } }, (builder, { x }) => {
      const c = builder.constant(int32Desc([1, 2]), Int32Array.from(extra));
      const indices = builder.constant(int32Desc([3]), Int32Array.from([5, 0, 3]));
      const flat = builder.reshape(x!, [6]);
      return {
        reshaped: builder.reshape(x!, [3, 2]),
        transposed: builder.transpose(x!),
        concatenated: builder.concat([builder.reshape(x!, [3, 2]), c], 0),
        sliced: builder.slice(flat, [1], [4]),
        gathered: builder.gather(flat, indices),
      };
    });
    sameValues(r['reshaped']!, data, 'reshape');
    sameValues(r['transposed']!, [data[0]!, data[3]!, data[1]!, data[4]!, data[2]!, data[5]!], 'transpose');
    sameValues(r['concatenated']!, [...data, ...extra], 'concat');
    sameValues(r['sliced']!, data.slice(1, 5), 'slice');
    sameValues(r['gathered']!, [data[5]!, data[0]!, data[3]!], 'gather');
  });

  it('int32 results folded at build time are exact', async () => {
    const a = [2147483647, 123456789, -2147483648];
    const b = [1, 987654321, -1];
    const r = await run(ctx, { x: { dataType: 'int32', shape: [3], data: Int32Array.from([0, 0, 0]) } }, (builder, { x }) => {
      const ca = builder.constant(int32Desc([3]), Int32Array.from(a));
      const cb = builder.constant(int32Desc([3]), Int32Array.from(b));
      return { product: builder.add(builder.mul(ca, cb), x!), sum: builder.add(ca, cb) };
    });
    sameValues(r['product']!, a.map((v, i) => mulRef(v, b[i]!)), 'folded mul');
    sameValues(r['sum']!, a.map((v, i) => addRef(v, b[i]!)), 'folded add');
  });

  it('int32 tensors are written and read back exactly, and dispatch outputs feed later dispatches', async () => {
    const start = [2147483646, -2147483648, 16777217, -16777219];
    const b = newBuilder(ctx);
    const x = b.input('x', int32Desc([4]));
    const graph = await b.build({ out: b.add(x, b.constant(int32Desc([4]), Int32Array.from([1, -1, 2, -2]))) });
    const tensors = await Promise.all([0, 1].map(() => ctx.createTensor({ ...int32Desc([4]), readable: true, writable: true })));
    ctx.writeTensor(tensors[0]!, Int32Array.from(start));
    sameValues(new Int32Array(await ctx.readTensor(tensors[0]!)), start, 'write then read');
    let expected = start;
    for (let i = 0; i < 3; i++) {
      ctx.dispatch(graph, { x: tensors[i % 2]! }, { out: tensors[(i + 1) % 2]! });
      expected = expected.map((v, k) => addRef(v, [1, -1, 2, -2][k]!));
    }
    sameValues(new Int32Array(await ctx.readTensor(tensors[1]!)), expected, 'three chained dispatches');
    for (const d of [graph, ...tensors]) d.destroy();
  });

  it('constant MLTensors hold int32 exactly', async () => {
    const values = [2147483647, -2147483648, 16777217, 305419896];
    const constant = await ctx.createConstantTensor(int32Desc([4]), Int32Array.from(values));
    const r = await run(ctx, { x: { dataType: 'int32', shape: [4], data: Int32Array.from([1, 1, 1, 1]) } },
      (builder, { x }) => ({ out: builder.sub(builder.constant(constant), x!) }));
    sameValues(r['out']!, values.map((v) => subRef(v, 1)), 'constant tensor - 1');
    constant.destroy();
  });

  it('mixed float32 / int32 graphs: exact, no data moved by the engine, memory balanced, backend restored', async () => {
    // table (a constant) is read by gather (int32 indices) and by a float add; xf by a cast to int32 and a float add;
    // the int32 result goes back to float32 and is read by a float multiply.
    const table = Array.from({ length: 20 }, (_, i) => i * 0.25 - 2);
    const offset = 2147483000;
    const b = newBuilder(ctx);
    const xf = b.input('xf', { dataType: 'float32', shape: [4] });
    const idx = b.input('idx', int32Desc([3]));
    const t = b.constant({ dataType: 'float32', shape: [5, 4] }, Float32Array.from(table));
    const gathered = b.add(b.gather(t, idx), xf);
    const shifted = b.add(t, xf);
    const big = b.add(b.cast(xf, 'int32'), b.constant(int32Desc([4]), Int32Array.from([offset, offset, offset, offset])));
    const back = b.cast(big, 'float32');
    const graph = await b.build({ gathered, shifted, big, back, squared: b.mul(back, back) });
    const desc = (o: MLOperand) => ({ dataType: o.dataType, shape: [...o.shape] });
    const [txf, tidx] = await Promise.all([
      ctx.createTensor({ dataType: 'float32', shape: [4], writable: true }), ctx.createTensor({ ...int32Desc([3]), writable: true })]);
    const outs = {
      gathered: await ctx.createTensor({ ...desc(gathered), readable: true }),
      shifted: await ctx.createTensor({ ...desc(shifted), readable: true }),
      big: await ctx.createTensor({ ...desc(big), readable: true }),
      back: await ctx.createTensor({ ...desc(back), readable: true }),
      squared: await ctx.createTensor({ ...desc(back), readable: true }),
    };
    await ctx.readTensor(outs.big);
    const tensorsBefore = tf.memory().numTensors;
    // The backend active before the work (the app's): the plan switches for its steps and back.
    const active = tf.getBackend();
    const moves = await countingMoves(async () => {
      for (let round = 0; round < 20; round++) {
        const x = [round + 0.5, -round - 0.75, 1000 + round, 647.9];
        const indices = [round % 5, 4 - (round % 5), -1];
        ctx.writeTensor(txf, Float32Array.from(x));
        ctx.writeTensor(tidx, Int32Array.from(indices));
        ctx.dispatch(graph, { xf: txf, idx: tidx }, outs);
        const rows = indices.map((i) => (i < 0 ? i + 5 : i));
        sameValues(new Float32Array(await ctx.readTensor(outs.gathered)),
          rows.flatMap((row) => x.map((v, k) => Math.fround(table[row * 4 + k]! + v))), `round ${round} gathered`);
        sameValues(new Float32Array(await ctx.readTensor(outs.shifted)),
          table.map((v, i) => Math.fround(v + x[i % 4]!)), `round ${round} shifted`);
        const bigValues = x.map((v) => addRef(Math.trunc(v), offset));
        sameValues(new Int32Array(await ctx.readTensor(outs.big)), bigValues, `round ${round} big`);
        const backValues = bigValues.map(Math.fround);
        sameValues(new Float32Array(await ctx.readTensor(outs.back)), backValues, `round ${round} back`);
        sameValues(new Float32Array(await ctx.readTensor(outs.squared)), backValues.map((v) => Math.fround(v * v)),
          `round ${round} squared`);
        if (tf.getBackend() !== active) throw new Error(`round ${round}: TF.js left on ${tf.getBackend()}, not ${active}`);
      }
    });
    if (moves !== 0) throw new Error(`the engine moved tensor data ${moves} times`);
    const tensorsAfter = tf.memory().numTensors;
    if (tensorsAfter !== tensorsBefore) throw new Error(`numTensors ${tensorsBefore} -> ${tensorsAfter} after 20 dispatches`);
    for (const d of [graph, txf, tidx, ...Object.values(outs)]) d.destroy();
  });

  it('steps are grouped by backend: a float32 chain with int32 work hanging off every link switches backends at most twice (four on webgpu)', async () => {
    // Recorded order alternates float32 and int32 steps: f[k] = f[k-1] * 2, sum += cast(f[k], int32).
    const b = newBuilder(ctx);
    let f = b.input('f', { dataType: 'float32', shape: [3] });
    let sum = b.cast(f, 'int32');
    for (let k = 0; k < 5; k++) {
      f = b.add(f, f);
      sum = b.add(sum, b.cast(f, 'int32'));
    }
    const graph = await b.build({ sum, f });
    const x = [3.5, -1.25, 600000000];
    const [tx, of32, oi32] = await Promise.all([
      ctx.createTensor({ dataType: 'float32', shape: [3], writable: true }),
      ctx.createTensor({ dataType: 'float32', shape: [3], readable: true }), ctx.createTensor({ ...int32Desc([3]), readable: true })]);
    ctx.writeTensor(tx, Float32Array.from(x));
    await ctx.readTensor(oi32);
    const switches = await countingSwitches(async () => {
      ctx.dispatch(graph, { f: tx }, { f: of32, sum: oi32 });
      await ctx.readTensor(oi32);
    });
    // On webgpu the values moved to the cpu backend are read asynchronously, all at one wait, around which the
    // backend active before the dispatch is put back.
    if (switches > (backend === 'webgpu' ? 4 : 2)) throw new Error(`${switches} backend switches in one dispatch`);
    sameValues(new Float32Array(await ctx.readTensor(of32)), x.map((v) => v * 32), 'float chain');
    // Each link saturates to the int32 range (cast), then the sum wraps.
    const links = [0, 1, 2, 3, 4, 5].map((k) => x.map((v) => Math.max(-2147483648, Math.min(2147483647, Math.trunc(v * 2 ** k)))));
    const expected = x.map((_, n) => links.reduce((acc, link) => addRef(acc, link[n]!), 0));
    sameValues(new Int32Array(await ctx.readTensor(oi32)), expected, 'int32 sum');
    for (const d of [graph, tx, of32, oi32]) d.destroy();
  });
});
