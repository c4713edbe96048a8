/**
 * Operations that move int64 elements on the host (ops/host-kernels.ts byPositions) across dispatches of one graph:
 * where each element comes from is worked out from the shapes and the other inputs (indices, conditions), and kept
 * for the next dispatch, which must still follow new values of those inputs. Held to references written here.
 */
import { builderFor, contextFor, forEachBackend } from '../util/harness.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;

const DATA = [2n ** 62n + 1n, -(2n ** 53n) - 1n, -(2n ** 63n), 2n ** 63n - 1n, 5n, -7n];
const OTHER = [11n, -12n, 13n, -(2n ** 60n), 15n, 16n];

function same(actual: BigInt64Array, expected: readonly bigint[], what: string): void {
  if (actual.length !== expected.length || actual.some((v, i) => v !== expected[i])) {
    throw new Error(`${what}: [${actual.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

forEachBackend('int64 element moves across dispatches', (backend) => {
  it('gather follows its indices and where its condition, dispatch after dispatch', async () => {
    const ctx = await contextFor(backend);
    const b = (await builderFor(backend)) as Builder;
    const x = b.input('x', { dataType: 'int64', shape: [2, 3] });
    const y = b.input('y', { dataType: 'int64', shape: [2, 3] });
    const indices = b.input('indices', { dataType: 'int32', shape: [2] });
    const condition = b.input('condition', { dataType: 'uint8', shape: [3] });
    const graph = await b.build({ gathered: b.gather(x, indices, { axis: 1 }), chosen: b.where(condition, x, y) });
    const tensor = (dataType: MLOperandDataType, shape: number[], writable: boolean) =>
      ctx.createTensor({ dataType, shape, writable, readable: !writable });
    const [xt, yt, it, ct] = await Promise.all([tensor('int64', [2, 3], true), tensor('int64', [2, 3], true),
      tensor('int32', [2], true), tensor('uint8', [3], true)]);
    const [gt, wt] = await Promise.all([tensor('int64', [2, 2], false), tensor('int64', [2, 3], false)]);
    ctx.writeTensor(xt, BigInt64Array.from(DATA));
    ctx.writeTensor(yt, BigInt64Array.from(OTHER));
    const runs: [number[], number[]][] = [[[2, 0], [1, 0, 1]], [[2, 0], [1, 0, 1]], [[1, 1], [0, 0, 1]], [[0, -1], [1, 1, 0]], [[2, 0], [1, 0, 1]]];
    for (const [k, [index, chosen]] of runs.entries()) {
      ctx.writeTensor(it, Int32Array.from(index));
      ctx.writeTensor(ct, Uint8Array.from(chosen));
      ctx.dispatch(graph, { x: xt, y: yt, indices: it, condition: ct }, { gathered: gt, chosen: wt });
      // WebNN leaves out-of-range indices to the implementation; -1 counts from the end here, as the polyfill does.
      const column = (j: number) => (j < 0 ? j + 3 : j);
      const gathered = [0, 1].flatMap((row) => index.map((j) => DATA[row * 3 + column(j)]!));
      const expectedChoice = DATA.map((v, i) => (chosen[i % 3] ? v : OTHER[i]!));
      same(new BigInt64Array(await ctx.readTensor(gt)), gathered, `dispatch ${k}: gather by [${index}]`);
      same(new BigInt64Array(await ctx.readTensor(wt)), expectedChoice, `dispatch ${k}: where [${chosen}]`);
    }
    for (const t of [xt, yt, it, ct, gt, wt]) t.destroy();
    graph.destroy();
  });
});
