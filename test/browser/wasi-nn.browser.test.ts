/**
 * wasm32-wasi programs using wasi-nn in headless Chromium, on each backend, both ways: on the page through JSPI
 * (Chromium has WebAssembly.Suspending and WebAssembly.promising), and in a module worker blocking on Atomics.wait
 * while the page computes (the karma page is cross-origin isolated, so SharedArrayBuffer exists). The programs and
 * the worker's bundle come from scripts/build-wasi-programs.mjs (.cache/wasi-nn, served by karma).
 */
import { assertClose, contextFor, forEachBackend } from '../util/harness.js';
import { hasJspi, jspiWasiNnImports, serveWasiNn, WasiNnHost } from '../../src/wasi-nn.js';
import { classifierModel, classifierReference, CLASSES, EXPECTED_ERRNOS, parseClassifyOutput, parseErrorsOutput, SAMPLES } from '../wasi-nn/classifier.js';
import { runWasiProgram, type ProgramRun } from '../wasi-nn/browser-wasi.js';

const BUILT = '/base/.cache/wasi-nn/';

async function programBytes(name: string): Promise<ArrayBuffer> {
  const response = await fetch(`${BUILT}${name}.wasm`);
  if (!response.ok) throw new Error(`${BUILT}${name}.wasm: ${response.status} (build it with node scripts/build-wasi-programs.mjs)`);
  return response.arrayBuffer();
}

type Runner = (name: string, args: string[], models: Record<string, Uint8Array>, host: WasiNnHost) => Promise<ProgramRun>;

const onThePage: Runner = async (name, args, models, host) =>
  runWasiProgram(await programBytes(name), [name, ...args], models, jspiWasiNnImports(host), 'jspi');

const inAWorker: Runner = async (name, args, models, host) => {
  const wasm = await programBytes(name);
  const worker = new Worker(`${BUILT}browser-worker.js`, { type: 'module' });
  const stop = serveWasiNn(worker, host);
  try {
    return await new Promise<ProgramRun>((resolve, reject) => {
      worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
      worker.addEventListener('message', (event: MessageEvent<{ result?: ProgramRun; error?: string }>) => {
        if (event.data.result) resolve(event.data.result);
        else if (event.data.error !== undefined) reject(new Error(`in the worker: ${event.data.error}`));
      });
      worker.postMessage({ run: { wasm, args: [name, ...args], models } }, [wasm]);
    });
  } finally {
    stop();
    worker.terminate();
  }
};

forEachBackend('wasi-nn programs', (backend) => {
  const models = { 'model.onnx': classifierModel() };

  it('the engine has JSPI and the page is cross-origin isolated', () => {
    if (!hasJspi()) throw new Error('no WebAssembly.Suspending / WebAssembly.promising');
    if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated');
  });

  for (const [path, run] of [['JSPI', onThePage], ['worker', inAWorker]] as const) {
    it(`${path}: classify.wasm prints the scores and top class the float64 forward pass gives`, async () => {
      const host = new WasiNnHost({ createContext: () => contextFor(backend) });
      try {
        for (const x of SAMPLES) {
          const result = await run('classify', ['/models/model.onnx', 'gpu', ...x.map(String)], models, host);
          if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}: ${result.stdout}`);
          const { scores, top } = parseClassifyOutput(result.stdout);
          const expected = classifierReference(x);
          assertClose({ dataType: 'float32', shape: [1, scores.length], data: scores }, { shape: [1, CLASSES], data: expected });
          if (top !== expected.indexOf(Math.max(...expected))) throw new Error(`top ${top}, expected scores ${expected.join(' ')}`);
        }
      } finally {
        host.destroy();
      }
    });

    it(`${path}: errors.wasm gets the witx errno of each wrong call`, async () => {
      const host = new WasiNnHost({ createContext: () => contextFor(backend) });
      try {
        const result = await run('errors', ['/models/model.onnx'], models, host);
        if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}: ${result.stdout}`);
        const got = JSON.stringify(parseErrorsOutput(result.stdout));
        if (got !== JSON.stringify(EXPECTED_ERRNOS)) throw new Error(`errnos:\n${got}\nexpected:\n${JSON.stringify(EXPECTED_ERRNOS)}`);
      } finally {
        host.destroy();
      }
    });
  }
});
