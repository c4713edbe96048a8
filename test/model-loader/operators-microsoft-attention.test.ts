/**
 * com.microsoft's attention operators against float64 attention: per head, softmax(q . k scale + bias + masks)
 * weighting the values.
 */
import { assertClose, assertThrows, forEachBackend } from '../util/harness.js';
import { float, int } from '../browser/onnx/model-writer.js';
import { contribFeeds, contribModel, randomTensor, type ContribTensor } from './model-util.js';
import type { Tensor } from './reference.js';
import { asTensor, attentionRef, concatPositions, headsOf } from './attention-reference.js';
import { loadModel, runModel } from './run-model.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { OnnxAttribute } from '../browser/onnx/model-writer.js';

const graphInput = (name: string, t: Tensor): ContribTensor => ({ name, shape: t.shape, data: Float32Array.from(t.data) });
const constant = (name: string, t: Tensor): ContribTensor => ({ ...graphInput(name, t), constant: true });

async function check(backend: BackendName, opType: string, inputs: (ContribTensor | '')[], attributes: Record<string, OnnxAttribute>,
  expected: Record<string, Tensor>, outputs: string[] = ['y']) {
  const results = await runModel(backend, contribModel(opType, inputs, attributes, outputs), contribFeeds(inputs));
  for (const [name, tensor] of Object.entries(expected)) assertClose(results[name] as never, tensor, { atol: 1e-5 }, `${opType} ${name}`);
}

forEachBackend('ONNX import: MultiHeadAttention', (backend) => {
  const [batch, sequence, keyLength, heads, size, past] = [2, 3, 4, 2, 4, 2];
  const hidden = heads * size;
  const query = randomTensor([batch, sequence, hidden], 500);
  const key = randomTensor([batch, keyLength, hidden], 501);
  const value = randomTensor([batch, keyLength, hidden], 502);
  const scale = 1 / Math.sqrt(size);
  const plain = (x: number) => x;
  const base = [graphInput('q', query), graphInput('k', key), graphInput('v', value)];

  it('keys and values of another length (cross attention), the scale 1 / sqrt(head size) by default or when 0', async () => {
    const expected = { y: attentionRef(headsOf(query, heads, 'BSD'), headsOf(key, heads, 'BSD'), headsOf(value, heads, 'BSD'), scale, plain) };
    await check(backend, 'MultiHeadAttention', base, { num_heads: int(heads) }, expected);
    await check(backend, 'MultiHeadAttention', base, { num_heads: int(heads), scale: float(0) }, expected);
  });

  it('a bias added to query, key and value, and a scale attribute', () => {
    const bias = randomTensor([3 * hidden], 503);
    const part = (k: number) => bias.data.slice(k * hidden, (k + 1) * hidden);
    return check(backend, 'MultiHeadAttention', [...base, constant('bias', bias)], { num_heads: int(heads), scale: float(0.25) },
      { y: attentionRef(headsOf(query, heads, 'BSD', part(0)), headsOf(key, heads, 'BSD', part(1)), headsOf(value, heads, 'BSD', part(2)), 0.25, plain) });
  });

  it('keys and values already in heads (batch, heads, length, size)', () => {
    const [key4, value4] = [randomTensor([batch, heads, keyLength, size], 504), randomTensor([batch, heads, keyLength, size], 505)];
    return check(backend, 'MultiHeadAttention', [graphInput('q', query), graphInput('k', key4), graphInput('v', value4)], { num_heads: int(heads) },
      { y: attentionRef(headsOf(query, heads, 'BSD'), headsOf(key4, heads, 'BNSH'), headsOf(value4, heads, 'BNSH'), scale, plain) });
  });

  it('a (batch, T) key padding mask adds mask_filter_value where it is 0', () => {
    const mask = [1, 1, 0, 1, 1, 0, 0, 1];
    const input: ContribTensor = { name: 'm', shape: [batch, keyLength], data: Int32Array.from(mask) };
    return check(backend, 'MultiHeadAttention', [...base, '', input], { num_heads: int(heads), mask_filter_value: float(-3) },
      { y: attentionRef(headsOf(query, heads, 'BSD'), headsOf(key, heads, 'BSD'), headsOf(value, heads, 'BSD'), scale,
        (x, b, _n, _s, t) => x + (mask[b * keyLength + t] ? 0 : -3)) });
  });

  it('a (batch) mask of key lengths and an attention bias of (1, heads, S, T)', () => {
    const lengths = [3, 2];
    const input: ContribTensor = { name: 'm', shape: [batch], data: Int32Array.from(lengths) };
    const attentionBias = randomTensor([1, heads, sequence, keyLength], 506);
    return check(backend, 'MultiHeadAttention', [...base, '', input, graphInput('ab', attentionBias)], { num_heads: int(heads) },
      { y: attentionRef(headsOf(query, heads, 'BSD'), headsOf(key, heads, 'BSD'), headsOf(value, heads, 'BSD'), scale,
        (x, b, n, s, t) => x + attentionBias.data[(n * sequence + s) * keyLength + t]! + (t < lengths[b]! ? 0 : -10000)) });
  });

  it('past keys and values prepended and given back as present, causal (unidirectional)', () => {
    const [selfKey, selfValue] = [randomTensor([batch, sequence, hidden], 507), randomTensor([batch, sequence, hidden], 508)];
    const [pastKey, pastValue] = [randomTensor([batch, heads, past, size], 509), randomTensor([batch, heads, past, size], 510)];
    const keys = concatPositions(headsOf(pastKey, heads, 'BNSH'), headsOf(selfKey, heads, 'BSD'));
    const values = concatPositions(headsOf(pastValue, heads, 'BNSH'), headsOf(selfValue, heads, 'BSD'));
    return check(backend, 'MultiHeadAttention',
      [graphInput('q', query), graphInput('k', selfKey), graphInput('v', selfValue), '', '', '', graphInput('pk', pastKey), graphInput('pv', pastValue)],
      { num_heads: int(heads), unidirectional: int(1) },
      {
        y: attentionRef(headsOf(query, heads, 'BSD'), keys, values, scale, (x, _b, _n, s, t) => x + (t > past + s ? -10000 : 0)),
        presentKey: asTensor(keys), presentValue: asTensor(values),
      }, ['y', 'presentKey', 'presentValue']);
  });

  it('a packed QKV query is refused, naming the node', () =>
    assertThrows(() => loadModel(backend, contribModel('MultiHeadAttention',
      [graphInput('q', randomTensor([batch, sequence, heads, 3, size], 511))], { num_heads: int(heads) })), 'NotSupportedError',
    "node 'MultiHeadAttention_0' (com.microsoft.MultiHeadAttention, opset 1): a query of rank 5 (packed QKV) is not mapped"));
});
