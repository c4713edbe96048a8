/** uint32, int64 and uint64 graph inputs, outputs, constants and MLTensors: every bit kept (values beyond 2^53). */
import { contextFor, forEachBackend } from '../util/harness.js';
import { assertExact, assertTrue, exactArrayFor, exactConstant, exactFrom, runExact, type ExactValue } from '../util/exact.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';

type Method = (...args: unknown[]) => MLOperand;
const call = (builder: unknown, op: string, ...args: unknown[]) => (builder as Record<string, Method>)[op]!.call(builder, ...args);

const VALUES: Record<'int64' | 'uint64' | 'uint32', ExactValue> = {
  int64: {
    dataType: 'int64', shape: [2, 4],
    data: [0n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 0x123456789abcdefn, -0x7edcba9876543210n],
  },
  uint64: {
    dataType: 'uint64', shape: [4, 2],
    data: [0n, 1n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n, 0xfedcba9876543210n, 2n ** 32n, 7n],
  },
  uint32: { dataType: 'uint32', shape: [8], data: [0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 31 + 7, 255, 65536, 3000000000] },
};

forEachBackend('uint32/int64/uint64 tensors and graphs', (backend) => {
  for (const value of Object.values(VALUES)) {
    const t = value.dataType;
    it(`${t}: writeTensor then readTensor keeps every bit`, async () => {
      const ctx = await contextFor(backend);
      const tensor = await ctx.createTensor({ dataType: t, shape: value.shape, readable: true, writable: true });
      assertExact(exactFrom(await ctx.readTensor(tensor), t), value.data.map(() => (t === 'uint32' ? 0 : 0n)));
      ctx.writeTensor(tensor, exactArrayFor(value) as Uint8Array);
      assertExact(exactFrom(await ctx.readTensor(tensor), t), value.data);
      const into = new Uint8Array(value.data.length * (t === 'uint32' ? 4 : 8));
      await ctx.readTensor(tensor, into);
      assertExact(exactFrom(into.buffer, t), value.data);
      tensor.destroy();
    });

    it(`${t}: graph input -> output (cast to itself), and a constant`, async () => {
      const result = await runExact(backend, { x: value }, (b, { x }) => ({
        out: call(b, 'cast', x, t),
        c: call(b, 'cast', exactConstant(b, value), t),
      }));
      assertExact(result['out']!.data, value.data);
      assertExact(result['c']!.data, value.data);
    });

    it(`${t}: createConstantTensor feeds a graph`, async () => {
      const ctx = await contextFor(backend);
      const constant = await ctx.createConstantTensor({ dataType: t, shape: value.shape }, exactArrayFor(value) as Uint8Array);
      const result = await runExact(backend, {}, (b) => ({ out: call(b, 'cast', b.constant(constant), t) }));
      constant.destroy();
      assertExact(result['out']!.data, value.data);
    });
  }

  it('int64 tensors dispatched again after writes: outputs follow the new inputs, the input tensor is unchanged', async () => {
    const ctx = await contextFor(backend);
    const b = new (globalThis as unknown as { MLGraphBuilder: new (c: unknown) => unknown }).MLGraphBuilder(ctx);
    const x = call(b, 'input', 'x', { dataType: 'int64', shape: [2] });
    const graph = await (b as { build(o: object): Promise<{ destroy(): void }> }).build({
      sum: call(b, 'add', x, call(b, 'constant', 'int64', 2n ** 60n)),
      same: call(b, 'identity', x),
    });
    const input = await ctx.createTensor({ dataType: 'int64', shape: [2], writable: true, readable: true });
    const sum = await ctx.createTensor({ dataType: 'int64', shape: [2], readable: true });
    const same = await ctx.createTensor({ dataType: 'int64', shape: [2], readable: true });
    const rounds: [bigint[], bigint[]][] = [
      [[1n, 2n ** 62n], [2n ** 60n + 1n, 2n ** 62n + 2n ** 60n]],
      // 2^63 - 1 + 2^60 wraps to -2^63 + 2^60 - 1.
      [[-(2n ** 63n), 2n ** 63n - 1n], [-(2n ** 63n) + 2n ** 60n, -(2n ** 63n) + 2n ** 60n - 1n]],
    ];
    for (const [data, expectedSum] of rounds) {
      ctx.writeTensor(input, BigInt64Array.from(data));
      ctx.dispatch(graph as never, { x: input }, { sum, same });
      assertExact(exactFrom(await ctx.readTensor(sum), 'int64'), expectedSum);
      assertExact(exactFrom(await ctx.readTensor(same), 'int64'), data);
      assertExact(exactFrom(await ctx.readTensor(input), 'int64'), data);
    }
    for (const t of [input, sum, same]) t.destroy();
    graph.destroy();
  });

  it('constant(dataType, value): bigint MLNumbers kept exactly, clamped to the range', async () => {
    const cases: [MLOperandDataType, number | bigint, number | bigint][] = [
      ['int64', 2n ** 53n + 1n, 2n ** 53n + 1n],
      ['int64', -(2n ** 63n), -(2n ** 63n)],
      ['int64', 2n ** 70n, 2n ** 63n - 1n],
      ['int64', -(2n ** 70n), -(2n ** 63n)],
      ['int64', -2.5, -2n],
      ['int64', 3.5, 4n],
      ['int64', 1e300, 2n ** 63n - 1n],
      ['int64', NaN, 0n],
      ['uint64', 2n ** 64n - 1n, 2n ** 64n - 1n],
      ['uint64', -5n, 0n],
      ['uint64', 2n ** 64n, 2n ** 64n - 1n],
      ['uint32', 2 ** 32 - 1, 2 ** 32 - 1],
      ['uint32', 2n ** 31n + 3n, 2 ** 31 + 3],
      ['uint32', 2 ** 40, 2 ** 32 - 1],
      ['uint32', -1, 0],
    ];
    const result = await runExact(backend, {}, (b) => Object.fromEntries(cases.map(([t, v], i) =>
      [`o${i}`, call(b, 'cast', b.constant(t, v as number), t)])));
    cases.forEach(([, , expected], i) => assertExact(result[`o${i}`]!.data, [expected], `case ${i}`));
  });

  it('opSupportLimits advertises every data type for input, constant and output', async () => {
    const limits = (await contextFor(backend)).opSupportLimits();
    for (const member of ['input', 'constant', 'output'] as const) {
      for (const t of ['uint32', 'int64', 'uint64']) assertTrue(limits[member].dataTypes.includes(t as MLOperandDataType), `${member} ${t}`);
    }
  });
});
