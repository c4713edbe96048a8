import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import {
  assertClose, assertThrows, broadcastTo, builderFor, forEachBackend, randomData, representable, runGraph, size, type TensorValue,
} from '../util/harness.js';

type Gemm = (a: MLOperand, b: MLOperand, options?: object) => MLOperand;
const gemmOf = (b: MLGraphBuilder) => (b as unknown as { gemm: Gemm }).gemm.bind(b);

interface GemmCase {
  m: number; k: number; n: number;
  aTranspose?: boolean; bTranspose?: boolean; alpha?: number; beta?: number; cShape?: number[];
}

/** alpha * A' * B' + beta * C in float64, A' and B' transposed as asked, C broadcast to [M, N]. */
function gemmReference(a: readonly number[], b: readonly number[], c: readonly number[] | null, t: GemmCase, alpha: number, beta: number) {
  const { m, k, n } = t;
  const at = (i: number, p: number) => (t.aTranspose ? a[p * m + i]! : a[i * k + p]!);
  const bt = (p: number, j: number) => (t.bTranspose ? b[j * k + p]! : b[p * n + j]!);
  const cb = c ? broadcastTo(c, t.cShape!, [m, n]) : null;
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += at(i, p) * bt(p, j);
      out.push(alpha * acc + (cb ? beta * cb[i * n + j]! : 0));
    }
  }
  return { shape: [m, n], data: out };
}

const cases: GemmCase[] = [
  { m: 2, k: 3, n: 4 },
  { m: 2, k: 3, n: 4, aTranspose: true },
  { m: 2, k: 3, n: 4, bTranspose: true },
  { m: 3, k: 2, n: 3, aTranspose: true, bTranspose: true, alpha: 0.5 },
  { m: 2, k: 3, n: 4, cShape: [2, 4] },
  { m: 2, k: 3, n: 4, cShape: [], beta: 2 },
  { m: 2, k: 3, n: 4, cShape: [4], alpha: -1.5, beta: 0.25 },
  { m: 2, k: 3, n: 4, cShape: [1, 4], bTranspose: true },
  { m: 2, k: 3, n: 4, cShape: [2, 1], aTranspose: true, beta: 0 },
  { m: 1, k: 1, n: 1, cShape: [1, 1], alpha: 3, beta: -1 },
];

forEachBackend('gemm', (backend) => {
  for (const dataType of ['float32', 'float16'] as MLOperandDataType[]) {
    for (const t of cases) {
      it(`${dataType} ${JSON.stringify(t)}`, async () => {
        const shapeA = t.aTranspose ? [t.k, t.m] : [t.m, t.k];
        const shapeB = t.bTranspose ? [t.n, t.k] : [t.k, t.n];
        const a = representable(randomData(t.m * t.k, 51, -2, 2), dataType);
        const b = representable(randomData(t.k * t.n, 53, -2, 2), dataType);
        const c = t.cShape ? representable(randomData(size(t.cShape), 57, -2, 2), dataType) : null;
        // alpha and beta are cast to the operand type.
        const [alpha, beta] = representable([t.alpha ?? 1, t.beta ?? 1], dataType);
        const expected = gemmReference(a, b, c, t, alpha!, beta!);
        const inputs: Record<string, TensorValue> = { a: { dataType, shape: shapeA, data: a }, b: { dataType, shape: shapeB, data: b } };
        if (c) inputs['c'] = { dataType, shape: t.cShape!, data: c };
        const result = await runGraph(backend, inputs, (builder, ops) => ({
          out: gemmOf(builder)(ops['a']!, ops['b']!, {
            ...(ops['c'] ? { c: ops['c'] } : {}), ...(t.alpha !== undefined ? { alpha: t.alpha } : {}),
            ...(t.beta !== undefined ? { beta: t.beta } : {}), aTranspose: t.aTranspose ?? false, bTranspose: t.bTranspose ?? false,
          }),
        }));
        assertClose(result['out']!, dataType === 'float16' ? { ...expected, data: representable(expected.data, 'float16') } : expected);
      });
    }
  }

  it('alpha 0.1 is rounded to float16 for float16 operands', async () => {
    const result = await runGraph(backend, {
      a: { dataType: 'float16', shape: [1, 1], data: [1000] }, b: { dataType: 'float16', shape: [1, 1], data: [1] },
    }, (builder, { a, b }) => ({ out: gemmOf(builder)(a!, b!, { alpha: 0.1 }) }));
    const alpha = representable([0.1], 'float16')[0]!;
    assertClose(result['out']!, { shape: [1, 1], data: representable([1000 * alpha], 'float16') }, { atol: 0, rtol: 0 });
  });

  it('rejects invalid operands and options', async () => {
    const b = await builderFor(backend);
    const g = gemmOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    const y = b.input('y', { dataType: 'float32', shape: [3, 4] });
    await assertThrows(() => g(x, b.input('w', { dataType: 'float32', shape: [2, 4] })), 'TypeError', 'gemm');
    await assertThrows(() => g(x, y, { aTranspose: true }), 'TypeError', 'gemm');
    await assertThrows(() => g(b.input('r3', { dataType: 'float32', shape: [1, 2, 3] }), y), 'TypeError', 'gemm');
    await assertThrows(() => g(x, b.input('v', { dataType: 'float32', shape: [3] })), 'TypeError', 'gemm');
    await assertThrows(() => g(x, b.input('h', { dataType: 'float16', shape: [3, 4] })), 'TypeError', 'gemm');
    await assertThrows(() => g(b.input('i', { dataType: 'int32', shape: [2, 3] }), b.input('j', { dataType: 'int32', shape: [3, 4] })),
      'TypeError', 'gemm');
    await assertThrows(() => g(x, y, { c: b.input('c1', { dataType: 'float32', shape: [3] }) }), 'TypeError', 'gemm');
    await assertThrows(() => g(x, y, { c: b.input('c2', { dataType: 'float32', shape: [4, 4] }) }), 'TypeError', 'gemm');
    await assertThrows(() => g(x, y, { c: b.input('c3', { dataType: 'float32', shape: [1, 2, 4] }) }), 'TypeError', 'gemm');
    await assertThrows(() => g(x, y, { c: b.input('c4', { dataType: 'float16', shape: [2, 4] }) }), 'TypeError', 'gemm');
    await assertThrows(() => g(x, y, { c: 1 }), 'TypeError', 'gemm');
    await assertThrows(() => g(x, y, { alpha: NaN }), 'TypeError', 'gemm');
    await assertThrows(() => g(x, y, { beta: Infinity }), 'TypeError', 'gemm');
    const other = (await builderFor(backend)).input('c', { dataType: 'float32', shape: [2, 4] });
    await assertThrows(() => g(x, y, { c: other }), 'TypeError', 'gemm');
  });
});
