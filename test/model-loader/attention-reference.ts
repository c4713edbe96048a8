/** Float64 attention for the contrib attention operators' tests: heads as nested arrays, softmax over the keys. */
import type { Tensor } from './reference.js';

/** Vectors by [batch][head][position]: of a (batch, length, heads * size) tensor, or a (batch, heads, length, size) one. */
export type Heads = number[][][][];

export function headsOf(t: Tensor, heads: number, layout: 'BSD' | 'BNSH', add: readonly number[] = []): Heads {
  const [batch] = t.shape as [number];
  const [length, size] = layout === 'BSD' ? [t.shape[1]!, t.shape[2]! / heads] : [t.shape[2]!, t.shape[3]!];
  return Array.from({ length: batch }, (_, b) => Array.from({ length: heads }, (_, n) => Array.from({ length }, (_, l) =>
    Array.from({ length: size }, (_, h) => {
      const index = layout === 'BSD' ? (b * length + l) * heads * size + n * size + h : ((b * heads + n) * length + l) * size + h;
      return t.data[index]! + (add[n * size + h] ?? 0);
    }))));
}

export const concatPositions = (past: Heads, next: Heads): Heads => past.map((perHead, b) => perHead.map((rows, n) => [...rows, ...next[b]![n]!]));

export function asTensor(heads: Heads): Tensor {
  return { shape: [heads.length, heads[0]!.length, heads[0]![0]!.length, heads[0]![0]![0]!.length], data: heads.flat(3) };
}

/**
 * Attention of query heads over key and value heads (query head n reading key/value head kvHead(n)): logits
 * q . k scale, passed through `logit`, softmax over the keys where valid, output (batch, S, heads * size).
 */
export function attentionRef(q: Heads, k: Heads, v: Heads, scale: number,
  logit: (value: number, b: number, n: number, s: number, t: number) => number | null, kvHead = (n: number) => n): Tensor {
  const data: number[] = [];
  const [batch, heads, sequence] = [q.length, q[0]!.length, q[0]![0]!.length];
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < sequence; s++) {
      for (let n = 0; n < heads; n++) {
        const keys = k[b]![kvHead(n)]!;
        const values = v[b]![kvHead(n)]!;
        const raw = keys.map((key, t) => logit(key.reduce((sum, x, h) => sum + x * q[b]![n]![s]![h]!, 0) * scale, b, n, s, t));
        const max = Math.max(...raw.filter((x): x is number => x !== null));
        const weights = raw.map((x) => (x === null ? 0 : Math.exp(x - max)));
        const total = weights.reduce((p, w) => p + w, 0);
        for (let h = 0; h < values[0]!.length; h++) data.push(values.reduce((sum, row, t) => sum + row[h]! * weights[t]!, 0) / total);
      }
    }
  }
  return { shape: [batch, sequence, data.length / (batch * sequence)], data };
}
