/** a + b computed through the polyfill loaded into a frame (its own MLGraphBuilder and typed arrays), read back. */
import type { ContextLike, PolyfillScope } from './conv-add-relu.js';

interface AddBuilder {
  input(name: string, desc: object): object;
  add(a: object, b: object): object;
  build(outputs: Record<string, object>): Promise<object>;
}

/** [1, 2, 3, 4] + [0.5, -4, 8, 16] */
export const FRAME_SUMS = '1.5,-2,11,20';

export async function frameSums(frame: PolyfillScope, ctx: ContextLike): Promise<string> {
  const builder = new frame.MLGraphBuilder!(ctx) as unknown as AddBuilder;
  const desc = { dataType: 'float32', shape: [4] };
  const graph = await builder.build({ out: builder.add(builder.input('a', desc), builder.input('b', desc)) });
  const [a, b, out] = await Promise.all([
    ctx.createTensor({ ...desc, writable: true }), ctx.createTensor({ ...desc, writable: true }),
    ctx.createTensor({ ...desc, readable: true }),
  ]);
  ctx.writeTensor(a, new frame.Float32Array([1, 2, 3, 4]));
  ctx.writeTensor(b, new frame.Float32Array([0.5, -4, 8, 16]));
  ctx.dispatch(graph, { a, b }, { out });
  return Array.from(new Float32Array(await ctx.readTensor(out))).join();
}
