// MobileNetV2 (1.0, 224x224) written as ONNX the way a PyTorch export with batch norm folded arrives: NCHW, Conv with
// bias, ReLU6 as Clip(0, 6), depthwise Conv with group, residual Add, GlobalAveragePool, Flatten, Gemm. The weights
// are seeded pseudo-random numbers scaled so activations stay of order 1 through all 17 blocks: the bench compares
// speed and agreement between two runtimes, not accuracy on images.
import { float, int, ints, OnnxModelWriter } from '../../test/browser/onnx/model-writer.ts';
import { seededRandom } from '../../test/util/seeded-random.ts';

const OPSET = 13;
const IR_VERSION = 7;
export const INPUT_SHAPE = [1, 3, 224, 224];
const CLASSES = 1000;
/** [expansion t, output channels c, repeats n, first stride s], as in the MobileNetV2 paper's table 2. */
const BLOCKS = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

function uniform(random, count, scale) {
  return Float32Array.from({ length: count }, () => (random() * 2 - 1) * scale);
}

/** The serialized ModelProto and its node count. */
export function buildMobileNetV2(seed = 20250101) {
  const random = seededRandom(seed);
  const m = new OnnxModelWriter(OPSET, IR_VERSION);
  const clipMin = m.initializer('relu6.min', [], Float32Array.of(0));
  const clipMax = m.initializer('relu6.max', [], Float32Array.of(6));

  const conv = (name, from, inChannels, outChannels, { kernel = 1, stride = 1, groups = 1, gain = 2 } = {}) => {
    const fanIn = (inChannels / groups) * kernel * kernel;
    const pad = (kernel - 1) / 2;
    return m.node('Conv', name, [
      from,
      m.initializer(`${name}.weight`, [outChannels, inChannels / groups, kernel, kernel],
        uniform(random, outChannels * fanIn, Math.sqrt((3 * gain) / fanIn))),
      m.initializer(`${name}.bias`, [outChannels], uniform(random, outChannels, 0.1)),
    ], {
      kernel_shape: ints([kernel, kernel]), strides: ints([stride, stride]), pads: ints([pad, pad, pad, pad]),
      dilations: ints([1, 1]), group: int(groups),
    });
  };
  const relu6 = (name, from) => m.node('Clip', name, [from, clipMin, clipMax]);

  const image = m.input('input', INPUT_SHAPE);
  let x = relu6('stem.relu6', conv('stem.conv', image, 3, 32, { kernel: 3, stride: 2 }));
  let channels = 32;
  let index = 0;
  for (const [expansion, outChannels, repeats, firstStride] of BLOCKS) {
    for (let r = 0; r < repeats; r++, index++) {
      const stride = r === 0 ? firstStride : 1;
      const hidden = channels * expansion;
      const name = `block${index}`;
      let y = x;
      if (expansion !== 1) y = relu6(`${name}.expand.relu6`, conv(`${name}.expand`, y, channels, hidden));
      y = relu6(`${name}.depthwise.relu6`, conv(`${name}.depthwise`, y, hidden, hidden, { kernel: 3, stride, groups: hidden }));
      // The projection has no activation; a smaller gain keeps the residual sums from growing block by block.
      y = conv(`${name}.project`, y, hidden, outChannels, { gain: 0.5 });
      x = stride === 1 && channels === outChannels ? m.node('Add', `${name}.add`, [x, y]) : y;
      channels = outChannels;
    }
  }
  x = relu6('head.relu6', conv('head.conv', x, channels, 1280));
  x = m.node('GlobalAveragePool', 'head.pool', [x]);
  x = m.node('Flatten', 'head.flatten', [x], { axis: int(1) });
  const logits = m.node('Gemm', 'logits', [
    x,
    m.initializer('fc.weight', [CLASSES, 1280], uniform(random, CLASSES * 1280, Math.sqrt(3 / 1280))),
    m.initializer('fc.bias', [CLASSES], uniform(random, CLASSES, 0.1)),
  ], { transB: int(1), alpha: float(1), beta: float(1) });
  m.output(logits, [INPUT_SHAPE[0], CLASSES]);
  return { model: m.encode(), nodes: m.nodeSummary.length };
}
