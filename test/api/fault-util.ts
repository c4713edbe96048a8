/** Helpers of the tests of faults: bounded waits (a hang fails a test, not the run), and a computation to check with. */
import type { MLContext } from '../../src/index.js';
import { addGraph, readFloat32 } from './api-util.js';

/** `p`'s outcome, or an error naming `what` if it has not settled within `ms` (a hang fails the test, not the run). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** `p`, marked as handled: it is awaited later, after other awaits during which it may already reject. */
export function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** x + y on a fresh add graph: [1,2,3,4] + [9,10,11,12]. */
export async function computeSums(ctx: MLContext): Promise<number[]> {
  const { graph, x, y, out } = await addGraph(ctx);
  ctx.writeTensor(x, new Float32Array([1, 2, 3, 4]));
  ctx.writeTensor(y, new Float32Array([9, 10, 11, 12]));
  ctx.dispatch(graph, { x, y }, { out });
  return readFloat32(ctx, out);
}

export const SUMS = '10,12,14,16';
