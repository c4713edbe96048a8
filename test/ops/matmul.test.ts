import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size } from '../util/harness.js';
import { kernelsOf } from '../graph/passes/pass-test-util.js';

type Matmul = (a: MLOperand, b: MLOperand, options?: object) => MLOperand;
const matmulOf = (b: MLGraphBuilder) => (b as unknown as { matmul: Matmul }).matmul.bind(b);

/** Batched matrix product with numpy broadcasting of the batch dimensions, in float64. */
function matmulReference(a: readonly number[], shapeA: readonly number[], b: readonly number[], shapeB: readonly number[]) {
  const [m, k] = shapeA.slice(-2) as [number, number];
  const n = shapeB[shapeB.length - 1]!;
  const batchA = shapeA.slice(0, -2);
  const batchB = shapeB.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const padA = [...new Array<number>(rank - batchA.length).fill(1), ...batchA];
  const padB = [...new Array<number>(rank - batchB.length).fill(1), ...batchB];
  const batch = padA.map((d, i) => Math.max(d, padB[i]!));
  const out: number[] = [];
  for (let t = 0; t < size(batch); t++) {
    let ia = 0;
    let ib = 0;
    let rem = t;
    for (let d = 0; d < rank; d++) {
      const inner = size(batch.slice(d + 1));
      const c = Math.floor(rem / inner);
      rem %= inner;
      ia = ia * padA[d]! + (padA[d] === 1 ? 0 : c);
      ib = ib * padB[d]! + (padB[d] === 1 ? 0 : c);
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a[ia * m * k + i * k + p]! * b[ib * k * n + p * n + j]!;
        out.push(acc);
      }
    }
  }
  return { shape: [...batch, m, n], data: out };
}

forEachBackend('matmul', (backend) => {
  const cases: [number[], number[]][] = [
    [[2, 3], [3, 4]], [[1, 5], [5, 1]], [[2, 2, 3], [3, 4]], [[2, 3], [2, 3, 4]], [[2, 2, 3], [2, 3, 4]],
    [[2, 1, 2, 3], [3, 3, 4]], [[3, 2, 3], [2, 1, 3, 2]], [[3, 2, 3], [2, 3, 3, 2]], [[1, 2, 1, 3, 4], [2, 1, 4, 2]],
    [[2, 1, 2, 2, 3], [1, 2, 1, 3, 2]],
  ];
  for (const dataType of ['float32', 'float16'] as MLOperandDataType[]) {
    for (const [sa, sb] of cases) {
      it(`${dataType} [${sa}] x [${sb}]`, async () => {
        const a = representable(randomData(size(sa), 41, -2, 2), dataType);
        const b = representable(randomData(size(sb), 43, -2, 2), dataType);
        const expected = matmulReference(a, sa, b, sb);
        const result = await runGraph(backend, { a: { dataType, shape: sa, data: a }, b: { dataType, shape: sb, data: b } },
          (builder, { a: x, b: y }) => ({ out: matmulOf(builder)(x!, y!) }));
        assertClose(result['out']!, dataType === 'float16' ? { ...expected, data: representable(expected.data, 'float16') } : expected);
      });
    }
  }

  it('float32 products of computed operands, in batches, are one kernel of ours on wasm (16, 4 and 1 columns a step)', async () => {
    const sa = [1, 4, 6, 5];
    const sb = [1, 4, 5, 23];
    const inputs = {
      a: { dataType: 'float32' as const, shape: sa, data: representable(randomData(size(sa), 47, -2, 2), 'float32') },
      b: { dataType: 'float32' as const, shape: sb, data: representable(randomData(size(sb), 53, -2, 2), 'float32') },
    };
    const build = (builder: MLGraphBuilder, { a: x, b: y }: Record<string, MLOperand>) => ({ out: matmulOf(builder)(x!, y!) });
    const result = await runGraph(backend, inputs, build);
    assertClose(result['out']!, matmulReference(inputs.a.data, sa, inputs.b.data, sb));
    const kernels = (await kernelsOf(backend, inputs, (builder, ops) => build(builder as unknown as MLGraphBuilder, ops))).join();
    if (backend === 'wasm' && kernels !== 'WebNNBatchMatMul') throw new Error(`kernels: ${kernels}`);
  });

  it('with a constant operand', async () => {
    const a = randomData(6, 3).map(Math.fround);
    const b = randomData(12, 4).map(Math.fround);
    const result = await runGraph(backend, { a: { dataType: 'float32', shape: [2, 3], data: a } }, (builder, { a: x }) => ({
      out: matmulOf(builder)(x!, builder.constant({ dataType: 'float32', shape: [3, 4] }, Float32Array.from(b))),
    }));
    assertClose(result['out']!, matmulReference(a, [2, 3], b, [3, 4]));
  });

  it('rejects invalid operands', async () => {
    const b = await builderFor(backend);
    const m = matmulOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    await assertThrows(() => m(x, b.input('v', { dataType: 'float32', shape: [3] })), 'TypeError', 'matmul');
    await assertThrows(() => m(b.input('s', { dataType: 'float32', shape: [] }), x), 'TypeError', 'matmul');
    await assertThrows(() => m(x, b.input('w', { dataType: 'float32', shape: [2, 3] })), 'TypeError', 'matmul');
    await assertThrows(() => m(x, b.input('h', { dataType: 'float16', shape: [3, 2] })), 'TypeError', 'matmul');
    await assertThrows(() => m(b.input('i', { dataType: 'int32', shape: [2, 3] }), b.input('j', { dataType: 'int32', shape: [3, 2] })),
      'TypeError', 'matmul');
    await assertThrows(() => m(b.input('p', { dataType: 'float32', shape: [2, 2, 3] }), b.input('q', { dataType: 'float32', shape: [3, 3, 2] })),
      'TypeError', 'matmul');
  });
});
