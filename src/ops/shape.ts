/** Shape arithmetic shared by the operations' spec steps. */
import type { OpCall } from './op-call.js';

/** The spec's bidirectional broadcasting; fails the call when the shapes are incompatible. */
export function broadcastShapes(call: OpCall, a: readonly number[], b: readonly number[], what = 'a and b'): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      call.fail(`${what} cannot be broadcast: [${a.join(', ')}] and [${b.join(', ')}]`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** True when `from` broadcasts unidirectionally to `to`. */
export function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  return from.every((d, i) => d === 1 || d === to[to.length - from.length + i]);
}

/** Axes: each within [0, rank), no duplicates. */
export function checkAxes(call: OpCall, axes: readonly number[], rank: number, name = 'axes'): void {
  const seen = new Set<number>();
  for (const a of axes) {
    if (a >= rank) call.fail(`${name} value ${a} is out of range for rank ${rank}`);
    if (seen.has(a)) call.fail(`${name} contains ${a} more than once`);
    seen.add(a);
  }
}

/** How many values a tensor of these dimensions holds (1 for none). */
export const elementCountOf = (dims: readonly number[]): number => dims.reduce((n, d) => n * d, 1);

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
