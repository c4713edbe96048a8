/**
 * com.microsoft's GroupQueryAttention against float64 attention: query heads in groups over shared key/value heads,
 * the present cache written at each batch's positions, causal and local-window masks, rotary positions, softcap.
 */
import { assertClose, assertThrows, forEachBackend } from '../util/harness.js';
import { float, int } from '../browser/onnx/model-writer.js';
import { contribFeeds, contribModel, randomTensor, type ContribTensor } from './model-util.js';
import type { Tensor } from './reference.js';
import { asTensor, attentionRef, headsOf, type Heads } from './attention-reference.js';
import { loadModel, runModel } from './run-model.js';
import type { BackendName } from '../../src/runtime/backends.js';

const [heads, kvHeads, size, maxSequence] = [4, 2, 16, 12];
const group = heads / kvHeads;

interface Step {
  batch: number;
  sequence: number;
  /** The past cache's length, or null for none. */
  past: number | null;
  total: number;
  seqlens: number[];
  packed?: boolean;
  rotary?: { interleaved: boolean };
  window?: number;
  softcap?: number;
  scale?: number;
  /** position_ids (batch x S) placing the rotation. */
  positionIds?: number[];
  /** attention_bias: its batch and head counts (1 broadcasts), over (S, total). */
  bias?: { batch: number; heads: number };
}

/** Each vector turned by the angles of its position (cos and sin rows of maxSequence x size / 2). */
function rotateRef(h: Heads, position: (b: number, l: number) => number, cos: Tensor, sin: Tensor, interleaved: boolean): Heads {
  const half = size / 2;
  return h.map((perHead, b) => perHead.map((rows) => rows.map((x, l) => {
    const y = [...x];
    const p = position(b, l);
    for (let i = 0; i < half; i++) {
      const [first, second] = interleaved ? [2 * i, 2 * i + 1] : [i, i + half];
      const [c, s] = [cos.data[p * half + i]!, sin.data[p * half + i]!];
      y[first] = x[first]! * c - x[second]! * s;
      y[second] = x[second]! * c + x[first]! * s;
    }
    return y;
  })));
}

/** The present cache: the past up to each batch's past length, the new vectors after it, zeros beyond. */
function presentRef(past: Heads | null, next: Heads, pastEnds: readonly number[], length: number, sequence: number): Heads {
  return next.map((perHead, b) => perHead.map((rows, n) => Array.from({ length }, (_, j) => {
    if (j < pastEnds[b]!) return past![b]![n]![j]!;
    if (j < pastEnds[b]! + sequence) return rows[j - pastEnds[b]!]!;
    return new Array<number>(size).fill(0);
  })));
}

function stepCase(step: Step, seed: number) {
  const { batch, sequence } = step;
  const tensor = (shape: number[], k: number) => randomTensor(shape, seed + k);
  const query = tensor([batch, sequence, (step.packed ? heads + 2 * kvHeads : heads) * size], 0);
  const key = tensor([batch, sequence, kvHeads * size], 1);
  const value = tensor([batch, sequence, kvHeads * size], 2);
  const pastKey = step.past === null ? null : tensor([batch, kvHeads, step.past, size], 3);
  const pastValue = step.past === null ? null : tensor([batch, kvHeads, step.past, size], 4);
  const [cos, sin] = [tensor([maxSequence, size / 2], 5), tensor([maxSequence, size / 2], 6)];
  const input = (name: string, t: Tensor | null): ContribTensor | '' => (t ? { name, shape: t.shape, data: Float32Array.from(t.data) } : '');
  const inputs: (ContribTensor | '')[] = [
    input('q', query), step.packed ? '' : input('k', key), step.packed ? '' : input('v', value), input('pk', pastKey), input('pv', pastValue),
    { name: 'seqlens', shape: [batch], data: Int32Array.from(step.seqlens) },
    { name: 'total', shape: [1], data: Int32Array.from([step.total]), constant: true },
  ];
  inputs.push(step.rotary ? { ...input('cos', cos) as ContribTensor, constant: true } : '', step.rotary ? { ...input('sin', sin) as ContribTensor, constant: true } : '');
  inputs.push(step.positionIds ? { name: 'positionIds', shape: [batch, sequence], data: BigInt64Array.from(step.positionIds, BigInt) } : '');
  const bias = step.bias ? tensor([step.bias.batch, step.bias.heads, sequence, step.total], 7) : null;
  inputs.push(input('bias', bias));

  // The reference: packed queries hold Q, K, V one after the other in each token's row.
  const width = query.shape[2]!;
  const columns = (start: number, count: number): Tensor => ({
    shape: [batch, sequence, count], data: query.data.filter((_, i) => i % width >= start && i % width < start + count),
  });
  const [q, k, v] = step.packed
    ? [columns(0, heads * size), columns(heads * size, kvHeads * size), columns((heads + kvHeads) * size, kvHeads * size)]
    : [query, key, value];
  const firstPrompt = sequence === step.total;
  const pastEnds = step.seqlens.map((last) => (firstPrompt ? 0 : last + 1 - sequence));
  const position = (b: number, s: number) => pastEnds[b]! + s;
  const rotaryPosition = (b: number, s: number) => (step.positionIds ? step.positionIds[b * sequence + s]! : position(b, s));
  const turn = (h: Heads) => (step.rotary ? rotateRef(h, rotaryPosition, cos, sin, step.rotary.interleaved) : h);
  const length = Math.max(step.total, step.past ?? 0);
  const presentKey = presentRef(pastKey && headsOf(pastKey, kvHeads, 'BNSH'), turn(headsOf(k, kvHeads, 'BSD')), pastEnds, length, sequence);
  const presentValue = presentRef(pastValue && headsOf(pastValue, kvHeads, 'BNSH'), headsOf(v, kvHeads, 'BSD'), pastEnds, length, sequence);
  const window = step.window ?? -1;
  const biasAt = (b: number, n: number, s: number, j: number) => (bias && step.bias
    ? bias.data[(((step.bias.batch === 1 ? 0 : b) * step.bias.heads + (step.bias.heads === 1 ? 0 : n)) * sequence + s) * step.total + j]! : 0);
  const y = attentionRef(turn(headsOf(q, heads, 'BSD')), presentKey, presentValue, step.scale ?? 1 / Math.sqrt(size), (x, b, n, s, j) => {
    const p = position(b, s);
    if (j > p || j > step.seqlens[b]! || (window > 0 && j <= p - window)) return null;
    return (step.softcap ? step.softcap * Math.tanh(x / step.softcap) : x) + biasAt(b, n, s, j);
  }, (n) => Math.floor(n / group));
  return { inputs, expected: { y, presentKey: asTensor(presentKey), presentValue: asTensor(presentValue) } };
}

async function check(backend: BackendName, step: Step, seed: number) {
  const { inputs, expected } = stepCase(step, seed);
  const attributes = {
    num_heads: int(heads), kv_num_heads: int(kvHeads),
    ...(step.rotary ? { do_rotary: int(1), rotary_interleaved: int(step.rotary.interleaved ? 1 : 0) } : {}),
    ...(step.window ? { local_window_size: int(step.window) } : {}),
    ...(step.softcap ? { softcap: float(step.softcap) } : {}),
    ...(step.scale ? { scale: float(step.scale) } : {}),
  };
  const bytes = contribModel('GroupQueryAttention', inputs, attributes, ['y', 'presentKey', 'presentValue']);
  const results = await runModel(backend, bytes, contribFeeds(inputs));
  for (const [name, tensor] of Object.entries(expected)) assertClose(results[name] as never, tensor, { atol: 1e-5 }, name);
}

forEachBackend('ONNX import: GroupQueryAttention', (backend) => {
  it('a first prompt (S = total length), right-padded in its second batch', () =>
    check(backend, { batch: 2, sequence: 3, past: null, total: 3, seqlens: [2, 1] }, 600));

  it('a token after a past of the same length in each batch: the cache grows to the total length', () =>
    check(backend, { batch: 2, sequence: 1, past: 2, total: 3, seqlens: [2, 2] }, 610));

  it('a token into a cache buffer longer than the total, batches of different past lengths', () =>
    check(backend, { batch: 2, sequence: 1, past: 4, total: 3, seqlens: [2, 1] }, 620));

  it('a later prompt of two tokens after a past (batch 1)', () =>
    check(backend, { batch: 1, sequence: 2, past: 2, total: 4, seqlens: [3] }, 630));

  it('query, key and value packed in the query input', () =>
    check(backend, { batch: 2, sequence: 1, past: 4, total: 3, seqlens: [2, 1], packed: true }, 640));

  for (const interleaved of [false, true]) {
    it(`rotary embedding at the tokens' positions${interleaved ? ', interleaved' : ''}: first prompt, then a token`, async () => {
      await check(backend, { batch: 2, sequence: 3, past: null, total: 3, seqlens: [2, 2], rotary: { interleaved } }, 650);
      await check(backend, { batch: 2, sequence: 1, past: 4, total: 3, seqlens: [2, 1], rotary: { interleaved } }, 660);
    });
  }

  it('a local window of 2 positions, softcap and a scale', async () => {
    await check(backend, { batch: 1, sequence: 5, past: null, total: 5, seqlens: [4], window: 2 }, 670);
    await check(backend, { batch: 2, sequence: 1, past: 6, total: 6, seqlens: [5, 3], window: 2, softcap: 0.5, scale: 0.7 }, 680);
  });

  it('position_ids placing the rotation, an attention bias per batch and head after softcap', () =>
    check(backend, { batch: 2, sequence: 1, past: 4, total: 3, seqlens: [2, 1], rotary: { interleaved: false }, positionIds: [7, 3],
      bias: { batch: 2, heads }, softcap: 0.5 }, 685));

  it('an attention bias broadcast over batch and heads, on a first prompt', () =>
    check(backend, { batch: 2, sequence: 3, past: null, total: 3, seqlens: [2, 2], bias: { batch: 1, heads: 1 } }, 687));

  it('a total_sequence_length computed at run time is refused: it sizes the present cache', () => {
    const { inputs } = stepCase({ batch: 1, sequence: 1, past: 2, total: 3, seqlens: [2] }, 690);
    inputs[6] = { name: 'total', shape: [1], data: Int32Array.from([3]) };
    return assertThrows(() => loadModel(backend, contribModel('GroupQueryAttention', inputs, { num_heads: int(heads), kv_num_heads: int(kvHeads) })),
      'NotSupportedError', "node 'GroupQueryAttention_0' (com.microsoft.GroupQueryAttention, opset 1): its total sequence length (input 6) must be a constant, known when the model loads");
  });

  it('smooth_softmax is refused', () => {
    const { inputs } = stepCase({ batch: 1, sequence: 1, past: 2, total: 3, seqlens: [2] }, 691);
    return assertThrows(() => loadModel(backend, contribModel('GroupQueryAttention', inputs,
      { num_heads: int(heads), kv_num_heads: int(kvHeads), smooth_softmax: int(1) })),
    'NotSupportedError', "node 'GroupQueryAttention_0' (com.microsoft.GroupQueryAttention, opset 1): smooth_softmax = 1 is not mapped");
  });
});
