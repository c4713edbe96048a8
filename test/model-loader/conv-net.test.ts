/**
 * The small ONNX image classifier of the ORT-web tests (Conv, MaxPool, Relu, Clip with constant inputs, Add,
 * GlobalAveragePool, Flatten, Gemm, Softmax; with Shrink in its split variant), loaded through MLModelLoader and held
 * to its float64 forward pass on every backend, webgl included in Chromium.
 */
import { assertClose, forEachBackend } from '../util/harness.js';
import { buildConvNet, INPUT_SHAPE, randomImage } from '../browser/onnx/conv-net.js';
import { convNetReference } from '../browser/onnx/conv-net-reference.js';
import { runModel } from './run-model.js';

forEachBackend('ONNX import: a small image classifier against its float64 forward pass', (backend) => {
  for (const cpuShrink of [false, true]) {
    it(cpuShrink ? 'with Shrink after the stem' : 'as ORT-web runs it whole', async () => {
      const net = buildConvNet({ cpuShrink });
      const input = randomImage(7);
      const outputs = await runModel(backend, net.model, { image: { shape: [...INPUT_SHAPE], data: input } });
      const reference = convNetReference(net, input);
      const names = Object.keys(outputs);
      if (names.length !== 2) throw new Error(`outputs ${names}`);
      // The model names its outputs after their nodes: the logits (Gemm) first, then the probabilities (Softmax).
      const [logits, probs] = names.map((name) => outputs[name]!);
      assertClose(logits as never, { shape: [2, 10], data: Array.from(reference.logits) }, { atol: 1e-5 }, 'logits');
      assertClose(probs as never, { shape: [2, 10], data: Array.from(reference.probs) }, { atol: 1e-5 }, 'probs');
    });
  }
});
