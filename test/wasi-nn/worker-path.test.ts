/**
 * wasm32-wasi programs (test/wasi-nn/programs, built with clang and wasi-libc) in a worker_threads worker, their
 * wasi-nn calls answered on this thread: Node has no JSPI, so this is its path.
 */
import { assertClose, contextFor, forEachBackend } from '../util/harness.js';
import { WasiNnHost, type DeviceType } from '../../src/wasi-nn.js';
import { classifierModel, classifierReference, CLASSES, EXPECTED_ERRNOS, parseClassifyOutput, parseErrorsOutput, SAMPLES } from './classifier.js';
import { buildPrograms, runInWorker } from './node-programs.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

if (isNode) {
  forEachBackend('wasi-nn worker path', (backend) => {
    const models = { 'model.onnx': classifierModel() };
    const requested: DeviceType[] = [];
    let host: WasiNnHost;

    before(function () {
      this.timeout(180_000);
      buildPrograms();
    });
    beforeEach(() => {
      requested.length = 0;
      host = new WasiNnHost({ createContext: ({ deviceType }) => (requested.push(deviceType), contextFor(backend)) });
    });
    afterEach(() => host.destroy());

    for (const [k, x] of SAMPLES.entries()) {
      it(`classify.wasm prints the scores and top class of sample ${k}`, async () => {
        const run = await runInWorker('classify', ['/models/model.onnx', 'cpu', ...x.map(String)], models, host);
        if (run.exitCode !== 0) throw new Error(`exit ${run.exitCode}: ${run.stdout}`);
        const { scores, top } = parseClassifyOutput(run.stdout);
        const expected = classifierReference(x);
        assertClose({ dataType: 'float32', shape: [1, scores.length], data: scores }, { shape: [1, CLASSES], data: expected });
        if (top !== expected.indexOf(Math.max(...expected))) throw new Error(`top ${top}, expected scores ${expected.join(' ')}`);
      });
    }

    it('maps the execution targets cpu, gpu and tpu to the deviceType hints cpu, gpu and npu', async () => {
      for (const target of ['cpu', 'gpu', 'tpu']) {
        const run = await runInWorker('classify', ['/models/model.onnx', target, ...SAMPLES[0]!.map(String)], models, host);
        if (run.exitCode !== 0) throw new Error(`${target}: exit ${run.exitCode}: ${run.stdout}`);
      }
      if (requested.join() !== 'cpu,gpu,npu') throw new Error(`contexts requested: ${requested.join()}`);
    });

    it('errors.wasm gets the witx errno of each wrong call', async () => {
      const run = await runInWorker('errors', ['/models/model.onnx'], models, host);
      if (run.exitCode !== 0) throw new Error(`exit ${run.exitCode}: ${run.stdout}`);
      const got = JSON.stringify(parseErrorsOutput(run.stdout));
      if (got !== JSON.stringify(EXPECTED_ERRNOS)) throw new Error(`errnos:\n${got}\nexpected:\n${JSON.stringify(EXPECTED_ERRNOS)}`);
      if (!/^written: 12$/m.test(run.stdout)) throw new Error(`get_output wrote no 12 bytes: ${run.stdout}`);
    });
  });
}
