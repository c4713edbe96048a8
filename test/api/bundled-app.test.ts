/**
 * The packed tarball bundled into an app by esbuild and run in headless Chromium (Node only: it packs, bundles and
 * starts Chromium). esbuild emits no .wasm files: without wasmPaths the wasm backend cannot start, and createContext
 * rejects with a NotSupportedError that says how to fix it (wasmPaths); with the files served and wasmPaths given, the
 * app computes a graph on wasm (checked against float64 arithmetic written here).
 */
import { installPacked, type PackedProject } from './node-package.js';
import { runBundledApp } from './bundle-run.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** The app: y = (x + c) * c on a context of `options`, or the error createContext rejects with. */
const APP = (installOptions: string) => `
import { installNow } from 'webnn-tfjs-polyfill';
async function main() {
  installNow(${installOptions});
  let context;
  try {
    context = await navigator.ml.createContext({ tfjsBackend: 'wasm' });
  } catch (error) {
    return { error: { name: error.name, message: error.message } };
  }
  const builder = new MLGraphBuilder(context);
  const desc = { dataType: 'float32', shape: [4] };
  const c = builder.constant(desc, new Float32Array([1, 2, 3, 4]));
  const graph = await builder.build({ y: builder.mul(builder.add(builder.input('x', desc), c), c) });
  const [x, y] = await Promise.all([context.createTensor({ ...desc, writable: true }), context.createTensor({ ...desc, readable: true })]);
  context.writeTensor(x, new Float32Array([0.5, -1, 2.25, 10]));
  context.dispatch(graph, { x }, { y });
  return { values: Array.from(new Float32Array(await context.readTensor(y))) };
}
main().then((result) => { window.result = result; }, (error) => { window.result = { failed: String(error) }; });
`;

if (isNode) {
  describe('packed tarball bundled by esbuild, in Chromium (Node)', function () {
    this.timeout(300_000);
    let project: PackedProject;
    before(async () => {
      project = await installPacked();
    });
    after(() => project?.remove());

    it('without wasmPaths: createContext rejects with a NotSupportedError that names wasmPaths', async () => {
      const result = await runBundledApp(project.dir, 'without-paths', APP(''), false);
      const error = result['error'] as { name: string; message: string } | undefined;
      check(error, `createContext did not reject: ${JSON.stringify(result)}`);
      check(error.name === 'NotSupportedError', `${error.name}: ${error.message}`);
      check(/wasmPaths/.test(error.message) && /tfjs-backend-wasm/.test(error.message), `the message does not say how: ${error.message}`);
    });

    it('with the .wasm files served and wasmPaths given: the graph computes on wasm', async () => {
      const result = await runBundledApp(project.dir, 'with-paths', APP("{ wasmPaths: new URL('/wasm/', location.href).href }"), true);
      const values = result['values'] as number[] | undefined;
      check(values, `no values: ${JSON.stringify(result)}`);
      const expected = [0.5, -1, 2.25, 10].map((x, i) => (x + (i + 1)) * (i + 1));
      check(values.length === 4 && values.every((v, i) => v === expected[i]), `${values} instead of ${expected}`);
    });
  });
}
