/**
 * Single-node models of ONNX Runtime's contrib operators (com.microsoft) computed by the importer and by ORT-web's
 * wasm execution provider, within 1e-4: the float64 tests hold each operator to its definition, these to ONNX Runtime.
 * Integer inputs (positions, masks, lengths) are initializers, as the reference takes float32 inputs.
 */
import { assertClose, forEachBackend, randomData } from '../util/harness.js';
import { float, int, OnnxModelWriter, type OnnxAttribute } from '../browser/onnx/model-writer.js';
import { contribFeeds, contribModel, randomTensor, type ContribTensor } from './model-util.js';
import { ortOutputs, referenceAvailable, type ReferenceOutput } from './ort-reference.js';
import { runModel } from './run-model.js';

interface ContribCase {
  title: string;
  opType: string;
  inputs: (ContribTensor | '')[];
  attributes: Record<string, OnnxAttribute>;
  outputs?: string[];
  domain?: string;
}

let seed = 700;
const floats = (name: string, shape: number[], lo = -1, hi = 1): ContribTensor =>
  ({ name, shape, data: Float32Array.from(randomTensor(shape, seed++, lo, hi).data) });
const constant = (t: ContribTensor): ContribTensor => ({ ...t, constant: true });
const bytes = (name: string, shape: number[]): ContribTensor =>
  ({ name, shape, data: Uint8Array.from(randomData(shape.reduce((p, d) => p * d, 1), seed++, 0, 256), Math.floor), constant: true });
const int32s = (name: string, values: number[], shape = [values.length]): ContribTensor =>
  ({ name, shape, data: Int32Array.from(values), constant: true });
const int64s = (name: string, values: number[], shape = [values.length]): ContribTensor =>
  ({ name, shape, data: BigInt64Array.from(values, BigInt), constant: true });

const CASES: ContribCase[] = [
  { title: 'Gelu', opType: 'Gelu', inputs: [floats('x', [2, 3, 8], -3, 3)], attributes: {} },
  { title: 'BiasGelu', opType: 'BiasGelu', inputs: [floats('x', [2, 3, 8], -3, 3), constant(floats('b', [8]))], attributes: {} },
  { title: 'FastGelu with a bias', opType: 'FastGelu', inputs: [floats('x', [2, 3, 8], -3, 3), constant(floats('b', [8]))], attributes: {} },
  { title: 'QuickGelu', opType: 'QuickGelu', inputs: [floats('x', [2, 3, 8], -3, 3)], attributes: { alpha: float(1.5) } },
  {
    title: 'SkipLayerNormalization, its four outputs', opType: 'SkipLayerNormalization', outputs: ['y', 'mean', 'inv', 'sum'],
    inputs: [floats('x', [2, 3, 16]), floats('skip', [2, 3, 16]), constant(floats('g', [16])), constant(floats('be', [16])), constant(floats('b', [16]))],
    attributes: { epsilon: float(1e-5) },
  },
  {
    title: 'SkipSimplifiedLayerNormalization', opType: 'SkipSimplifiedLayerNormalization', outputs: ['y', '', 'inv', 'sum'],
    inputs: [floats('x', [2, 3, 16]), floats('skip', [3, 16]), constant(floats('g', [16])), constant(floats('b', [16]))], attributes: {},
  },
  {
    title: 'SimplifiedLayerNormalization (default domain)', opType: 'SimplifiedLayerNormalization', domain: '', outputs: ['y', 'inv'],
    inputs: [floats('x', [2, 3, 16]), constant(floats('g', [16]))], attributes: { epsilon: float(1e-6) },
  },
  {
    title: 'RotaryEmbedding, interleaved, (batch, sequence, hidden)', opType: 'RotaryEmbedding',
    inputs: [floats('x', [2, 3, 32]), int64s('p', [0, 1, 2, 4, 7, 9], [2, 3]), constant(floats('cos', [10, 8])), constant(floats('sin', [10, 8]))],
    attributes: { interleaved: int(1) },
  },
  {
    title: 'RotaryEmbedding, (batch, heads, sequence, head), an offset, half the head', opType: 'RotaryEmbedding',
    inputs: [floats('x', [2, 2, 3, 16]), int64s('p', [5]), constant(floats('cos', [10, 4])), constant(floats('sin', [10, 4]))],
    attributes: { rotary_embedding_dim: int(8), num_heads: int(2) },
  },
  {
    title: 'MatMulNBits, 4-bit, zero points and bias', opType: 'MatMulNBits',
    inputs: [floats('a', [2, 3, 64]), bytes('B', [5, 2, 16]), constant(floats('s', [10], 0.01, 0.1)), bytes('z', [5]), '', constant(floats('bias', [5]))],
    attributes: { K: int(64), N: int(5), bits: int(4), block_size: int(32) },
  },
  {
    title: 'MatMulNBits, 8-bit, K not a multiple of the block', opType: 'MatMulNBits',
    inputs: [floats('a', [4, 40]), bytes('B', [3, 3, 16]), constant(floats('s', [9], 0.001, 0.01))],
    attributes: { K: int(40), N: int(3), bits: int(8), block_size: int(16) },
  },
  {
    title: 'MultiHeadAttention: bias, key padding mask, past, unidirectional', opType: 'MultiHeadAttention', outputs: ['y', 'pk', 'pv'],
    inputs: [floats('q', [2, 3, 16]), floats('k', [2, 3, 16]), floats('v', [2, 3, 16]), constant(floats('bias', [48])),
      int32s('mask', [1, 1, 0, 1, 1, 1, 0, 1, 1, 1], [2, 5]), '', floats('pastK', [2, 2, 2, 8]), floats('pastV', [2, 2, 2, 8])],
    attributes: { num_heads: int(2), unidirectional: int(1) },
  },
  {
    title: 'MultiHeadAttention: cross attention with an attention bias', opType: 'MultiHeadAttention',
    inputs: [floats('q', [2, 3, 16]), floats('k', [2, 2, 5, 8]), floats('v', [2, 2, 5, 8]), '', '', floats('ab', [2, 1, 3, 5])],
    attributes: { num_heads: int(2), scale: float(0.5) },
  },
  {
    title: 'GroupQueryAttention: a token into a cache buffer, rotary', opType: 'GroupQueryAttention', outputs: ['y', 'pk', 'pv'],
    inputs: [floats('q', [2, 1, 64]), floats('k', [2, 1, 32]), floats('v', [2, 1, 32]), floats('pastK', [2, 2, 5, 16]), floats('pastV', [2, 2, 5, 16]),
      int32s('seqlens', [3, 1]), int32s('total', [4]), constant(floats('cos', [8, 8])), constant(floats('sin', [8, 8]))],
    attributes: { num_heads: int(4), kv_num_heads: int(2), do_rotary: int(1) },
  },
  {
    title: 'GroupQueryAttention: position_ids for the rotation, an attention bias', opType: 'GroupQueryAttention', outputs: ['y', 'pk', 'pv'],
    inputs: [floats('q', [2, 1, 64]), floats('k', [2, 1, 32]), floats('v', [2, 1, 32]), floats('pastK', [2, 2, 5, 16]), floats('pastV', [2, 2, 5, 16]),
      int32s('seqlens', [3, 1]), int32s('total', [4]), constant(floats('cos', [8, 8])), constant(floats('sin', [8, 8])), int64s('positions', [6, 2], [2, 1]),
      floats('bias', [2, 4, 1, 4])],
    attributes: { num_heads: int(4), kv_num_heads: int(2), do_rotary: int(1), rotary_interleaved: int(1) },
  },
  {
    title: 'GroupQueryAttention: a first prompt, packed, local window and softcap', opType: 'GroupQueryAttention', outputs: ['y', 'pk', 'pv'],
    inputs: [floats('qkv', [1, 5, 128]), '', '', '', '', int32s('seqlens', [4]), int32s('total', [5])],
    attributes: { num_heads: int(4), kv_num_heads: int(2), local_window_size: int(3), softcap: float(2) },
  },
];

const references = new Map<string, Promise<Record<string, ReferenceOutput>>>();
function referenceFor(c: ContribCase, bytes: Uint8Array) {
  let entry = references.get(c.title);
  if (!entry) {
    entry = ortOutputs(bytes, contribFeeds(c.inputs) as Record<string, { shape: number[]; data: Float32Array }>);
    references.set(c.title, entry);
  }
  return entry;
}

if (referenceAvailable) {
  forEachBackend('ONNX import: com.microsoft operators against ORT-web wasm', (backend) => {
    for (const c of CASES) {
      it(c.title, async () => {
        const model = contribModel(c.opType, c.inputs, c.attributes, c.outputs, c.domain);
        const expected = await referenceFor(c, model);
        const actual = await runModel(backend, model, contribFeeds(c.inputs));
        for (const [name, reference] of Object.entries(expected)) {
          if (!actual[name]) throw new Error(`no output '${name}'`);
          assertClose(actual[name] as never, reference, { atol: 1e-4, rtol: 0 }, `${c.title} output '${name}'`);
        }
      });
    }
  });
}

/**
 * A decoder layer as LLM exports write it with these operators: RMSNorm, 4-bit projections, grouped-query attention
 * with rotary embedding over a past cache, the skip RMSNorm, a QuickGelu MLP and the residual sum.
 */
function decoderLayer(): { bytes: Uint8Array; inputs: Record<string, { shape: number[]; data: Float32Array }> } {
  const [hidden, heads, kvHeads, size, past, inner] = [64, 4, 2, 16, 3, 128];
  const w = new OnnxModelWriter(17, 8);
  const floatsOf = (shape: number[], lo = -1, hi = 1) => Float32Array.from(randomTensor(shape, seed++, lo, hi).data);
  const inputs = { x: { shape: [1, 1, hidden], data: floatsOf([1, 1, hidden]) },
    pastK: { shape: [1, kvHeads, past, size], data: floatsOf([1, kvHeads, past, size]) },
    pastV: { shape: [1, kvHeads, past, size], data: floatsOf([1, kvHeads, past, size]) } };
  for (const [name, t] of Object.entries(inputs)) w.input(name, t.shape);
  const ms = (opType: string, name: string, ins: string[], outs: string[], attributes: Record<string, OnnxAttribute> = {}) =>
    w.nodeWithOutputs(opType, name, ins, outs, attributes, 'com.microsoft');
  const projection = (name: string, input: string, depth: number, columns: number) => {
    const blocks = depth / 32;
    w.initializer(`${name}.B`, [columns, blocks, 16], Uint8Array.from(randomData(columns * blocks * 16, seed++, 0, 256), Math.floor));
    w.initializer(`${name}.scales`, [columns * blocks], floatsOf([columns * blocks], 0.01, 0.05));
    w.initializer(`${name}.zeros`, [columns * Math.ceil(blocks / 2)], Uint8Array.from(randomData(columns * Math.ceil(blocks / 2), seed++, 0, 256), Math.floor));
    ms('MatMulNBits', name, [input, `${name}.B`, `${name}.scales`, `${name}.zeros`], [name],
      { K: int(depth), N: int(columns), bits: int(4), block_size: int(32) });
    return name;
  };
  w.initializer('norm1.g', [hidden], floatsOf([hidden], 0.5, 1.5));
  w.nodeWithOutputs('SimplifiedLayerNormalization', 'norm1', ['x', 'norm1.g'], ['norm1'], { epsilon: float(1e-6) });
  const [q, k, v] = [projection('q', 'norm1', hidden, heads * size), projection('k', 'norm1', hidden, kvHeads * size), projection('v', 'norm1', hidden, kvHeads * size)];
  w.initializer('seqlens', [1], Int32Array.from([past]));
  w.initializer('total', [1], Int32Array.from([past + 1]));
  w.initializer('cos', [8, size / 2], floatsOf([8, size / 2]));
  w.initializer('sin', [8, size / 2], floatsOf([8, size / 2]));
  ms('GroupQueryAttention', 'attention', [q, k, v, 'pastK', 'pastV', 'seqlens', 'total', 'cos', 'sin'], ['attention', 'presentK', 'presentV'],
    { num_heads: int(heads), kv_num_heads: int(kvHeads), do_rotary: int(1) });
  const o = projection('o', 'attention', heads * size, hidden);
  w.initializer('norm2.g', [hidden], floatsOf([hidden], 0.5, 1.5));
  ms('SkipSimplifiedLayerNormalization', 'norm2', [o, 'x', 'norm2.g'], ['norm2', '', '', 'residual'], { epsilon: float(1e-6) });
  const up = projection('up', 'norm2', hidden, inner);
  ms('QuickGelu', 'act', [up], ['act']);
  const down = projection('down', 'act', inner, hidden);
  w.nodeWithOutputs('Add', 'out', [down, 'residual'], ['y']);
  for (const name of ['y', 'presentK', 'presentV']) w.output(name, null);
  return { bytes: w.encode([{ domain: 'com.microsoft', version: 1 }]), inputs };
}

if (referenceAvailable) {
  forEachBackend('ONNX import: a decoder layer of com.microsoft operators against ORT-web wasm', (backend) => {
    const layer = decoderLayer();
    let reference: Promise<Record<string, ReferenceOutput>> | undefined;
    it('one token after a past of 3: output and present cache', async () => {
      reference ??= ortOutputs(layer.bytes, layer.inputs);
      const expected = await reference;
      const actual = await runModel(backend, layer.bytes, layer.inputs);
      for (const [name, values] of Object.entries(expected)) {
        assertClose(actual[name] as never, values, { atol: 1e-4, rtol: 0 }, `output '${name}'`);
        // The comparison means something only if the outputs vary.
        const spread = Math.max(...values.data) - Math.min(...values.data);
        if (!(spread > 0.1)) throw new Error(`output '${name}' spans only ${spread}`);
      }
    });
  });
}
