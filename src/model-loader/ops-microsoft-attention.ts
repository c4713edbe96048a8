/**
 * com.microsoft's MultiHeadAttention: softmax(Q K^T scale + attention bias + masks) V per head, with past keys and
 * values prepended (and given back as present_key / present_value).
 */
import type { Converter, ConverterTable } from './converter.js';
import { hostTensor } from './host-tensor.js';
import type { NodeImport } from './node-import.js';
import type { Operand } from './webnn-types.js';

/** (batch, length, heads * size) as (batch, heads, length, size). */
export function splitHeads(n: NodeImport, x: Operand, heads: number): Operand {
  const [batch, length, hidden] = x.shape as [number, number, number];
  if (hidden % heads !== 0) throw n.invalid(`hidden size ${hidden} is not a multiple of the head count ${heads}`);
  return n.builder.transpose(n.builder.reshape(x, [batch, length, heads, hidden / heads]), { permutation: [0, 2, 1, 3] });
}

/** (batch, heads, length, size) as (batch, length, heads * size). */
export function mergeHeads(n: NodeImport, x: Operand): Operand {
  const [batch, heads, length, size] = x.shape as [number, number, number, number];
  return n.builder.reshape(n.builder.transpose(x, { permutation: [0, 2, 1, 3] }), [batch, length, heads * size]);
}

/** The scores Q K^T scale of queries (..., S, H) and keys (..., T, H) that broadcast in their leading axes. */
export function scores(n: NodeImport, q: Operand, k: Operand, scale: number): Operand {
  const rank = k.shape.length;
  const swap = [...k.shape.keys()].map((axis) => (axis < rank - 2 ? axis : 2 * rank - 3 - axis));
  return n.builder.mul(n.builder.matmul(q, n.builder.transpose(k, { permutation: swap })), n.scalar(q.dataType, scale));
}

/** The scale attribute, 1 / sqrt(head size) when it is left out or 0 (as ONNX Runtime reads it). */
export function attentionScale(n: NodeImport, headSize: number): number {
  return n.float('scale', 0) || 1 / Math.sqrt(headSize);
}

/**
 * key_padding_mask as an additive (batch, 1, 1 or S, T) mask: mask_filter_value where the mask is 0 (a (batch, T) or
 * (batch, S, T) mask), or at the key positions from each batch's length on (a (batch) mask of lengths).
 */
function keyPaddingMask(n: NodeImport, batch: number, sequence: number, total: number, filter: Operand): Operand {
  const b = n.builder;
  const shape = n.shape(4);
  const zero = n.scalar(filter.dataType, 0);
  const mask = n.operand(4);
  if (shape.length === 1 && shape[0] === batch) {
    const positions = b.constant({ dataType: mask.dataType, shape: [1, total] }, hostTensor(mask.dataType, [1, total], [...Array(total).keys()]).data);
    return b.reshape(b.where(b.lesser(positions, b.reshape(mask, [batch, 1])), zero, filter), [batch, 1, 1, total]);
  }
  const fits = (shape.length === 2 && shape.join() === [batch, total].join()) || (shape.length === 3 && shape.join() === [batch, sequence, total].join());
  if (!fits) throw n.unsupported(`a key_padding_mask of shape [${shape.join(', ')}] is not mapped ((batch), (batch, T) or (batch, S, T))`);
  const keep = b.greater(mask, n.scalar(mask.dataType, 0));
  return b.reshape(b.where(keep, zero, filter), [batch, 1, shape.length === 3 ? sequence : 1, total]);
}

/** mask_filter_value where key position j comes after query s (at position past + s). */
function causalMask(n: NodeImport, sequence: number, total: number, filter: number, dataType: Operand['dataType']): Operand {
  const past = total - sequence;
  const values = Array.from({ length: sequence * total }, (_, i) => (i % total > past + Math.floor(i / total) ? filter : 0));
  return n.builder.constant({ dataType, shape: [1, 1, sequence, total] }, hostTensor(dataType, [1, 1, sequence, total], values).data);
}

/** Query, key and value with the parts of the bias input (3) added; keys and values already in heads take none. */
function projected(n: NodeImport, hidden: number): [Operand, Operand, Operand] {
  const b = n.builder;
  const [query, key, value] = [n.operand(0), n.operand(1), n.operand(2)];
  if (!n.has(3)) return [query, key, value];
  if (key.shape.length !== 3 || value.shape.length !== 3) throw n.unsupported('a bias with keys and values already in heads (4-D) is not mapped');
  const bias = n.operand(3);
  const part = (start: number, size: number) => b.slice(bias, [start], [size]);
  return [b.add(query, part(0, hidden)), b.add(key, part(hidden, hidden)), b.add(value, part(2 * hidden, value.shape[2]!))];
}

const multiHeadAttention: Converter = {
  convert(n) {
    const b = n.builder;
    const heads = n.int('num_heads', 0);
    if (heads < 1) throw n.invalid('num_heads is missing');
    n.require(!n.has(8) && !n.has(9), 'past_sequence_length and cache_indirection are not mapped');
    n.require(!n.outputWanted(3), 'its qk output is not mapped');
    n.require(n.rank(0) === 3, `a query of rank ${n.rank(0)} (packed QKV) is not mapped`);
    n.require(n.has(1) && n.has(2), 'a query without key and value (packed QKV) is not mapped');
    n.require(n.rank(1) !== 5, 'a packed key and value (5-D) are not mapped');
    const [batch, sequence, hidden] = n.shape(0) as [number, number, number];
    const [query, key, value] = projected(n, hidden);
    const q = splitHeads(n, query, heads);
    let k = key.shape.length === 3 ? splitHeads(n, key, heads) : key;
    let v = value.shape.length === 3 ? splitHeads(n, value, heads) : value;
    if (n.has(6) !== n.has(7)) throw n.invalid('it has one of past_key and past_value without the other');
    if (n.has(6)) {
      n.require(key.shape.length === 3, 'past keys and values with keys already in heads (4-D) are not mapped');
      k = b.concat([n.operand(6), k], 2);
      v = b.concat([n.operand(7), v], 2);
    }
    const total = k.shape[2]!;
    const filterValue = n.float('mask_filter_value', -10000);
    const filter = n.scalar(q.dataType, filterValue);
    let logits = scores(n, q, k, attentionScale(n, hidden / heads));
    if (n.has(5)) logits = b.add(logits, n.operand(5));
    if (n.has(4)) logits = b.add(logits, keyPaddingMask(n, batch, sequence, total, filter));
    if (n.int('unidirectional', 0) === 1) logits = b.add(logits, causalMask(n, sequence, total, filterValue, q.dataType));
    const y = mergeHeads(n, b.matmul(b.softmax(logits, 3), v));
    return [y, k, v];
  },
};

export const MICROSOFT_ATTENTION_CONVERTERS: ConverterTable = [
  ['MultiHeadAttention', multiHeadAttention],
];
