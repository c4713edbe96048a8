import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';
import type { MLOperandDataType } from '../../src/types/data-type.js';
import { assertClose, assertThrows, builderFor, forEachBackend, randomData, representable, runGraph, size, strides } from '../util/harness.js';
import { kernelsOf } from '../graph/passes/pass-test-util.js';

type Builder = MLGraphBuilder & Record<string, (...args: unknown[]) => MLOperand>;
type Mode = 'nearest-neighbor' | 'linear';

interface Options {
  mode?: Mode;
  scales?: number[];
  sizes?: number[];
  axes?: number[];
}

/**
 * Float64 reference from the spec's formulas: per resampled axis, input coordinate (out + 0.5) / scale - 0.5
 * clamped to [0, in - 1]; nearest takes ceil(x - 0.5), linear interpolates between floor and ceil.
 */
function resampleRef(x: number[], shape: number[], o: Options): { shape: number[]; data: number[] } {
  const axes = o.axes ?? [2, 3];
  const outShape = [...shape];
  const scale: number[] = [];
  axes.forEach((a, i) => {
    const s = o.sizes ? o.sizes[i]! : Math.floor(shape[a]! * Math.fround(o.scales?.[i] ?? 1));
    outShape[a] = s;
    scale.push(o.sizes ? s / shape[a]! : Math.fround(o.scales?.[i] ?? 1));
  });
  const inStrides = strides(shape);
  const outStrides = strides(outShape);
  const out = new Array<number>(size(outShape));
  for (let i = 0; i < out.length; i++) {
    const idx = outShape.map((_, d) => Math.floor(i / outStrides[d]!) % outShape[d]!);
    // taps: list of [index along axes[0], index along axes[1], weight]
    const perAxis = axes.map((a, k) => {
      const c = Math.min(Math.max((idx[a]! + 0.5) / scale[k]! - 0.5, 0), shape[a]! - 1);
      if ((o.mode ?? 'nearest-neighbor') === 'nearest-neighbor') return [[Math.ceil(c - 0.5), 1]];
      const lo = Math.floor(c);
      const t = c - lo;
      return [[lo, 1 - t], [Math.ceil(c), t]];
    });
    let acc = 0;
    for (const [i0, w0] of perAxis[0]!) {
      for (const [i1, w1] of perAxis[1]!) {
        const src = [...idx];
        src[axes[0]!] = i0!;
        src[axes[1]!] = i1!;
        acc += x[src.reduce((s, v, d) => s + v * inStrides[d]!, 0)]! * w0! * w1!;
      }
    }
    out[i] = acc;
  }
  return { shape: outShape, data: out };
}

const shapes: [number[], Options][] = [
  [[1, 2, 3, 4], { scales: [2, 3] }],
  [[1, 1, 4, 6], { scales: [0.5, 0.5] }],
  [[2, 1, 4, 5], { sizes: [2, 3] }],
  [[1, 2, 2, 4], { sizes: [3, 7] }],
  [[1, 1, 3, 4], { scales: [1.5, 0.75] }],
  [[1, 2, 5, 3], { scales: [0.7, 1.3] }],
  [[1, 3, 4, 2], { scales: [2, 1.5], axes: [1, 2] }],
  [[3, 2, 2, 4], { sizes: [5, 3], axes: [0, 3] }],
  [[2, 3, 4, 3], { scales: [0.5, 2], axes: [3, 1] }],
  [[1, 2, 3, 3], { scales: [1, 2] }],
  [[1, 1, 2, 2], {}],
  // NHWC: nearest-neighbor runs ResizeNearestNeighbor where its indices are the spec's (the first two), else gathers.
  [[1, 4, 6, 2], { scales: [2, 4], axes: [1, 2] }],
  [[2, 8, 6, 3], { scales: [0.5, 0.5], axes: [1, 2] }],
  [[1, 3, 5, 2], { sizes: [7, 4], axes: [1, 2] }],
];

forEachBackend('resample2d', (backend) => {
  const run = async (shape: number[], options: Options, dataType: MLOperandDataType = 'float32') => {
    const x = representable(randomData(size(shape), 61, -4, 4), dataType);
    const expected = resampleRef(x, shape, options);
    const result = await runGraph(backend, { x: { dataType, shape, data: x } }, (b, { x: input }) =>
      ({ out: (b as Builder)['resample2d']!(input, options) }));
    const want = dataType === 'float16' ? { ...expected, data: representable(expected.data, 'float16') } : expected;
    assertClose(result['out']!, want, dataType === 'float32' ? { atol: 1e-5, rtol: 1e-5 } : undefined);
  };
  for (const mode of ['nearest-neighbor', 'linear'] as const) {
    for (const [shape, options] of shapes) {
      it(`${mode} [${shape}] ${JSON.stringify(options)}`, () => run(shape, { ...options, mode }));
    }
    it(`${mode} float16`, async () => {
      await run([1, 2, 3, 4], { mode, scales: [2, 3] }, 'float16');
      await run([1, 1, 3, 4], { mode, scales: [1.5, 0.75] }, 'float16');
    });
  }
  it('nearest-neighbor rounds half down, unlike TF.js (4 -> 2 takes [0, 2]; 2 -> 3 takes [0, 0, 1])', async () => {
    const result = await runGraph(backend, { x: { dataType: 'float32', shape: [1, 1, 4, 2], data: [0, 1, 2, 3, 4, 5, 6, 7] } },
      (b, { x }) => ({ out: (b as Builder)['resample2d']!(x, { sizes: [2, 3] }) }));
    assertClose(result['out']!, { shape: [1, 1, 2, 3], data: [0, 0, 1, 4, 4, 5] });
  });

  it('nearest-neighbor on NHWC data with integer scales runs one ResizeNearestNeighbor kernel', async () => {
    const kernels = await kernelsOf(backend, { x: { dataType: 'float32', shape: [1, 4, 6, 2], data: randomData(48, 5) } },
      (b, { x }) => ({ out: b['resample2d']!(x, { scales: [2, 4], axes: [1, 2] }) }));
    if (kernels.join() !== 'ResizeNearestNeighbor') throw new Error(`kernels: ${kernels.join(', ')}`);
  });

  describe('validation', () => {
    const check = async (options: unknown, shape = [1, 2, 4, 4], dataType: MLOperandDataType = 'float32') => {
      const b = (await builderFor(backend)) as Builder;
      const x = b.input('x', { dataType, shape });
      await assertThrows(() => b['resample2d']!(x, options), 'TypeError', /^resample2d: /);
    };
    it('input', async () => {
      await check({}, [2, 4, 4]);
      await check({}, [1, 2, 4, 4], 'int32');
    });
    it('scales', async () => {
      await check({ scales: [2] });
      await check({ scales: [2, 2, 2] });
      await check({ scales: [0, 2] });
      await check({ scales: [2, -1] });
      await check({ scales: [NaN, 1] });
      await check({ scales: [1, Infinity] });
      await check({ scales: [0.1, 1] }); // floor(4 * 0.1) = 0
    });
    it('sizes', async () => {
      await check({ sizes: [2] });
      await check({ sizes: [0, 2] });
      await check({ sizes: [-1, 2] });
    });
    it('axes', async () => {
      await check({ axes: [2, 2] });
      await check({ axes: [2, 4] });
      await check({ axes: [1] });
      await check({ axes: [0, 1, 2] });
    });
    it('mode', async () => {
      await check({ mode: 'cubic' });
    });
  });
});
