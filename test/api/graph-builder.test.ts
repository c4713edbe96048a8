/**
 * MLGraphBuilder per the spec's algorithms: constructor, input(), the three constant() overloads and build(): the
 * errors (and their order), "can build", pruning to the inputs the outputs reach, constant tensors kept alive.
 */
import { assertThrows, forEachBackend } from '../util/harness.js';
import type { MLContext, MLGraphBuilder, MLOperand } from '../../src/index.js';
import { newBuilder, newContext, readFloat32 } from './api-util.js';

const f32 = (shape: number[]) => ({ dataType: 'float32' as const, shape });

function throwsNow(fn: () => unknown, name: string, messagePart?: string): void {
  let error: Error | undefined;
  try {
    fn();
  } catch (e) {
    error = e as Error;
  }
  if (!error) throw new Error(`expected ${name}, nothing was thrown`);
  if (error.name !== name) throw new Error(`expected ${name}, got ${error.name}: ${error.message}`);
  if (messagePart !== undefined && !error.message.includes(messagePart)) {
    throw new Error(`message '${error.message}' does not mention '${messagePart}'`);
  }
}

async function rejects(fn: () => Promise<unknown>, name: string, messagePart?: string): Promise<void> {
  let p: Promise<unknown>;
  try {
    p = fn();
  } catch (e) {
    throw new Error(`expected a rejected promise, the call threw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
  }
  await assertThrows(() => p, name, messagePart);
}

/** Runs a graph of float32 inputs and returns each output's values. */
async function run(ctx: MLContext, graphOutputs: Record<string, number[]>, build: () => Promise<{ graph: import('../../src/index.js').MLGraph;
  inputs: Record<string, number[]> }>): Promise<Record<string, number[]>> {
  const { graph, inputs } = await build();
  const inTensors: Record<string, import('../../src/index.js').MLTensor> = {};
  for (const [name, data] of Object.entries(inputs)) {
    const t = await ctx.createTensor({ ...f32([data.length]), writable: true });
    ctx.writeTensor(t, new Float32Array(data));
    inTensors[name] = t;
  }
  const outTensors: Record<string, import('../../src/index.js').MLTensor> = {};
  for (const [name, shape] of Object.entries(graphOutputs)) {
    outTensors[name] = await ctx.createTensor({ ...f32(shape), readable: true });
  }
  ctx.dispatch(graph, inTensors, outTensors);
  const result: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(outTensors)) result[name] = await readFloat32(ctx, t);
  for (const t of [...Object.values(inTensors), ...Object.values(outTensors)]) t.destroy();
  graph.destroy();
  return result;
}

forEachBackend('MLGraphBuilder', (backend) => {
  let ctx: MLContext;
  before(async () => {
    ctx = await newContext(backend);
  });

  describe('constructor', () => {
    it('throws TypeError without an MLContext, InvalidStateError for a lost one', async () => {
      const Builder = (globalThis as unknown as { MLGraphBuilder: new (...a: unknown[]) => MLGraphBuilder }).MLGraphBuilder;
      throwsNow(() => new Builder(), 'TypeError', '1 argument');
      throwsNow(() => new Builder({}), 'TypeError', 'MLContext');
      throwsNow(() => (Builder as unknown as () => void)(), 'TypeError');
      const lost = await newContext(backend);
      lost.destroy();
      throwsNow(() => new Builder(lost), 'InvalidStateError', 'lost');
    });
  });

  describe('input', () => {
    it('makes an operand with the descriptor; scalars and the legacy `dimensions` are accepted', () => {
      const b = newBuilder(ctx);
      const x = b.input('x', f32([2, 3]));
      if (x.dataType !== 'float32' || x.shape.join() !== '2,3' || !Object.isFrozen(x.shape)) throw new Error('operand');
      const s = b.input('s', { dataType: 'int32', shape: [] });
      if (s.shape.length !== 0) throw new Error('scalar');
      const legacy = b.input('legacy', { dataType: 'float16', dimensions: [5] } as never);
      if (legacy.shape.join() !== '5' || legacy.dataType !== 'float16') throw new Error('dimensions');
    });

    it('throws TypeError: empty or duplicate name, invalid dimensions, unsupported data type, bad descriptor', () => {
      const b = newBuilder(ctx);
      b.input('x', f32([2]));
      throwsNow(() => b.input('', f32([2])), 'TypeError', 'empty');
      throwsNow(() => b.input('x', f32([3])), 'TypeError', '\'x\'');
      throwsNow(() => b.input('y', f32([2, 0])), 'TypeError', 'shape[1]');
      throwsNow(() => b.input('y', f32([2 ** 31])), 'TypeError', 'shape[0]');
      throwsNow(() => b.input('y', f32([1, 1, 1, 1, 1, 1, 1, 1, 1])), 'TypeError', 'rank');
      throwsNow(() => b.input('y', { dataType: 'bfloat16', shape: [2] } as never), 'TypeError', 'dataType');
      throwsNow(() => b.input('y', { dataType: 'float32' } as never), 'TypeError', 'shape');
    });
  });

  describe('constant', () => {
    it('constant(descriptor, buffer) copies the bytes at the call; any view of the type, Uint8Array, ArrayBuffer', async () => {
      const b = newBuilder(ctx);
      const data = new Float32Array([1, 2]);
      const c1 = b.constant(f32([2]), data);
      data[0] = 50;
      const c2 = b.constant(f32([2]), new Uint8Array(new Float32Array([10, 20]).buffer));
      const c3 = b.constant(f32([2]), new Float32Array([100, 200]).buffer);
      const x = b.input('x', f32([2]));
      const result = await run(ctx, { out: [2] }, async () => ({
        graph: await b.build({ out: b.add(b.add(b.add(x, c1), c2), c3) }), inputs: { x: [0.5, 0.25] },
      }));
      if (result['out']!.join() !== '111.5,222.25') throw new Error(`${result['out']}`);
    });

    it('constant(descriptor, buffer) throws TypeError for invalid dimensions and buffers', () => {
      const b = newBuilder(ctx);
      throwsNow(() => b.constant(f32([0]), new Float32Array(0)), 'TypeError', 'shape[0]');
      throwsNow(() => b.constant(f32([2]), new Float32Array(3)), 'TypeError', 'buffer');
      throwsNow(() => b.constant(f32([2]), new Int32Array(2)), 'TypeError', 'Int32Array');
      throwsNow(() => b.constant({ dataType: 'float16', shape: [2] }, new Int16Array(2)), 'TypeError', 'Int16Array');
      throwsNow(() => b.constant({ dataType: 'int64', shape: [1] }, new BigUint64Array(1)), 'TypeError', 'BigUint64Array');
      throwsNow(() => b.constant(f32([2]), [1, 2] as never), 'TypeError', 'buffer');
      throwsNow(() => b.constant(null as never, new Float32Array(2)), 'TypeError', 'descriptor');
      throwsNow(() => (b.constant as (...a: unknown[]) => MLOperand)(), 'TypeError', '1 argument');
    });

    it('constant(dataType, value) casts the value to the type as a scalar', async () => {
      const b = newBuilder(ctx);
      const cases: [string, number | bigint, number][] = [
        ['float32', 0.1, Math.fround(0.1)],
        ['int32', 2.5, 2], ['int32', 3.5, 4], ['int32', -2.5, -2], ['int32', 1e12, 2147483647], ['int32', NaN, 0],
        ['int8', 300, 127], ['int8', -300, -128], ['uint8', -5, 0], ['uint8', 255.5, 255], ['int32', 7n, 7],
      ];
      const addTypes = ctx.opSupportLimits().add!.a.dataTypes as string[];
      for (const [dataType, value, expected] of cases) {
        const c = b.constant(dataType as 'int32', value);
        if (c.shape.length !== 0 || c.dataType !== dataType) throw new Error(`${dataType} scalar`);
        if (!addTypes.includes(dataType)) {
          // The value is read back through add(); where add() does not take the type, it must say so.
          await assertThrows(() => newBuilderGraph(ctx, dataType, value), 'TypeError', dataType);
          continue;
        }
        const graph = await newBuilderGraph(ctx, dataType, value);
        const out = await ctx.createTensor({ dataType: dataType as 'int32', shape: [], readable: true });
        ctx.dispatch(graph, {}, { out });
        const buffer = await ctx.readTensor(out);
        const actual = dataType === 'float32' ? new Float32Array(buffer)[0] : dataType === 'int32' ? new Int32Array(buffer)[0]
          : dataType === 'int8' ? new Int8Array(buffer)[0] : new Uint8Array(buffer)[0];
        if (actual !== expected) throw new Error(`constant('${dataType}', ${value}) = ${actual}, expected ${expected}`);
        graph.destroy();
        out.destroy();
      }
      throwsNow(() => b.constant('float64' as never, 1), 'TypeError', 'dataType');
      throwsNow(() => b.constant('float32', Symbol('x') as never), 'TypeError', 'value');
    });

    it('constant(tensor): TypeErrors for other context, destroyed, non-constant tensors come before InvalidStateError', async () => {
      const other = await newContext(backend);
      const theirs = await other.createConstantTensor(f32([2]), new Float32Array(2));
      const plain = await ctx.createTensor(f32([2]));
      const dead = await ctx.createConstantTensor(f32([2]), new Float32Array(2));
      dead.destroy();
      const b = newBuilder(ctx);
      throwsNow(() => b.constant(theirs), 'TypeError', 'another MLContext');
      throwsNow(() => b.constant(dead), 'TypeError', 'destroyed');
      throwsNow(() => b.constant(plain), 'TypeError', 'createConstantTensor');
      throwsNow(() => b.constant({} as never), 'TypeError', 'MLTensor');
      const x = b.input('x', f32([2]));
      await b.build({ out: b.add(x, x) });
      throwsNow(() => b.constant(dead), 'TypeError', 'destroyed');
      const good = await ctx.createConstantTensor(f32([2]), new Float32Array(2));
      throwsNow(() => b.constant(good), 'InvalidStateError', 'build()');
      for (const t of [theirs, plain, good]) t.destroy();
      other.destroy();
    });

    it('constant(tensor): the graph keeps the data after MLTensor.destroy(); build rejects if destroyed before', async () => {
      const tensor = await ctx.createConstantTensor(f32([3]), new Float32Array([1, 2, 3]));
      const b = newBuilder(ctx);
      const c = b.constant(tensor);
      const x = b.input('x', f32([3]));
      const graph = await b.build({ out: b.mul(x, c) });
      tensor.destroy();
      const result = await run(ctx, { out: [3] }, async () => ({ graph, inputs: { x: [2, 2, 2] } }));
      if (result['out']!.join() !== '2,4,6') throw new Error(`${result['out']}`);

      const early = await ctx.createConstantTensor(f32([3]), new Float32Array([1, 2, 3]));
      const b2 = newBuilder(ctx);
      const c2 = b2.constant(early);
      const y = b2.input('y', f32([3]));
      early.destroy();
      await rejects(() => b2.build({ out: b2.mul(y, c2) }), 'TypeError', 'destroyed');
    });
  });

  describe('build', () => {
    it('rejects (does not throw) TypeError for invalid outputs', async () => {
      const b = newBuilder(ctx);
      const other = newBuilder(ctx);
      const x = b.input('x', f32([2]));
      const c = b.constant(f32([2]), new Float32Array(2));
      const sum = b.add(x, c);
      const foreign = other.add(other.input('x', f32([2])), other.input('y', f32([2])));
      await rejects(() => b.build({}), 'TypeError', 'empty');
      await rejects(() => b.build({ '': sum }), 'TypeError', 'name');
      await rejects(() => b.build({ out: foreign }), 'TypeError', 'another MLGraphBuilder');
      await rejects(() => b.build({ out: x }), 'TypeError', 'input');
      await rejects(() => b.build({ out: c }), 'TypeError', 'constant');
      await rejects(() => b.build({ out: 5 as never }), 'TypeError', 'MLOperand');
      await rejects(() => b.build(null as never), 'TypeError', 'outputs');
      await rejects(() => (b.build as (...a: unknown[]) => Promise<unknown>)(), 'TypeError', '1 argument');
      // None of these counted as a build: the builder still can.
      const graph = await b.build({ out: sum });
      graph.destroy();
    });

    it('after build(): every builder method throws InvalidStateError and a second build() rejects it', async () => {
      const b = newBuilder(ctx);
      const x = b.input('x', f32([2]));
      const y = b.add(x, x);
      const graph = await b.build({ y });
      throwsNow(() => b.input('z', f32([2])), 'InvalidStateError', 'build()');
      throwsNow(() => b.constant(f32([2]), new Float32Array(2)), 'InvalidStateError', 'build()');
      throwsNow(() => b.constant('float32', 1), 'InvalidStateError', 'build()');
      throwsNow(() => b.add(x, x), 'InvalidStateError', 'build()');
      throwsNow(() => b.mul(y, y), 'InvalidStateError', 'build()');
      // Argument conversion comes first: a non-MLOperand is a TypeError even on a built builder.
      throwsNow(() => b.add({} as never, x), 'TypeError', 'MLOperand');
      throwsNow(() => b.relu(42 as never), 'TypeError', 'MLOperand');
      await rejects(() => b.build({ y }), 'InvalidStateError', 'build()');
      // The InvalidStateError comes before the output checks.
      await rejects(() => b.build({}), 'InvalidStateError');
      graph.destroy();
    });

    it('marks the builder built synchronously: a build() right after another rejects', async () => {
      const b = newBuilder(ctx);
      const x = b.input('x', f32([2]));
      const y = b.add(x, x);
      const first = b.build({ y });
      const second = b.build({ y });
      await assertThrows(() => second, 'InvalidStateError');
      (await first).destroy();
    });

    it('binds only the inputs the outputs reach', async () => {
      const b = newBuilder(ctx);
      const a = b.input('a', f32([2]));
      const unused = b.input('unused', f32([2]));
      b.add(unused, unused); // a branch no output needs
      const graph = await b.build({ out: b.mul(a, a) });
      const ta = await ctx.createTensor({ ...f32([2]), writable: true });
      const tu = await ctx.createTensor(f32([2]));
      const out = await ctx.createTensor({ ...f32([2]), readable: true });
      throwsNow(() => ctx.dispatch(graph, { a: ta, unused: tu }, { out }), 'TypeError', 'inputs binds 2');
      ctx.writeTensor(ta, new Float32Array([3, -4]));
      ctx.dispatch(graph, { a: ta }, { out });
      if ((await readFloat32(ctx, out)).join() !== '9,16') throw new Error('wrong result');
      for (const d of [graph, ta, tu, out]) d.destroy();
    });

    it('gives every output name its own result, even for one operand under two names', async () => {
      const b = newBuilder(ctx);
      const x = b.input('x', f32([2]));
      const y = b.add(x, x);
      const graph = await b.build({ first: y, second: y });
      const tx = await ctx.createTensor({ ...f32([2]), writable: true });
      const t1 = await ctx.createTensor({ ...f32([2]), readable: true });
      const t2 = await ctx.createTensor({ ...f32([2]), readable: true });
      ctx.writeTensor(tx, new Float32Array([1, 2]));
      ctx.dispatch(graph, { x: tx }, { first: t1, second: t2 });
      t1.destroy();
      if ((await readFloat32(ctx, t2)).join() !== '2,4') throw new Error('second output');
      for (const d of [graph, tx, t2]) d.destroy();
    });

    it('computes a graph of constants only (folded at build) afresh for each dispatch', async () => {
      const b = newBuilder(ctx);
      const c = b.constant(f32([2]), new Float32Array([1.5, 2.5]));
      const graph = await b.build({ out: b.mul(c, c) });
      const out = await ctx.createTensor({ ...f32([2]), readable: true });
      for (let i = 0; i < 2; i++) {
        ctx.dispatch(graph, {}, { out });
        if ((await readFloat32(ctx, out)).join() !== '2.25,6.25') throw new Error('constant graph');
      }
      graph.destroy();
      out.destroy();
    });
  });

  describe('operations', () => {
    it('validate operands: a non-MLOperand or another builder\'s operand is a TypeError naming the op', () => {
      const b = newBuilder(ctx);
      const other = newBuilder(ctx);
      const x = b.input('x', f32([2]));
      const y = other.input('y', f32([2]));
      throwsNow(() => b.add(x, y), 'TypeError', 'add');
      throwsNow(() => b.add(x, {} as never), 'TypeError', 'add');
      throwsNow(() => (b.add as (...a: unknown[]) => MLOperand)(x), 'TypeError', '2 arguments');
      // The label names the node in messages in brackets, as browsers write it, with bidi controls removed.
      let message = '';
      try {
        b.add(x, y, { label: 'my\u202Eadd' });
      } catch (e) {
        message = (e as Error).message;
      }
      if (!message.includes('add [myadd]') || message.includes('\u202E')) throw new Error(`label in '${message}'`);
      throwsNow(() => b.reshape(x, [3], { label: 'too many' }), 'TypeError', 'reshape [too many]: newShape');
    });
  });
});

/** A graph whose only output is constant(dataType, value) + 0 (constants cannot be outputs themselves). */
async function newBuilderGraph(ctx: MLContext, dataType: string, value: number | bigint) {
  const b = newBuilder(ctx);
  const c = b.constant(dataType as 'int32', value);
  const zero = b.constant(dataType as 'int32', 0);
  return b.build({ out: b.add(c, zero) });
}
