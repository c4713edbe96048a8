/**
 * Matrix products that run as our kernel (ops/js-product.ts: wasm's small ones, all of cpu's) and those that do not,
 * through the graph API against float64 products written here: a product whose b is computed (not a constant, so
 * neither transposed nor fused at build), gemm with a computed b transposed, stacked and broadcast operands, column
 * counts that are not a multiple of four, infinities and NaN, and which kernel each runs.
 */
import type { MLOperand } from '../../src/api/operand.js';
import { runsJsKernels } from '../../src/runtime/js-kernels.js';
import { assertClose, builderFor, contextFor, forEachBackend, runGraph } from '../util/harness.js';
import { constantOf, data, kernelsOf, matmulRef, type Builder, type Data } from '../graph/passes/pass-test-util.js';

const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

const f32 = (d: Data) => ({ dataType: 'float32' as const, ...d });

const run = (backend: Parameters<typeof runGraph>[0], inputs: Parameters<typeof runGraph>[1],
  build: (b: Builder, operands: Record<string, MLOperand>) => Record<string, MLOperand>) =>
  runGraph(backend, inputs, (b, operands) => build(b as Builder, operands));

function transposed(d: Data): Data {
  const [rows, columns] = d.shape as [number, number];
  const out: number[] = [];
  for (let j = 0; j < columns; j++) for (let i = 0; i < rows; i++) out.push(d.data[i * columns + j]!);
  return { data: out, shape: [columns, rows] };
}

forEachBackend('matrix products of our kernel', (backend) => {
  const product = runsJsKernels(backend) ? 'WebNNMatMul' : null;

  for (const [m, k, n] of [[3, 5, 4], [2, 9, 7], [1, 32, 1], [4, 3, 13]] as const) {
    it(`matmul of two inputs [${m}, ${k}] x [${k}, ${n}]`, async () => {
      const a = data([m, k], 3);
      const b = data([k, n], 5);
      const out = await run(backend, { a: f32(a), b: f32(b) }, (builder, { a: x, b: y }) => ({ out: builder.matmul(x!, y!) }));
      assertClose(out['out']!, matmulRef(a, b), TOLERANCE);
    });
  }

  it('gemm with a computed b transposed, c and relu: one kernel', async () => {
    const a = data([3, 6], 7);
    const b = data([5, 6], 9);
    const c = data([5], 11);
    const build = (builder: Builder, { a: x, b: y }: Record<string, MLOperand>) =>
      ({ out: builder.relu(builder.gemm(x!, y!, { bTranspose: true, c: constantOf(builder, c.shape, c.data) })) });
    const expected = matmulRef(a, transposed(b));
    expected.data = expected.data.map((v, i) => Math.max(0, v + c.data[i % 5]!));
    const inputs = { a: f32(a), b: f32(b) };
    assertClose((await runGraph(backend, inputs, (x, o) => build(x as Builder, o)))['out']!, expected, TOLERANCE);
    if (product) {
      const kernels = await kernelsOf(backend, inputs, build);
      if (kernels.join() !== product) throw new Error(`kernels: ${kernels.join(', ')}`);
    }
  });

  it('stacked matrices times one matrix, and one matrix times a matrix with leading 1s', async () => {
    const a = data([2, 3, 5], 13);
    const b = data([5, 6], 15);
    const stacked = await run(backend, { a: f32(a) }, (builder, { a: x }) =>
      ({ out: builder.matmul(x!, builder.constant({ dataType: 'float32', shape: [5, 6] }, new Float32Array(b.data))) }));
    assertClose(stacked['out']!, matmulRef(a, b), TOLERANCE);
    const single = data([3, 5], 17);
    const leading = await run(backend, { a: f32(single), b: f32({ data: b.data, shape: [1, 1, 5, 6] }) },
      (builder, { a: x, b: y }) => ({ out: builder.matmul(x!, y!) }));
    assertClose(leading['out']!, { data: matmulRef(single, b).data, shape: [1, 1, 3, 6] }, TOLERANCE);
  });

  it('infinities and NaN propagate as in float arithmetic, through relu too', async () => {
    // Row 0: Infinity times 0 is NaN. Row 1: Infinity times positive and negative weights. Row 2: a NaN input.
    const a = { data: [Infinity, 1, 1, Infinity, 0, 0, Number.NaN, 1, 1], shape: [3, 3] };
    const b = { data: [0, 1, -1, 1, 2, 3, 4, 5, 6], shape: [3, 3] };
    const expected = matmulRef(a, b);
    const plain = await run(backend, { a: f32(a), b: f32(b) }, (builder, { a: x, b: y }) => ({ out: builder.matmul(x!, y!) }));
    assertClose(plain['out']!, expected, TOLERANCE);
    const rectified = await run(backend, { a: f32(a) }, (builder, { a: x }) =>
      ({ out: builder.relu(builder.matmul(x!, constantOf(builder, b.shape, b.data))) }));
    assertClose(rectified['out']!, { ...expected, data: expected.data.map((v) => (v < 0 ? 0 : v)) }, TOLERANCE);
  });

  /** a [rows, inner] x a constant [inner, 18], then a bias and leakyRelu(0.25), against float64; and its kernels. */
  async function productWithBias(rows: number, inner: number): Promise<string> {
    const a = data([rows, inner], 19);
    const w = data([inner, 18], 21);
    const bias = data([18], 23);
    const build = (builder: Builder, { a: x }: Record<string, MLOperand>) => ({
      out: builder.leakyRelu(builder.add(builder.matmul(x!, constantOf(builder, w.shape, w.data)),
        constantOf(builder, bias.shape, bias.data)), { alpha: 0.25 }),
    });
    const expected = matmulRef(a, w);
    expected.data = expected.data.map((v, i) => {
      const y = v + bias.data[i % 18]!;
      return y < 0 ? 0.25 * y : y;
    });
    const inputs = { a: f32(a) };
    assertClose((await runGraph(backend, inputs, (x, o) => build(x as Builder, o)))['out']!, expected, TOLERANCE);
    return (await kernelsOf(backend, inputs, build)).filter((name) => name !== 'Reshape').join();
  }

  it('products too large for our kernel on wasm run TF.js\'s fused kernel, with the bias and activation', async () => {
    const kernels = await productWithBias(16, 64);
    if (product && kernels !== (backend === 'cpu' ? product : '_FusedMatMul')) throw new Error(`kernels: ${kernels}`);
  });

  it('on wasm, products of a few rows beyond that run our SIMD form, with the bias and activation', async () => {
    const kernels = await productWithBias(2, 300);
    if (product && kernels !== product) throw new Error(`kernels: ${kernels}`);
  });

  // On wasm, replays read a constant b this large from a copy in blocks of 16 columns (37: two blocks and 5 more). Our
  // SIMD product sums each output in order in float32: on wasm the values must be exactly those sums; elsewhere within
  // the bound of float32 sums of 700 products (700 * 2^-24 of the sum of their magnitudes) of the float64 values.
  it('a constant b of many values, dispatched again on new inputs: [3, 700] x [700, 37] + bias, relu', async () => {
    const [rows, inner, columns] = [3, 700, 37];
    const w = data([inner, columns], 25);
    const bias = data([columns], 27);
    const ctx = await contextFor(backend);
    const builder = await builderFor(backend) as Builder;
    const x = builder.input('a', { dataType: 'float32', shape: [rows, inner] });
    const y = builder.relu(builder.add(builder.matmul(x, constantOf(builder, w.shape, w.data)), constantOf(builder, bias.shape, bias.data)));
    const graph = await builder.build({ out: y });
    const input = await ctx.createTensor({ dataType: 'float32', shape: [rows, inner], writable: true });
    const output = await ctx.createTensor({ dataType: 'float32', shape: [rows, columns], readable: true });
    for (const seed of [29, 31, 33]) {
      const a = data([rows, inner], seed);
      ctx.writeTensor(input, new Float32Array(a.data));
      ctx.dispatch(graph, { a: input }, { out: output });
      const values = [...new Float32Array(await ctx.readTensor(output))];
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < columns; j++) {
          let exact = 0;
          let inOrder = 0;
          let magnitude = 0;
          for (let p = 0; p < inner; p++) {
            const term = Math.fround(a.data[i * inner + p]!) * Math.fround(w.data[p * columns + j]!);
            exact += term;
            magnitude += Math.abs(term);
            inOrder = Math.fround(inOrder + Math.fround(term));
          }
          const got = values[i * columns + j]!;
          const where = `seed ${seed} [${i}, ${j}]: ${got}`;
          if (backend === 'wasm') {
            const want = Math.max(0, Math.fround(inOrder + Math.fround(bias.data[j]!)));
            if (got !== want) throw new Error(`${where}, float32 sums in order ${want}`);
          } else {
            const want = Math.max(0, exact + Math.fround(bias.data[j]!));
            if (!(Math.abs(got - want) <= inner * 2 ** -24 * magnitude + 1e-6)) throw new Error(`${where}, expected ${want}`);
          }
        }
      }
    }
    input.destroy();
    output.destroy();
    graph.destroy();
  });
});
