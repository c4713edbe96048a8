/**
 * ONNX Runtime's contrib operators (com.microsoft, opset 1) of transformer exports: the activations, the skip and
 * root-mean-square normalizations and RotaryEmbedding, against float64 references; and what the importer refuses.
 */
import { assertClose, assertThrows, forEachBackend } from '../util/harness.js';
import { ELEM, float, int, OnnxModelWriter } from '../browser/onnx/model-writer.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../../src/types/float16.js';
import { erf } from '../ops/erf-reference.js';
import { contribFeeds, contribModel, randomTensor, type ContribTensor } from './model-util.js';
import type { Tensor } from './reference.js';
import { loadModel, runModel } from './run-model.js';
import type { BackendName } from '../../src/runtime/backends.js';
import type { OnnxAttribute } from '../browser/onnx/model-writer.js';

const graphInput = (name: string, t: Tensor): ContribTensor => ({ name, shape: t.shape, data: Float32Array.from(t.data) });
const constant = (name: string, t: Tensor): ContribTensor => ({ ...graphInput(name, t), constant: true });

async function check(backend: BackendName, opType: string, inputs: (ContribTensor | '')[], attributes: Record<string, OnnxAttribute>,
  expected: Record<string, Tensor>, outputs: string[] = ['y'], domain = 'com.microsoft', tolerance?: { atol?: number; rtol?: number }) {
  const results = await runModel(backend, contribModel(opType, inputs, attributes, outputs, domain), contribFeeds(inputs));
  for (const [name, tensor] of Object.entries(expected)) assertClose(results[name] as never, tensor, tolerance, `${opType} ${name}`);
}

const map = (t: Tensor, fn: (v: number, i: number) => number): Tensor => ({ shape: [...t.shape], data: t.data.map(fn) });
/** Adds a vector along the last axis. */
const plusRow = (t: Tensor, row: readonly number[]) => map(t, (v, i) => v + row[i % row.length]!);
const geluRef = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));

/**
 * Per row of the trailing `axes` axes: fn's results for the row's values, the whole row (same shape) or one value
 * (those axes kept as 1).
 */
function perRow(t: Tensor, axes: number, fn: (row: number[]) => number[]): Tensor {
  const width = t.shape.slice(-axes).reduce((p, q) => p * q, 1);
  const data: number[] = [];
  for (let start = 0; start < t.data.length; start += width) data.push(...fn(t.data.slice(start, start + width)));
  const kept = t.shape.slice(0, -axes);
  return { shape: data.length === t.data.length ? [...t.shape] : [...kept, ...new Array<number>(axes).fill(1)], data };
}
const mean = (v: readonly number[]) => v.reduce((p, q) => p + q, 0) / v.length;

forEachBackend('ONNX import: com.microsoft activations', (backend) => {
  const x = randomTensor([2, 3, 8], 300, -3, 3);
  const bias = randomTensor([8], 301);

  it('Gelu (the erf form)', () => check(backend, 'Gelu', [graphInput('x', x)], {}, { y: map(x, geluRef) }));

  it('BiasGelu adds the bias first', () =>
    check(backend, 'BiasGelu', [graphInput('x', x), constant('b', bias)], {}, { y: map(plusRow(x, bias.data), geluRef) }));

  it('FastGelu (the tanh form) with and without a bias', async () => {
    const fast = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    await check(backend, 'FastGelu', [graphInput('x', x), constant('b', bias)], {}, { y: map(plusRow(x, bias.data), fast) });
    await check(backend, 'FastGelu', [graphInput('x', x)], {}, { y: map(x, fast) });
  });

  it('QuickGelu: x sigmoid(alpha x), alpha 1.702 by default', async () => {
    const quick = (alpha: number) => (v: number) => v / (1 + Math.exp(-alpha * v));
    await check(backend, 'QuickGelu', [graphInput('x', x)], {}, { y: map(x, quick(Math.fround(1.702))) });
    await check(backend, 'QuickGelu', [graphInput('x', x)], { alpha: float(0.5) }, { y: map(x, quick(0.5)) });
  });

  it('BiasAdd: input + bias + skip', () => {
    const skip = randomTensor([2, 3, 8], 302);
    return check(backend, 'BiasAdd', [graphInput('x', x), constant('b', bias), graphInput('s', skip)], {},
      { y: map(plusRow(x, bias.data), (v, i) => v + skip.data[i]!) });
  });
});

forEachBackend('ONNX import: skip and root-mean-square normalizations', (backend) => {
  const x = randomTensor([2, 3, 8], 310, -2, 2);
  const skip = randomTensor([2, 3, 8], 311);
  const gamma = randomTensor([8], 312, 0.5, 1.5);
  const beta = randomTensor([8], 313);
  const bias = randomTensor([8], 314);
  const sum = map(plusRow(x, bias.data), (v, i) => v + skip.data[i]!);

  it('SkipLayerNormalization: output, mean, inv_std_var and input_skip_bias_sum', () => {
    const epsilon = 1e-5;
    const stats = (row: number[]) => {
      const m = mean(row);
      return { m, inv: 1 / Math.sqrt(mean(row.map((v) => (v - m) ** 2)) + epsilon) };
    };
    const y = perRow(sum, 1, (row) => {
      const { m, inv } = stats(row);
      return row.map((v, k) => (v - m) * inv * gamma.data[k]! + beta.data[k]!);
    });
    return check(backend, 'SkipLayerNormalization',
      [graphInput('x', x), graphInput('s', skip), constant('g', gamma), constant('be', beta), constant('b', bias)],
      { epsilon: float(epsilon) },
      { y, mean: perRow(sum, 1, (row) => [stats(row).m]), inv: perRow(sum, 1, (row) => [stats(row).inv]), sum },
      ['y', 'mean', 'inv', 'sum'], 'com.microsoft', { atol: 1e-5 });
  });

  const layerNorm = (epsilon: number) => (row: number[]) => {
    const m = mean(row);
    const inv = 1 / Math.sqrt(mean(row.map((v) => (v - m) ** 2)) + epsilon);
    return row.map((v, k) => (v - m) * inv * gamma.data[k]!);
  };

  it('SkipLayerNormalization with a (sequence, hidden) skip, no beta and no bias', () => {
    const shortSkip = randomTensor([3, 8], 315);
    return check(backend, 'SkipLayerNormalization', [graphInput('x', x), graphInput('s', shortSkip), constant('g', gamma)],
      { epsilon: float(1e-5) }, { y: perRow(map(x, (v, i) => v + shortSkip.data[i % 24]!), 1, layerNorm(1e-5)) },
      ['y'], 'com.microsoft', { atol: 1e-5 });
  });

  it('SkipLayerNormalization of (tokens, hidden) inputs', () => {
    const [tokens, tokenSkip] = [randomTensor([5, 8], 317), randomTensor([5, 8], 318)];
    return check(backend, 'SkipLayerNormalization', [graphInput('x', tokens), graphInput('s', tokenSkip), constant('g', gamma)],
      { epsilon: float(1e-5) }, { y: perRow(map(tokens, (v, i) => v + tokenSkip.data[i]!), 1, layerNorm(1e-5)) },
      ['y'], 'com.microsoft', { atol: 1e-5 });
  });

  it('SkipLayerNormalization takes epsilon 1e-12 by default', () => {
    // Values of variance ~1e-10: normalized with epsilon 1e-5 they would nearly vanish.
    const small = map(x, (v) => v * 1e-5);
    const none = map(skip, () => 0);
    return check(backend, 'SkipLayerNormalization', [graphInput('x', small), graphInput('s', none), constant('g', gamma)], {},
      { y: perRow(small, 1, layerNorm(1e-12)) }, ['y'], 'com.microsoft');
  });

  const rms = (epsilon: number, scale: readonly number[]) => (row: number[]) => {
    const inv = 1 / Math.sqrt(mean(row.map((v) => v * v)) + epsilon);
    return row.map((v, k) => v * inv * scale[k % scale.length]!);
  };

  it('SkipSimplifiedLayerNormalization: output, inv_std_var and input_skip_bias_sum', () =>
    check(backend, 'SkipSimplifiedLayerNormalization',
      [graphInput('x', x), graphInput('s', skip), constant('g', gamma), constant('b', bias)], { epsilon: float(1e-6) },
      {
        y: perRow(sum, 1, rms(1e-6, gamma.data)),
        inv: perRow(sum, 1, (row) => [1 / Math.sqrt(mean(row.map((v) => v * v)) + 1e-6)]),
        sum,
      }, ['y', '', 'inv', 'sum'], 'com.microsoft', { atol: 1e-5 }));

  it('SkipSimplifiedLayerNormalization takes epsilon 1e-12 by default', () => {
    const small = map(x, (v) => v * 1e-5);
    const none = map(skip, () => 0);
    return check(backend, 'SkipSimplifiedLayerNormalization', [graphInput('x', small), graphInput('s', none), constant('g', gamma)], {},
      { y: perRow(small, 1, rms(1e-12, gamma.data)) }, ['y'], 'com.microsoft');
  });

  it('SimplifiedLayerNormalization (default domain) over the last two axes, with inv_std_var', () => {
    const scale = randomTensor([3, 8], 316, 0.5, 1.5);
    return check(backend, 'SimplifiedLayerNormalization', [graphInput('x', x), constant('g', scale)], { axis: int(-2), epsilon: float(1e-3) },
      { y: perRow(x, 2, rms(1e-3, scale.data)), inv: perRow(x, 2, (row) => [1 / Math.sqrt(mean(row.map((v) => v * v)) + 1e-3)]) },
      ['y', 'inv'], '', { atol: 1e-5 });
  });

  it('SimplifiedLayerNormalization of float16 values (statistics in float32)', async () => {
    const half = (t: Tensor) => ({ shape: t.shape, data: t.data.map((v) => float16BitsToNumber(numberToFloat16Bits(v))) });
    const [x16, gamma16] = [half(x), half(gamma)];
    const bits = (name: string, t: Tensor, isConstant = false): ContribTensor =>
      ({ name, shape: t.shape, data: Uint16Array.from(t.data, numberToFloat16Bits), elemType: ELEM.float16, constant: isConstant });
    const inputs = [bits('x', x16), bits('g', gamma16, true)];
    const bytes = contribModel('SimplifiedLayerNormalization', inputs, {}, [{ name: 'y', elemType: ELEM.float16 }], '');
    const { y } = await runModel(backend, bytes, contribFeeds(inputs));
    assertClose(y as never, perRow(x16, 1, rms(1e-5, gamma16.data)));
  });

  it('SimplifiedLayerNormalization takes epsilon 1e-5 by default', () => {
    const small = map(x, (v) => v * 1e-3);
    return check(backend, 'SimplifiedLayerNormalization', [graphInput('x', small), constant('g', gamma)], {},
      { y: perRow(small, 1, rms(1e-5, gamma.data)) }, ['y'], '', { atol: 1e-5 });
  });
});

interface RotaryCase {
  fourD: boolean;
  interleaved: boolean;
  heads: number;
  headSize: number;
  rotaryDim: number;
}

/** RotaryEmbedding in float64: each head's first rotaryDim values turned by the angles of the token's position. */
function rotaryRef(x: Tensor, positions: readonly (readonly number[])[], cos: Tensor, sin: Tensor, c: RotaryCase): Tensor {
  const data = [...x.data];
  const [batch, sequence] = c.fourD ? [x.shape[0]!, x.shape[2]!] : [x.shape[0]!, x.shape[1]!];
  const half = c.rotaryDim / 2;
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < sequence; s++) {
      const p = positions[b]![s]!;
      for (let head = 0; head < c.heads; head++) {
        const base = c.fourD ? ((b * c.heads + head) * sequence + s) * c.headSize : (b * sequence + s) * c.heads * c.headSize + head * c.headSize;
        for (let i = 0; i < half; i++) {
          const [first, second] = c.interleaved ? [base + 2 * i, base + 2 * i + 1] : [base + i, base + i + half];
          const [u, v] = [x.data[first]!, x.data[second]!];
          const [cs, sn] = [cos.data[p * half + i]!, sin.data[p * half + i]!];
          data[first] = u * cs - v * sn;
          data[second] = v * cs + u * sn;
        }
      }
    }
  }
  return { shape: [...x.shape], data };
}

forEachBackend('ONNX import: RotaryEmbedding', (backend) => {
  const [batch, sequence, heads, headSize, maxSequence] = [2, 3, 2, 8, 10];
  const ids = [[0, 1, 2], [5, 6, 9]];
  const positionIds: ContribTensor = { name: 'p', shape: [batch, sequence], data: BigInt64Array.from(ids.flat(), BigInt) };
  const cache = (half: number, seed: number) => randomTensor([maxSequence, half], seed);

  for (const fourD of [false, true]) {
    for (const interleaved of [false, true]) {
      const layout = fourD ? '(batch, heads, sequence, head)' : '(batch, sequence, hidden)';
      const shape = fourD ? [batch, heads, sequence, headSize] : [batch, sequence, heads * headSize];
      const x = randomTensor(shape, 320);
      const attributes = { interleaved: int(interleaved ? 1 : 0) };

      it(`${layout}${interleaved ? ', interleaved' : ''}: position_ids computed at run time`, () => {
        const [cos, sin] = [cache(headSize / 2, 321), cache(headSize / 2, 322)];
        return check(backend, 'RotaryEmbedding', [graphInput('x', x), positionIds, constant('cos', cos), constant('sin', sin)], attributes,
          { y: rotaryRef(x, ids, cos, sin, { fourD, interleaved, heads, headSize, rotaryDim: headSize }) });
      });

      it(`${layout}${interleaved ? ', interleaved' : ''}: a constant position offset, half the head rotated`, () => {
        const [cos, sin] = [cache(headSize / 4, 323), cache(headSize / 4, 324)];
        const offset: ContribTensor = { name: 'p', shape: [1], data: BigInt64Array.from([4n]), constant: true };
        const rows = [4, 5, 6];
        return check(backend, 'RotaryEmbedding', [graphInput('x', x), offset, constant('cos', cos), constant('sin', sin)],
          { ...attributes, num_heads: int(heads), rotary_embedding_dim: int(headSize / 2) },
          { y: rotaryRef(x, [rows, rows], cos, sin, { fourD, interleaved, heads, headSize, rotaryDim: headSize / 2 }) });
      });
    }
  }

  it('a position offset given at run time; the head count taken from the cache width', () => {
    const x = randomTensor([batch, sequence, heads * headSize], 325);
    const [cos, sin] = [cache(headSize / 2, 326), cache(headSize / 2, 327)];
    const offset: ContribTensor = { name: 'p', shape: [1], data: BigInt64Array.from([7n]) };
    return check(backend, 'RotaryEmbedding', [graphInput('x', x), offset, constant('cos', cos), constant('sin', sin)], {},
      { y: rotaryRef(x, [[7, 8, 9], [7, 8, 9]], cos, sin, { fourD: false, interleaved: false, heads, headSize, rotaryDim: headSize }) });
  });

  it('is_packed_batching is refused, naming the node', () => {
    const x = randomTensor([batch, sequence, heads * headSize], 328);
    const [cos, sin] = [cache(headSize / 2, 329), cache(headSize / 2, 330)];
    const bytes = contribModel('RotaryEmbedding', [graphInput('x', x), positionIds, constant('cos', cos), constant('sin', sin)],
      { is_packed_batching: int(1) });
    return assertThrows(() => loadModel(backend, bytes), 'NotSupportedError',
      "node 'RotaryEmbedding_0' (com.microsoft.RotaryEmbedding, opset 1): is_packed_batching = 1 is not mapped");
  });
});

forEachBackend('ONNX import: domains and opsets of contrib operators', (backend) => {
  const x = graphInput('x', randomTensor([2, 4], 340));

  it('an operator com.microsoft has but the importer does not map', () =>
    assertThrows(() => loadModel(backend, contribModel('FusedConv', [x], {})), 'NotSupportedError',
      "node 'FusedConv_0' (com.microsoft.FusedConv, opset 1): the operator is not supported"));

  it('an operator of a domain the importer does not know', () =>
    assertThrows(() => loadModel(backend, contribModel('Gelu', [x], {}, ['y'], 'org.example')), 'NotSupportedError',
      "node 'Gelu_0' (org.example.Gelu, opset 1): the operator is not supported"));

  it('a com.microsoft opset newer than 1', () => {
    const w = new OnnxModelWriter(17, 8);
    w.input('x', [2, 4]);
    w.nodeWithOutputs('FastGelu', 'fast', ['x'], ['y'], {}, 'com.microsoft');
    w.output('y', null);
    return assertThrows(() => loadModel(backend, w.encode([{ domain: 'com.microsoft', version: 2 }])), 'NotSupportedError',
      "node 'fast' (com.microsoft.FastGelu, opset 2): this importer maps FastGelu for opsets 1 to 1");
  });

  it('SimplifiedLayerNormalization is a default-domain operator only, as ONNX Runtime registers it', () =>
    assertThrows(() => loadModel(backend, contribModel('SimplifiedLayerNormalization', [x, constant('g', randomTensor([4], 341))], {})),
      'NotSupportedError', "node 'SimplifiedLayerNormalization_0' (com.microsoft.SimplifiedLayerNormalization, opset 1): the operator is not supported"));
});
