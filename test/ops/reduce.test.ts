import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size, strides } from '../util/harness.js';
import { kernelsOf } from '../graph/passes/pass-test-util.js';

type Reduce = (input: MLOperand, options?: object) => MLOperand;
const reduceOf = (b: MLGraphBuilder, op: string) => (b as unknown as Record<string, Reduce>)[op]!.bind(b);

/** float64 reductions of a list of values; integer ones wrap to int32 like two's complement hardware. */
const REFERENCE: Record<string, (values: number[], isInt: boolean) => number> = {
  reduceL1: (v, isInt) => (isInt ? wrapSum(v.map(Math.abs)) : v.reduce((s, x) => s + Math.abs(x), 0)),
  reduceL2: (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)),
  reduceLogSum: (v) => Math.log(v.reduce((s, x) => s + x, 0)),
  reduceLogSumExp: (v) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0)),
  reduceMax: (v) => Math.max(...v),
  reduceMean: (v) => v.reduce((s, x) => s + x, 0) / v.length,
  reduceMin: (v) => Math.min(...v),
  reduceProduct: (v) => v.reduce((s, x) => s * x, 1),
  reduceSum: (v, isInt) => (isInt ? wrapSum(v) : v.reduce((s, x) => s + x, 0)),
  reduceSumSquare: (v, isInt) => (isInt ? wrapSumSquare(v) : v.reduce((s, x) => s + x * x, 0)),
};

function wrapSum(values: readonly number[]): number {
  return Number(BigInt.asIntN(32, values.reduce((s, x) => s + BigInt(x), 0n)));
}

function wrapSumSquare(values: readonly number[]): number {
  return Number(BigInt.asIntN(32, values.reduce((s, x) => s + BigInt(x) * BigInt(x), 0n)));
}

/** Groups the input values by output position and reduces each group. */
function reduceReference(op: string, data: readonly number[], shape: readonly number[], axes: readonly number[] | undefined,
  keep: boolean, isInt: boolean) {
  const reduced = axes ?? shape.map((_, i) => i);
  const keptShape = shape.map((d, i) => (reduced.includes(i) ? 1 : d));
  const outShape = keep ? keptShape : shape.filter((_, i) => !reduced.includes(i));
  const groups: number[][] = Array.from({ length: size(keptShape) }, () => []);
  const inStrides = strides(shape);
  const keptStrides = strides(keptShape);
  for (let i = 0; i < data.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(i / inStrides[d]!) % shape[d]!;
      if (!reduced.includes(d)) o += c * keptStrides[d]!;
    }
    groups[o]!.push(data[i]!);
  }
  return { shape: outShape, data: groups.map((g) => REFERENCE[op]!(g, isInt)) };
}

const OPS = Object.keys(REFERENCE);
const FLOAT_ONLY = new Set(['reduceL2', 'reduceLogSum', 'reduceLogSumExp', 'reduceMean', 'reduceProduct']);
/** Sums of same-signed values have no cancellation, so float32's relative error stays within the default tolerance. */
const POSITIVE_ONLY = new Set(['reduceLogSum', 'reduceMean', 'reduceProduct', 'reduceSum']);

const cases: [number[], number[] | undefined, boolean][] = [
  [[], undefined, false], [[], [], true], [[5], undefined, false], [[5], [0], true], [[5], [], false],
  [[2, 3, 4], undefined, true], [[2, 3, 4], [1], false], [[2, 3, 4], [0, 2], false], [[2, 3, 4], [2, 0], true],
  [[2, 3, 4], [], true], [[2, 1, 3, 2, 2], [1, 3, 4], true], [[2, 1, 3, 2, 2], [0, 2], false],
  // A run of axes before others (reduceMean's own kernel on cpu and wasm: rows of 9 and 6 values, four at a time).
  [[2, 5, 3, 9], [1, 2], false], [[3, 7, 6], [0, 1], true],
];

forEachBackend('reduction', (backend) => {
  for (const op of OPS) {
    const types: MLOperandDataType[] = FLOAT_ONLY.has(op) ? ['float32', 'float16']
      : op === 'reduceMax' || op === 'reduceMin' ? ['float32', 'float16', 'int32', 'int8', 'uint8'] : ['float32', 'float16', 'int32'];
    for (const dataType of types) {
      const isInt = !dataType.startsWith('float');
      for (const [shape, axes, keepDimensions] of cases) {
        it(`${op} ${dataType} [${shape}] axes ${axes ? `[${axes}]` : 'default'} keepDimensions ${keepDimensions}`, async () => {
          const [lo, hi] = isInt ? (dataType === 'uint8' ? [0, 255] : dataType === 'int8' ? [-128, 127] : [-1000, 1000])
            : POSITIVE_ONLY.has(op) ? [0.5, 2] : [-2, 2];
          const data = representable(randomData(size(shape), 61, lo, hi), dataType);
          const options = { ...(axes ? { axes } : {}), keepDimensions };
          const expected = reduceReference(op, data, shape, axes, keepDimensions, isInt);
          const result = await runGraph(backend, { x: { dataType, shape, data } }, (b, { x }) => ({ out: reduceOf(b, op)(x!, options) }));
          assertClose(result['out']!, dataType === 'float16' ? { ...expected, data: representable(expected.data, 'float16') } : expected);
        });
      }
    }
  }

  it('reduceMean over a run of axes before others is one kernel of ours on cpu and wasm, NaN kept', async () => {
    const shape = [2, 4, 3, 6];
    const data = randomData(size(shape), 17, -2, 2);
    data[5] = Number.NaN;
    const inputs = { x: { dataType: 'float32' as const, shape, data } };
    const build = (b: MLGraphBuilder, { x }: Record<string, MLOperand>) => ({ out: reduceOf(b, 'reduceMean')(x!, { axes: [1, 2] }) });
    const expected = reduceReference('reduceMean', data, shape, [1, 2], false, false);
    const result = await runGraph(backend, inputs, build);
    assertClose(result['out']!, expected);
    if (!Number.isNaN(result['out']!.data[5]) || Number.isNaN(result['out']!.data[4])) throw new Error('NaN not kept to its channel');
    const kernels = (await kernelsOf(backend, inputs, (b, o) => build(b as unknown as MLGraphBuilder, o))).join();
    const wanted = backend === 'cpu' || backend === 'wasm' ? 'WebNNMeanOfRows' : 'Mean';
    if (kernels !== wanted) throw new Error(`kernels: ${kernels}`);
  });

  it('int32 sums wrap around exactly', async () => {
    const data = [2147483647, 1, 46341, -46341, 123456789, -2147483648, 987654321, 65535, -65536, 3];
    for (const op of ['reduceSum', 'reduceL1', 'reduceSumSquare']) {
      const result = await runGraph(backend, { x: { dataType: 'int32', shape: [2, 5], data } },
        (b, { x }) => ({ all: reduceOf(b, op)(x!), rows: reduceOf(b, op)(x!, { axes: [1] }), none: reduceOf(b, op)(x!, { axes: [] }) }));
      assertClose(result['all']!, reduceReference(op, data, [2, 5], undefined, false, true), undefined, `${op} all`);
      assertClose(result['rows']!, reduceReference(op, data, [2, 5], [1], false, true), undefined, `${op} rows`);
      assertClose(result['none']!, reduceReference(op, data, [2, 5], [], false, true), undefined, `${op} none`);
    }
  });

  it('int32 max and min are exact', async () => {
    const data = [2147483647, 2147483646, -2147483648, -2147483647, 16777217, 16777216];
    const result = await runGraph(backend, { x: { dataType: 'int32', shape: [3, 2], data } },
      (b, { x }) => ({ max: reduceOf(b, 'reduceMax')(x!, { axes: [1] }), min: reduceOf(b, 'reduceMin')(x!, { axes: [1] }) }));
    assertClose(result['max']!, { shape: [3], data: [2147483647, -2147483647, 16777217] });
    assertClose(result['min']!, { shape: [3], data: [2147483646, -2147483648, 16777216] });
  });

  it('reduceLogSumExp is stable for large inputs and infinities', async () => {
    const data = [1000, 1000, -1000, -Infinity, -Infinity, -Infinity, Infinity, 0, 1];
    const result = await runGraph(backend, { x: { dataType: 'float32', shape: [3, 3], data } },
      (b, { x }) => ({ out: reduceOf(b, 'reduceLogSumExp')(x!, { axes: [1] }) }));
    assertClose(result['out']!, { shape: [3], data: [1000 + Math.log(2), -Infinity, Infinity] });
  });

  it('rejects invalid axes and data types', async () => {
    const b = await builderFor(backend);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    for (const op of OPS) {
      await assertThrows(() => reduceOf(b, op)(x, { axes: [0, 0] }), 'TypeError', op);
      await assertThrows(() => reduceOf(b, op)(x, { axes: [2] }), 'TypeError', op);
      await assertThrows(() => reduceOf(b, op)(x, { axes: [-1] }), 'TypeError', op);
      await assertThrows(() => reduceOf(b, op)(x, { axes: 1 }), 'TypeError', op);
    }
    const i = b.input('i', { dataType: 'int32', shape: [2, 3] });
    for (const op of FLOAT_ONLY) await assertThrows(() => reduceOf(b, op)(i), 'TypeError', op);
    const u = b.input('u', { dataType: 'uint8', shape: [2, 3] });
    for (const op of ['reduceSum', 'reduceL1', 'reduceSumSquare', 'reduceMean']) await assertThrows(() => reduceOf(b, op)(u), 'TypeError', op);
  });
});
