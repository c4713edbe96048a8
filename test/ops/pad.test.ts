import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size, strides } from '../util/harness.js';

type Pad = (input: MLOperand, beginning: unknown, ending: unknown, options?: object) => MLOperand;
const padOf = (b: MLGraphBuilder) => (b as unknown as { pad: Pad }).pad.bind(b);
type Mode = 'constant' | 'edge' | 'reflection';

/** Per output coordinate: constant outside the input, else the clamped (edge) or mirrored (reflection) source. */
function padReference(data: readonly number[], shape: readonly number[], begin: readonly number[], end: readonly number[],
  mode: Mode, value: number) {
  const outShape = shape.map((d, i) => begin[i]! + d + end[i]!);
  const inStrides = strides(shape);
  const outStrides = strides(outShape);
  const out = new Array<number>(size(outShape));
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    let outside = false;
    for (let d = 0; d < shape.length; d++) {
      let i = (Math.floor(o / outStrides[d]!) % outShape[d]!) - begin[d]!;
      const n = shape[d]!;
      if (i < 0 || i >= n) {
        if (mode === 'constant') outside = true;
        else if (mode === 'edge') i = i < 0 ? 0 : n - 1;
        else i = i < 0 ? -i : 2 * (n - 1) - i;
      }
      src += i * inStrides[d]!;
    }
    out[o] = outside ? value : data[src]!;
  }
  return { shape: outShape, data: out };
}

const TYPES: MLOperandDataType[] = ['float32', 'float16', 'int32', 'int8', 'uint8'];
const rangeFor = (t: MLOperandDataType): [number, number] => (t === 'uint8' ? [0, 255] : t === 'int8' ? [-128, 127] : [-1000, 1000]);

forEachBackend('pad', (backend) => {
  const cases: [number[], number[], number[]][] = [
    [[], [], []], [[4], [2], [3]], [[4], [0], [0]], [[2, 3], [1, 2], [1, 2]], [[3, 4], [0, 3], [2, 0]],
    [[2, 3, 3], [1, 0, 2], [0, 1, 2]], [[2, 2, 3, 2, 3], [1, 0, 2, 1, 0], [0, 1, 1, 1, 2]],
  ];
  for (const dataType of TYPES) {
    for (const mode of ['constant', 'edge', 'reflection'] as Mode[]) {
      for (const [shape, begin, end] of cases) {
        it(`${dataType} ${mode} [${shape}] padding [${begin}] [${end}]`, async () => {
          const [lo, hi] = rangeFor(dataType);
          const data = representable(randomData(size(shape), 29, lo, hi), dataType);
          const value = mode === 'constant' ? (dataType === 'uint8' ? 200 : -7) : 0;
          const expected = padReference(data, shape, begin, end, mode, value);
          const result = await runGraph(backend, { x: { dataType, shape, data } },
            (b, { x }) => ({ out: padOf(b)(x!, begin, end, { mode, ...(mode === 'constant' ? { value } : {}) }) }));
          assertClose(result['out']!, expected);
        });
      }
    }
  }

  it('the spec example (constant default 0, edge, reflection)', async () => {
    const data = [1, 2, 3, 4, 5, 6];
    const expected = {
      constant: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      edge: [1, 1, 1, 2, 3, 3, 3, 1, 1, 1, 2, 3, 3, 3, 4, 4, 4, 5, 6, 6, 6, 4, 4, 4, 5, 6, 6, 6],
      reflection: [6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1],
    };
    const result = await runGraph(backend, { x: { dataType: 'float32', shape: [2, 3], data } }, (b, { x }) => ({
      constant: padOf(b)(x!, [1, 2], [1, 2]),
      edge: padOf(b)(x!, [1, 2], [1, 2], { mode: 'edge' }),
      reflection: padOf(b)(x!, [1, 2], [1, 2], { mode: 'reflection' }),
    }));
    for (const mode of ['constant', 'edge', 'reflection'] as const) {
      assertClose(result[mode]!, { shape: [4, 7], data: expected[mode] }, undefined, mode);
    }
  });

  it('the padding value is cast to the input type', async () => {
    const cases: [MLOperandDataType, number, number][] = [
      ['float32', 0.1, Math.fround(0.1)], ['float16', 0.1, representable([0.1], 'float16')[0]!], ['float16', 1e6, Infinity],
      ['int32', 2.5, 2], ['int32', -3.5, -4], ['int8', 300, 127], ['int8', -1000, -128], ['uint8', -1, 0], ['uint8', 255.7, 255],
    ];
    for (const [dataType, value, cast] of cases) {
      const result = await runGraph(backend, { x: { dataType, shape: [2], data: [1, 2] } },
        (b, { x }) => ({ out: padOf(b)(x!, [1], [2], { value }) }));
      assertClose(result['out']!, { shape: [5], data: [cast, 1, 2, cast, cast] }, undefined, `${dataType} ${value}`);
    }
  });

  it('int32 padding values float32 cannot hold are exact', async () => {
    for (const value of [2147483647, -2147483647, 16777217]) {
      const data = [2147483646, -5, 16777219, 0];
      const result = await runGraph(backend, { x: { dataType: 'int32', shape: [2, 2], data } },
        (b, { x }) => ({ out: padOf(b)(x!, [1, 0], [0, 1], { value }) }));
      assertClose(result['out']!, padReference(data, [2, 2], [1, 0], [0, 1], 'constant', value), undefined, `${value}`);
    }
  });

  it('pads a constant input', async () => {
    const data = [1, 2, 3];
    const result = await runGraph(backend, {}, (b) => ({
      out: padOf(b)(b.constant({ dataType: 'float32', shape: [3] }, Float32Array.from(data)), [2], [1], { mode: 'edge' }),
    }));
    assertClose(result['out']!, { shape: [6], data: [1, 1, 1, 2, 3, 3] });
  });

  it('rejects invalid padding', async () => {
    const b = await builderFor(backend);
    const p = padOf(b);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    await assertThrows(() => p(x, [1], [1, 1]), 'TypeError', 'pad');
    await assertThrows(() => p(x, [1, 1], [1]), 'TypeError', 'pad');
    await assertThrows(() => p(x, [2, 0], [0, 0], { mode: 'reflection' }), 'TypeError', 'pad');
    await assertThrows(() => p(x, [0, 0], [0, 3], { mode: 'reflection' }), 'TypeError', 'pad');
    await assertThrows(() => p(x, [0, 0], [0, 0], { mode: 'symmetric' }), 'TypeError', 'pad');
    await assertThrows(() => p(x, [-1, 0], [0, 0]), 'TypeError', 'pad');
    await assertThrows(() => p(x, [2 ** 31, 0], [0, 0]), 'TypeError', 'pad');
  });
});
