/**
 * com.microsoft's GroupQueryAttention, as far as static shapes go: query heads share key/value heads in groups, new
 * keys and values are written into the present cache at their positions (each batch's past length from seqlens_k,
 * computed at run time), and each query attends to the cached positions up to its own (causal, optionally within a
 * local window), with attention_bias added after softcap and position_ids, when given, placing the rotary embedding.
 * total_sequence_length must be known at load time, as it sizes the present cache.
 */
import type { Converter, ConverterTable } from './converter.js';
import { hostTensor } from './host-tensor.js';
import type { NodeImport } from './node-import.js';
import type { Operand, OperandDataType } from './webnn-types.js';
import { attentionScale, mergeHeads, scores } from './ops-microsoft-attention.js';
import { rotateHeads } from './ops-microsoft-rotary.js';

const LOWEST: Partial<Record<OperandDataType, number>> = { float32: -3.4028234663852886e38, float16: -65504 };

function int32Constant(n: NodeImport, shape: number[], values: (i: number) => number): Operand {
  const count = shape.reduce((p, d) => p * d, 1);
  return n.builder.constant({ dataType: 'int32', shape }, hostTensor('int32', shape, Array.from({ length: count }, (_, i) => values(i))).data);
}

interface Layout {
  batch: number;
  sequence: number;
  heads: number;
  kvHeads: number;
  headSize: number;
}

/** Query, key and value as (batch, S, heads, size): given apart, or packed in the query when key and value are not. */
function splitInputs(n: NodeImport, heads: number, kvHeads: number): { layout: Layout; q: Operand; k: Operand; v: Operand } {
  const b = n.builder;
  const [batch, sequence, width] = n.shape(0) as [number, number, number];
  const packed = !n.has(1);
  const headSize = packed ? width / (heads + 2 * kvHeads) : width / heads;
  if (!Number.isInteger(headSize)) throw n.invalid(`its query width ${width} does not divide into ${heads} heads`);
  const layout = { batch, sequence, heads, kvHeads, headSize };
  const asHeads = (x: Operand, count: number) => b.reshape(x, [batch, sequence, count, headSize]);
  if (!packed) return { layout, q: asHeads(n.operand(0), heads), k: asHeads(n.operand(1), kvHeads), v: asHeads(n.operand(2), kvHeads) };
  const [q, k, v] = b.split(n.operand(0), [heads * headSize, kvHeads * headSize, kvHeads * headSize], { axis: 2 });
  return { layout, q: asHeads(q!, heads), k: asHeads(k!, kvHeads), v: asHeads(v!, kvHeads) };
}

/**
 * The present cache (batch, kv heads, present length, size): the past up to each batch's past length, the new
 * values at positions (batch or 1, S), zeros after them (as ONNX Runtime leaves a cache it does not share).
 */
function presentCache(n: NodeImport, pastInput: number, next: Operand, positions: Operand, firstPrompt: boolean, length: number): Operand {
  const b = n.builder;
  const [batch, kvHeads, sequence, headSize] = next.shape as [number, number, number, number];
  const zeros = (count: number) => b.constant({ dataType: next.dataType, shape: [batch, kvHeads, count, headSize] },
    hostTensor(next.dataType, [batch, kvHeads, count, headSize], new Array<number>(batch * kvHeads * count * headSize).fill(0)).data);
  if (firstPrompt) return length === sequence ? next : b.concat([next, zeros(length - sequence)], 2);
  let past = n.operand(pastInput);
  const pastLength = past.shape[2]!;
  if (length > pastLength) past = b.concat([past, zeros(length - pastLength)], 2);
  const pastEnds = b.reshape(b.slice(positions, [0, 0], [batch, 1]), [batch, 1, 1, 1]);
  const kept = b.lesser(int32Constant(n, [1, 1, length, 1], (i) => i), pastEnds);
  const base = b.where(kept, past, zeros(length));
  const at = (axis: number, size: number) => int32Constant(n, [batch, kvHeads, sequence, 1],
    (i) => Math.floor(i / [kvHeads * sequence, sequence][axis]!) % size);
  const rows = b.expand(b.reshape(positions, [batch, 1, sequence, 1]), [batch, kvHeads, sequence, 1]);
  return b.scatterND(base, b.concat([at(0, batch), at(1, kvHeads), rows], 3), next);
}

/** cos or sin rows of the positions, as (batch or 1, S, 1, half). */
function anglesAt(n: NodeImport, cacheInput: number, positions: Operand): Operand {
  const angles = n.builder.gather(n.operand(cacheInput), positions, { axis: 0 });
  const [rows, sequence, half] = angles.shape as [number, number, number];
  return n.builder.reshape(angles, [rows, sequence, 1, half]);
}

const groupQueryAttention: Converter = {
  convert(n) {
    const b = n.builder;
    const [heads, kvHeads] = [n.int('num_heads', 0), n.int('kv_num_heads', 0)];
    if (heads < 1 || kvHeads < 1 || heads % kvHeads !== 0) throw n.invalid(`num_heads ${heads} is not a multiple of kv_num_heads ${kvHeads}`);
    n.require(n.int('smooth_softmax', 0) === 0, 'smooth_softmax = 1 is not mapped');
    n.require(n.int('qk_output', 0) === 0 && !n.outputWanted(3), 'its qk output is not mapped');
    n.require(!n.has(11), 'head_sink is not mapped');
    const { layout, q: query, k: key, v: value } = splitInputs(n, heads, kvHeads);
    const { batch, sequence, headSize } = layout;
    const [total] = n.constantNumbers(6, 'total sequence length');
    const pastLength = n.has(3) ? n.shape(3)[2]! : 0;
    // The first prompt (S = total length) starts at position 0; later steps after each batch's past, seqlens_k + 1 - S.
    const firstPrompt = sequence === total;
    if (!firstPrompt && sequence > 1 && batch > 1) throw n.invalid('a batch of more than 1 with S > 1 after a past (ONNX Runtime refuses it too)');
    if (!firstPrompt && !n.has(3)) throw n.invalid(`total_sequence_length ${total} is not S = ${sequence}, and there is no past`);
    const positions = firstPrompt
      ? int32Constant(n, [1, sequence], (s) => s)
      : b.add(b.reshape(n.operand(5), [batch, 1]), int32Constant(n, [1, sequence], (s) => s + 1 - sequence));
    let [q, k] = [query, key];
    if (n.int('do_rotary', 0) === 1) {
      // position_ids, when given, place the rotation (the cache positions stay those of seqlens_k).
      const rotaryPositions = n.has(9) ? n.operand(9) : positions;
      const [cos, sin] = [anglesAt(n, 7, rotaryPositions), anglesAt(n, 8, rotaryPositions)];
      const interleaved = n.int('rotary_interleaved', 0) === 1;
      const rotaryDim = 2 * cos.shape[3]!;
      q = rotateHeads(n, q, cos, sin, rotaryDim, interleaved);
      k = rotateHeads(n, k, cos, sin, rotaryDim, interleaved);
    }
    const toCacheLayout = (x: Operand) => b.transpose(x, { permutation: [0, 2, 1, 3] });
    const length = Math.max(total, pastLength);
    const presentKey = presentCache(n, 3, toCacheLayout(k), positions, firstPrompt, length);
    const presentValue = presentCache(n, 4, toCacheLayout(value), positions, firstPrompt, length);
    // Query heads in groups of heads / kvHeads per key/value head: (batch, kv heads, group, S, size).
    const group = heads / kvHeads;
    const grouped = b.reshape(toCacheLayout(q), [batch, kvHeads, group, sequence, headSize]);
    const keys = b.reshape(presentKey, [batch, kvHeads, 1, length, headSize]);
    const values = b.reshape(presentValue, [batch, kvHeads, 1, length, headSize]);
    let logits = scores(n, grouped, keys, attentionScale(n, headSize));
    const softcap = n.float('softcap', 0);
    if (softcap > 0) logits = b.mul(b.tanh(b.div(logits, n.scalar(logits.dataType, softcap))), n.scalar(logits.dataType, softcap));
    // attention_bias (batch or 1, heads or 1, S, total length) in the grouped layout of the logits, over the present
    // length (the positions after the total are never seen).
    if (n.has(10)) {
      const [biasBatch, biasHeads] = n.shape(10) as [number, number];
      const bias = length === total ? n.operand(10) : b.pad(n.operand(10), [0, 0, 0, 0], [0, 0, 0, length - total]);
      logits = b.add(logits, biasHeads === 1 ? b.reshape(bias, [biasBatch, 1, 1, sequence, length])
        : b.reshape(bias, [biasBatch, kvHeads, group, sequence, length]));
    }
    // Key position j is seen by the query at position p when j <= p (and p - j < local_window_size if given), and
    // j <= seqlens_k, the batch's last position (which bounds the padding queries of a first prompt).
    const keyPositions = int32Constant(n, [1, 1, 1, 1, length], (j) => j);
    const queryPositions = b.reshape(positions, [positions.shape[0]!, 1, 1, sequence, 1]);
    const lastPositions = b.reshape(n.operand(5), [batch, 1, 1, 1, 1]);
    let seen = b.logicalAnd(b.lesserOrEqual(keyPositions, queryPositions), b.lesserOrEqual(keyPositions, lastPositions));
    const window = n.int('local_window_size', -1);
    if (window > 0) seen = b.logicalAnd(seen, b.greater(keyPositions, b.sub(queryPositions, n.scalar('int32', window))));
    const lowest = LOWEST[logits.dataType];
    if (lowest === undefined) throw n.invalid(`its query is ${logits.dataType}, not a float type`);
    logits = b.where(seen, logits, n.scalar(logits.dataType, lowest));
    const attended = b.reshape(b.matmul(b.softmax(logits, 4), values), [batch, heads, sequence, headSize]);
    return [mergeHeads(n, attended), presentKey, presentValue];
  },
};

export const MICROSOFT_GQA_CONVERTERS: ConverterTable = [
  ['GroupQueryAttention', groupQueryAttention],
];
