/**
 * Graphs with named dimensions (the dynamic-shape proposal) on webgpu, whose maxTensorByteLength (half of what one
 * storage buffer binding holds) is below the 2^31 - 1 bytes of the other backends: operands whose sizes are known only
 * at dispatch are checked against it there, as the builder checks static ones.
 */
import type { MLContext, MLGraph } from '../../src/index.js';
import { assertThrows, withDynamicShapes } from '../util/harness.js';
import { newBuilder, newContext } from '../api/api-util.js';
// The entry that carries the webgpu backend.
import '../../src/webgpu.js';

type Shapes = Record<string, number[]>;

/** out = reduceSum(x * y) of x [n, 1] and y [1, n]: the product in between is [n, n]. */
async function outerProductSum(context: MLContext): Promise<MLGraph> {
  const b = newBuilder(context) as unknown as {
    input(name: string, desc: { dataType: string; shape: (number | string)[] }): unknown;
    mul(a: unknown, b: unknown): unknown;
    reduceSum(a: unknown): unknown;
    build(outputs: Record<string, unknown>): Promise<MLGraph>;
  };
  const x = b.input('x', { dataType: 'float32', shape: ['n', 1] });
  const y = b.input('y', { dataType: 'float32', shape: [1, 'n'] });
  return b.build({ out: b.reduceSum(b.mul(x, y)) });
}

async function input(context: MLContext, shape: number[], values?: number[]) {
  const tensor = await context.createTensor({ dataType: 'float32', shape, writable: true });
  if (values) context.writeTensor(tensor, new Float32Array(values));
  return tensor;
}

describe('webgpu: named dimensions and maxTensorByteLength [webgpu]', function () {
  this.timeout(120000);
  withDynamicShapes(true);

  it('a dispatch whose operand would exceed maxTensorByteLength throws a TypeError; one within it computes', async () => {
    const context = await newContext('webgpu');
    const limit = context.opSupportLimits().maxTensorByteLength;
    if (!(limit < 2 ** 31 - 1)) throw new Error(`maxTensorByteLength ${limit}: no smaller than the other backends'`);
    const graph = await outerProductSum(context);
    const computeShapes = (shapes: Shapes) => (graph as unknown as { computeShapes(s: Shapes): Shapes }).computeShapes(shapes);

    // Inputs and output are small; the [n, n] float32 product in between takes one element more than the limit allows.
    const n = Math.ceil(Math.sqrt(limit / 4 + 1));
    if (n * n * 4 <= limit) throw new Error(`n ${n}`);
    await assertThrows(() => computeShapes({ x: [n, 1], y: [1, n] }), 'TypeError', `more than maxTensorByteLength ${limit}`);
    const [x, y] = [await input(context, [n, 1]), await input(context, [1, n])];
    const out = await context.createTensor({ dataType: 'float32', shape: [], readable: true });
    await assertThrows(() => context.dispatch(graph, { x, y }, { out }), 'TypeError', `more than maxTensorByteLength ${limit}`);

    const xs = [1.5, -2, 3.25];
    const ys = [4, 0.5, -6];
    let expected = 0;
    for (const a of xs) for (const b of ys) expected += a * b;
    const [x3, y3] = [await input(context, [3, 1], xs), await input(context, [1, 3], ys)];
    context.dispatch(graph, { x: x3, y: y3 }, { out });
    const sum = new Float32Array(await context.readTensor(out))[0]!;
    if (Math.abs(sum - expected) > 1e-5) throw new Error(`sum ${sum}, expected ${expected}`);
    context.destroy();
  });
});
