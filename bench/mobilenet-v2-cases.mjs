// MobileNetV2 (224x224, width 1.0) with seeded weights, as a WebNN graph in NHWC (filters OHWI) and in NCHW (filters
// OIHW, as every ONNX model arrives), against the same network written directly in TF.js (NHWC, fused kernels; the
// NCHW case's TF.js code transposes its input once, as a developer holding NCHW data would).
import { values } from './cases.mjs';

const f32 = (shape) => ({ dataType: 'float32', shape });

/** [expansion, output channels, repeats, first stride] of the inverted residual stages. */
const STAGES = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
const CLASSES = 1000;

/** Every convolution in order: kernel size, input and output channels, stride, depthwise, relu6, residual add. */
function layers() {
  const list = [{ k: 3, inC: 3, outC: 32, stride: 2, depthwise: false, relu6: true }];
  let channels = 32;
  for (const [t, c, n, s] of STAGES) {
    for (let i = 0; i < n; i++) {
      const hidden = channels * t;
      const residual = i > 0 && channels === c;
      // The first convolution of a block reads the block's input, which a residual add reads again.
      if (t !== 1) list.push({ k: 1, inC: channels, outC: hidden, stride: 1, depthwise: false, relu6: true, blockStart: true });
      list.push({ k: 3, inC: hidden, outC: hidden, stride: i === 0 ? s : 1, depthwise: true, relu6: true, blockStart: t === 1 });
      list.push({ k: 1, inC: hidden, outC: c, stride: 1, depthwise: false, relu6: false, residual });
      channels = c;
    }
  }
  list.push({ k: 1, inC: channels, outC: 1280, stride: 1, depthwise: false, relu6: true });
  return list;
}

const LAYERS = layers();
// OHWI filters ([out, k, k, in], depthwise [channels, k, k, 1]) and biases, seeded.
const WEIGHTS = LAYERS.map((l, i) => {
  const perOutput = l.depthwise ? l.k * l.k : l.k * l.k * l.inC;
  return {
    filter: values(l.outC * perOutput, 1000 + i, Math.sqrt(3 / perOutput)),
    bias: values(l.outC, 2000 + i, 0.05),
  };
});
const FC = { w: values(1280 * CLASSES, 9001, Math.sqrt(3 / 1280)), b: values(CLASSES, 9002, 0.05) };

/** OHWI data ([o, h, w, i]) reordered as OIHW. */
function ohwiToOihw(data, [o, h, w, i]) {
  const out = new Float32Array(data.length);
  for (let a = 0; a < o; a++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < i; c++) {
    out[((a * i + c) * h + y) * w + x] = data[((a * h + y) * w + x) * i + c];
  }
  return out;
}

function webnnGraph(layout) {
  return (builder, input) => {
    let x = input;
    let blockInput = null;
    LAYERS.forEach((l, i) => {
      const ohwi = [l.outC, l.k, l.k, l.depthwise ? 1 : l.inC];
      const filter = layout === 'nhwc'
        ? builder.constant(f32(ohwi), WEIGHTS[i].filter)
        : builder.constant(f32([ohwi[0], ohwi[3], l.k, l.k]), ohwiToOihw(WEIGHTS[i].filter, ohwi));
      const bias = builder.constant(f32([l.outC]), WEIGHTS[i].bias);
      if (l.blockStart) blockInput = x;
      const pad = (l.k - 1) >> 1;
      let y = builder.conv2d(x, filter, {
        inputLayout: layout, filterLayout: layout === 'nhwc' ? 'ohwi' : 'oihw', bias,
        strides: [l.stride, l.stride], padding: [pad, pad, pad, pad], groups: l.depthwise ? l.inC : 1,
      });
      if (l.relu6) y = builder.clamp(y, { minValue: 0, maxValue: 6 });
      if (l.residual) y = builder.add(y, blockInput);
      x = y;
    });
    const pooled = builder.averagePool2d(x, { layout });
    const flat = builder.reshape(pooled, [1, 1280]);
    return builder.gemm(flat, builder.constant(f32([1280, CLASSES]), FC.w), { c: builder.constant(f32([CLASSES]), FC.b) });
  };
}

function tfjsSetup(tf) {
  return tf.tidy(() => ({
    layers: LAYERS.map((l, i) => {
      const ohwi = tf.tensor(WEIGHTS[i].filter, [l.outC, l.k, l.k, l.depthwise ? 1 : l.inC]);
      // HWIO for conv2d; [h, w, channels, 1] for depthwiseConv2d.
      return { filter: tf.transpose(ohwi, l.depthwise ? [1, 2, 0, 3] : [1, 2, 3, 0]), bias: tf.tensor(WEIGHTS[i].bias) };
    }),
    fc: { w: tf.tensor(FC.w, [1280, CLASSES]), b: tf.tensor(FC.b) },
  }));
}

function tfjs(layout) {
  return (tf, input, weights) => {
    let x = layout === 'nchw' ? tf.transpose(input, [0, 2, 3, 1]) : input;
    let blockInput = null;
    LAYERS.forEach((l, i) => {
      if (l.blockStart) blockInput = x;
      const pad = (l.k - 1) >> 1;
      const args = {
        x, filter: weights.layers[i].filter, bias: weights.layers[i].bias, strides: l.stride,
        pad: pad === 0 ? 'valid' : [[0, 0], [pad, pad], [pad, pad], [0, 0]], activation: l.relu6 ? 'relu6' : 'linear',
      };
      let y = l.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
      if (l.residual) y = tf.add(y, blockInput);
      x = y;
    });
    const pooled = tf.reshape(tf.mean(x, [1, 2]), [1, 1280]);
    return tf.fused.matMul({ a: pooled, b: weights.fc.w, bias: weights.fc.b });
  };
}

export const mobileNetV2Cases = ['nhwc', 'nchw'].map((layout) => ({
  name: `MobileNetV2 224x224 ${layout.toUpperCase()}`,
  needs: ['conv2d', 'clamp', 'averagePool2d', 'gemm'],
  inputShape: layout === 'nhwc' ? [1, 224, 224, 3] : [1, 3, 224, 224],
  graph: webnnGraph(layout),
  tfjsSetup,
  tfjs: tfjs(layout),
}));
