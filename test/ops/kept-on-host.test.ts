/**
 * Operations whose inputs a plan computed on the host (from int64 values) run there too, whatever their own types,
 * where their host lowering computes those types (ops/host-kernels.ts takesAnyType): comparisons, uint8 logic and
 * element moves of uint8 and float32 values. Held to references written here, dispatch after dispatch; a graph made
 * only of such operations runs no TF.js kernel.
 */
import { builderFor, contextFor, forEachBackend } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;

const INPUTS: readonly (readonly bigint[])[] = [
  [3n, -1n, 2n ** 40n, 0n],
  [-(2n ** 62n), 7n, 2n, 2n],
  [2n, 2n, 2n, 2n],
];

forEachBackend('operations kept on the host after int64 ones', (backend) => {
  it('logic over int64 comparisons, and comparisons and choices of values cast from int64', async () => {
    const ctx = await contextFor(backend);
    const b = (await builderFor(backend)) as Builder;
    const x = b.input('x', { dataType: 'int64', shape: [4] });
    const two = b.constant({ dataType: 'int64', shape: [] }, BigInt64Array.of(2n));
    const above = b.greater(x, two);
    const below = b.lesser(x, two);
    const real = b.cast(x, 'float32');
    const reversed = b.reverse(real);
    const graph = await b.build({
      not: b.logicalNot(b.equal(x, two)),
      and: b.logicalAnd(above, b.notEqual(x, b.constant({ dataType: 'int64', shape: [] }, BigInt64Array.of(3n)))),
      or: b.logicalOr(above, below),
      xor: b.logicalXor(above, b.greaterOrEqual(x, two)),
      larger: b.greater(real, reversed),
      chosen: b.where(below, real, reversed),
    });
    const xt = await ctx.createTensor({ dataType: 'int64', shape: [4], writable: true });
    const out = Object.fromEntries(await Promise.all(['not', 'and', 'or', 'xor', 'larger', 'chosen'].map(async (name) =>
      [name, await ctx.createTensor({ dataType: name === 'chosen' ? 'float32' : 'uint8', shape: [4], readable: true })] as const)));
    const uint8 = async (name: string) => Array.from(new Uint8Array(await ctx.readTensor(out[name]!))).join();
    for (const values of [...INPUTS, ...INPUTS]) {
      ctx.writeTensor(xt, BigInt64Array.from(values));
      ctx.dispatch(graph, { x: xt }, out);
      const bit = (f: (v: bigint, i: number) => boolean) => values.map((v, i) => (f(v, i) ? 1 : 0)).join();
      const asFloat = values.map((v) => Math.fround(Number(v)));
      const reversedFloat = [...asFloat].reverse();
      const expected: Record<string, string> = {
        not: bit((v) => v !== 2n),
        and: bit((v) => v > 2n && v !== 3n),
        or: bit((v) => v !== 2n),
        xor: bit((v) => (v > 2n) !== (v >= 2n)),
        larger: bit((_, i) => asFloat[i]! > reversedFloat[i]!),
      };
      for (const [name, want] of Object.entries(expected)) {
        const got = await uint8(name);
        if (got !== want) throw new Error(`x [${values}]: ${name} ${got}, expected ${want}`);
      }
      const chosen = Array.from(new Float32Array(await ctx.readTensor(out.chosen!))).join();
      const wantChosen = values.map((v, i) => (v < 2n ? asFloat[i]! : reversedFloat[i]!)).join();
      if (chosen !== wantChosen) throw new Error(`x [${values}]: chosen ${chosen}, expected ${wantChosen}`);
    }
    const profiled = await tf.profile(async () => {
      ctx.dispatch(graph, { x: xt }, out);
      await ctx.readTensor(out.chosen!);
    });
    const kernels = profiled.kernels.map((k) => k.name);
    if (kernels.length) throw new Error(`a dispatch ran TF.js kernels: ${kernels.join(', ')}`);
    xt.destroy();
    for (const t of Object.values(out)) t.destroy();
    graph.destroy();
  });

  // Such a graph's outputs follow from its inputs' values alone: dispatches on the same values may hand back what the
  // last one computed, but never values the caller wrote since, nor those of other inputs.
  it('dispatches again on the same, other and rewritten inputs, with the outputs written over between them', async () => {
    const ctx = await contextFor(backend);
    const b = (await builderFor(backend)) as Builder;
    const x = b.input('x', { dataType: 'int64', shape: [3] });
    const y = b.input('y', { dataType: 'int64', shape: [] });
    const graph = await b.build({ sum: b.add(x, y), equal: b.equal(x, y) });
    const xt = await ctx.createTensor({ dataType: 'int64', shape: [3], writable: true });
    const yt = await ctx.createTensor({ dataType: 'int64', shape: [], writable: true });
    const sumT = await ctx.createTensor({ dataType: 'int64', shape: [3], readable: true, writable: true });
    const equalT = await ctx.createTensor({ dataType: 'uint8', shape: [3], readable: true, writable: true });
    const steps: [string, bigint[] | null, bigint | null][] = [
      ['first', [5n, 2n, -7n], 2n],
      ['same values, outputs overwritten before', null, null],
      ['same values a third time', null, null],
      ['other x', [2n, 2n ** 50n, 0n], null],
      ['the first x again, written in place', [5n, 2n, -7n], null],
      ['other y', null, -7n],
      ['same values again', null, null],
    ];
    let xs = [0n, 0n, 0n];
    let ys = 0n;
    for (const [what, newX, newY] of steps) {
      if (newX) ctx.writeTensor(xt, BigInt64Array.from((xs = newX)));
      if (newY !== null) ctx.writeTensor(yt, BigInt64Array.of((ys = newY)));
      ctx.writeTensor(sumT, BigInt64Array.of(99n, 99n, 99n));
      ctx.writeTensor(equalT, Uint8Array.of(7, 7, 7));
      ctx.dispatch(graph, { x: xt, y: yt }, { sum: sumT, equal: equalT });
      const sum = Array.from(new BigInt64Array(await ctx.readTensor(sumT))).join();
      const equal = Array.from(new Uint8Array(await ctx.readTensor(equalT))).join();
      const wantSum = xs.map((v) => BigInt.asIntN(64, v + ys)).join();
      const wantEqual = xs.map((v) => (v === ys ? 1 : 0)).join();
      if (sum !== wantSum || equal !== wantEqual) {
        throw new Error(`${what}: sum ${sum}, equal ${equal}; expected ${wantSum}, ${wantEqual}`);
      }
    }
    for (const t of [xt, yt, sumT, equalT]) t.destroy();
    graph.destroy();
  });
});
