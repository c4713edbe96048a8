// The benchmark cases. Each describes one computation twice: as a WebNN graph (`graph`) and as the TF.js code a
// developer would write for it directly (`tfjs`, with the weights already uploaded by `tfjsSetup`). Both see the same
// input data and read back the same output.

import { mobileNetV2Cases } from './mobilenet-v2-cases.mjs';

/** Deterministic pseudo-random floats in [-scale, scale). */
export function values(count, seed, scale = 1) {
  const out = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = ((state / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

const f32 = (shape) => ({ dataType: 'float32', shape });
const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);

/** conv 3x3 (8 -> 16) + relu, conv 3x3 stride 2 (16 -> 32) + relu, conv 1x1 (32 -> 8): NHWC, filters OHWI. */
const convLayers = [
  { inC: 8, outC: 16, k: 3, stride: 1, relu: true },
  { inC: 16, outC: 32, k: 3, stride: 2, relu: true },
  { inC: 32, outC: 8, k: 1, stride: 1, relu: false },
];
const convWeights = convLayers.map((l, i) => ({
  // OHWI, the layout WebNN clients use with NHWC input.
  filter: values(l.outC * l.k * l.k * l.inC, 11 + i, 1 / Math.sqrt(l.k * l.k * l.inC)),
  bias: values(l.outC, 101 + i, 0.1),
}));

const convNet = {
  name: 'conv net 32x32 (3 conv2d+bias+relu)',
  needs: ['conv2d', 'relu'],
  inputShape: [1, 32, 32, 8],
  graph(builder, x) {
    let y = x;
    convLayers.forEach((l, i) => {
      const filter = builder.constant(f32([l.outC, l.k, l.k, l.inC]), convWeights[i].filter);
      const bias = builder.constant(f32([l.outC]), convWeights[i].bias);
      const pad = (l.k - 1) >> 1;
      y = builder.conv2d(y, filter, {
        inputLayout: 'nhwc', filterLayout: 'ohwi', bias, strides: [l.stride, l.stride], padding: [pad, pad, pad, pad],
      });
      if (l.relu) y = builder.relu(y);
    });
    return y;
  },
  tfjsSetup(tf) {
    // TF.js wants HWIO filters; a hand-written model would store them that way.
    return tf.tidy(() => convLayers.map((l, i) => ({
      filter: tf.transpose(tf.tensor(convWeights[i].filter, [l.outC, l.k, l.k, l.inC]), [1, 2, 3, 0]),
      bias: tf.tensor(convWeights[i].bias, [l.outC]),
    })));
  },
  tfjs(tf, x, weights) {
    let y = x;
    convLayers.forEach((l, i) => {
      const pad = (l.k - 1) >> 1;
      y = tf.fused.conv2d({
        x: y, filter: weights[i].filter, bias: weights[i].bias, strides: l.stride,
        pad: [[0, 0], [pad, pad], [pad, pad], [0, 0]], activation: l.relu ? 'relu' : 'linear',
      });
    });
    return y;
  },
};

/** Three dense layers: relu(x W1 + b1) -> relu(. W2 + b2) -> . W3 + b3, on [16, 256]. */
const mlpLayers = [[256, 256], [256, 256], [256, 64]];
const mlpWeights = mlpLayers.map(([k, n], i) => ({ w: values(k * n, 201 + i, 1 / Math.sqrt(k)), b: values(n, 301 + i, 0.1) }));

const matmulChain = {
  name: 'matmul chain [16,256] (3 matmul+add+relu)',
  needs: ['matmul', 'add', 'relu'],
  inputShape: [16, 256],
  graph(builder, x) {
    let y = x;
    mlpLayers.forEach(([k, n], i) => {
      const w = builder.constant(f32([k, n]), mlpWeights[i].w);
      const b = builder.constant(f32([n]), mlpWeights[i].b);
      y = builder.add(builder.matmul(y, w), b);
      if (i < mlpLayers.length - 1) y = builder.relu(y);
    });
    return y;
  },
  tfjsSetup(tf) {
    return mlpLayers.map(([k, n], i) => ({ w: tf.tensor(mlpWeights[i].w, [k, n]), b: tf.tensor(mlpWeights[i].b, [n]) }));
  },
  tfjs(tf, x, weights) {
    let y = x;
    weights.forEach(({ w, b }, i) => {
      y = tf.fused.matMul({ a: y, b: w, bias: b, activation: i < weights.length - 1 ? 'relu' : 'linear' });
    });
    return y;
  },
};

/** Per-operation overhead: 200 adds of [1,16], each with its own constant. */
const ADDS = 200;
const addends = Array.from({ length: ADDS }, (_, i) => values(16, 401 + i, 0.01));

const tinyAdds = {
  name: `chain of ${ADDS} adds [1,16]`,
  needs: ['add'],
  inputShape: [1, 16],
  graph(builder, x) {
    let y = x;
    for (const data of addends) y = builder.add(y, builder.constant(f32([1, 16]), data));
    return y;
  },
  tfjsSetup(tf) {
    return addends.map((data) => tf.tensor(data, [1, 16]));
  },
  tfjs(tf, x, constants) {
    let y = x;
    for (const c of constants) y = tf.add(y, c);
    return y;
  },
};

/** Fixed cost per dispatch: one add of [1,16] and a constant (write, dispatch and read of 64 bytes). */
const oneAdd = {
  name: 'one add [1,16]',
  needs: ['add'],
  inputShape: [1, 16],
  graph(builder, x) {
    return builder.add(x, builder.constant(f32([1, 16]), addends[0]));
  },
  tfjsSetup(tf) {
    return tf.tensor(addends[0], [1, 16]);
  },
  tfjs(tf, x, constant) {
    return tf.add(x, constant);
  },
};

/** Two attention + feed-forward layers of width 64 over [1, sequence, 64]: matmul, softmax, layerNormalization. */
const WIDTH = 64;
const attentionWeights = [0, 1].map((layer) => ['q', 'k', 'v', 'up', 'down'].map((name, i) => {
  const [k, n] = name === 'up' ? [WIDTH, 4 * WIDTH] : name === 'down' ? [4 * WIDTH, WIDTH] : [WIDTH, WIDTH];
  return { k, n, data: values(k * n, 500 + 10 * layer + i, 1 / Math.sqrt(k)) };
}));

const attentionBlock = {
  name: 'attention block [1,32,64] (2 layers)',
  needs: ['matmul', 'softmax', 'layerNormalization', 'transpose'],
  inputShape: [1, 32, WIDTH],
  graph(builder, x) {
    let h = x;
    for (const weights of attentionWeights) {
      const [q, k, v, up, down] = weights.map((w) => builder.constant(f32([w.k, w.n]), w.data));
      const scores = builder.matmul(builder.matmul(h, q), builder.transpose(builder.matmul(h, k), { permutation: [0, 2, 1] }));
      h = builder.layerNormalization(builder.add(h, builder.matmul(builder.softmax(scores, 2), builder.matmul(h, v))), { axes: [2] });
      const ff = builder.matmul(builder.relu(builder.matmul(h, up)), down);
      h = builder.layerNormalization(builder.add(h, ff), { axes: [2] });
    }
    return h;
  },
  tfjsSetup(tf) {
    return attentionWeights.map((weights) => weights.map((w) => tf.tensor(w.data, [w.k, w.n])));
  },
  tfjs(tf, x, layers) {
    const norm = (t) => {
      const { mean, variance } = tf.moments(t, [2], true);
      return tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5)));
    };
    let h = x;
    for (const [q, k, v, up, down] of layers) {
      const scores = tf.matMul(tf.matMul(h, q), tf.transpose(tf.matMul(h, k), [0, 2, 1]));
      h = norm(tf.add(h, tf.matMul(tf.softmax(scores, 2), tf.matMul(h, v))));
      h = norm(tf.add(h, tf.matMul(tf.relu(tf.matMul(h, up)), down)));
    }
    return h;
  },
};

/**
 * The same computations with named input dimensions (the dynamic-shape proposal), dispatched at the static cases'
 * sizes: the cost of resolving the shapes at each dispatch, against the same TF.js code.
 */
const named = (c, symbolicShape, what) => ({ ...c, name: `${c.name}, ${what} named`, symbolicShape });
const dynamicCases = [
  named(convNet, [1, 'height', 'width', 8], 'height/width'),
  named(matmulChain, ['batch', 256], 'batch'),
  named(tinyAdds, ['n', 16], 'batch'),
  named(attentionBlock, [1, 'sequence', WIDTH], 'sequence'),
  // Each run at the next of 8 lengths: every length's plan stays cached.
  { ...named(attentionBlock, [1, 'sequence', WIDTH], 'sequence'), name: 'attention block, sequence cycling 25..32',
    inputShapes: Array.from({ length: 8 }, (_, i) => [1, 25 + i, WIDTH]) },
  // Each run at the next of 24 lengths, more than the 16 plans kept: every run compiles a plan for its length.
  { ...named(attentionBlock, [1, 'sequence', WIDTH], 'sequence'), name: 'attention block, sequence cycling 9..32',
    inputShapes: Array.from({ length: 24 }, (_, i) => [1, 9 + i, WIDTH]) },
];

export const cases = [oneAdd, convNet, matmulChain, tinyAdds, attentionBlock, ...mobileNetV2Cases, ...dynamicCases]
  .map((c) => ({ ...c, input: values(sizeOf(c.inputShape), 7) }));
