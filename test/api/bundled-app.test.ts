/**
 * The packed tarball bundled into an app by esbuild, vite or webpack and run in headless Chromium (Node only: it packs,
 * bundles and starts Chromium). vite and webpack, without configuration, emit the .wasm files the polyfill refers to
 * (vite's dev server serves them) and the app computes a graph on wasm without wasmPaths. esbuild emits no .wasm files
 * and leaves the polyfill's `new URL('./….wasm', import.meta.url)` as it is, relative to the bundle: without the files
 * the wasm backend cannot start, and createContext rejects with a NotSupportedError that says how to fix it
 * (wasmPaths); with the files beside the bundle, or served elsewhere and wasmPaths given, the app computes a graph on
 * wasm. Values are checked against float64 arithmetic written here. The app bundled from webnn-tfjs-polyfill/wasm
 * carries no webgl backend code and is smaller than the one from the full entry; one from /webgl runs on webgl and
 * does not carry wasm.
 */
import { installPacked, type PackedProject } from './node-package.js';
import { SMALL_GRAPH_STEPS, SMALL_GRAPH_VALUES } from './small-graph-app.js';
import { buildWithVite, buildWithWebpack, bundleApp, runBundledApp, runPage, runWithViteDevServer } from './bundle-run.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * The app: y = (x + c) * c on a context of `contextOptions` (the wasm backend unless said), with the backend it ran
 * on, or the error createContext rejects with.
 */
const APP = (installOptions: string, entry = 'webnn-tfjs-polyfill', contextOptions = "{ tfjsBackend: 'wasm' }") => `
import { installNow, tfjsBackendOf } from '${entry}';
async function main() {
  installNow(${installOptions});
  let context;
  try {
    context = await navigator.ml.createContext(${contextOptions});
  } catch (error) {
    return { error: { name: error.name, message: error.message } };
  }
${SMALL_GRAPH_STEPS}
  return { backend: tfjsBackendOf(context), values: Array.from(new Float32Array(await context.readTensor(y))) };
}
main().then((result) => { window.result = result; }, (error) => { window.result = { failed: String(error) }; });
`;

function checkComputed(result: Record<string, unknown>, backend = 'wasm'): void {
  const values = result['values'] as number[] | undefined;
  check(values, `no values: ${JSON.stringify(result)}`);
  check(result['backend'] === backend, `computed on ${String(result['backend'])}, expected ${backend}`);
  const expected = SMALL_GRAPH_VALUES;
  check(values.length === 4 && values.every((v, i) => v === expected[i]), `${values} instead of ${expected}`);
}

if (isNode) {
  describe('packed tarball bundled by esbuild, vite and webpack, in Chromium (Node)', function () {
    this.timeout(300_000);
    let project: PackedProject;
    before(async () => {
      project = await installPacked();
    });
    after(() => project?.remove());

    it('without wasmPaths: createContext rejects with a NotSupportedError that names wasmPaths', async () => {
      const result = await runBundledApp(project.dir, 'without-paths', APP(''), 'none');
      const error = result['error'] as { name: string; message: string } | undefined;
      check(error, `createContext did not reject: ${JSON.stringify(result)}`);
      check(error.name === 'NotSupportedError', `${error.name}: ${error.message}`);
      check(/wasmPaths/.test(error.message) && /tfjs-backend-wasm/.test(error.message), `the message does not say how: ${error.message}`);
    });

    it('with the .wasm files served and wasmPaths given: the graph computes on wasm', async () => {
      const app = APP("{ wasmPaths: new URL('/wasm/', location.href).href }");
      checkComputed(await runBundledApp(project.dir, 'with-paths', app, 'wasm-directory'));
    });

    it('webnn-tfjs-polyfill/wasm with the .wasm files beside the bundle, no wasmPaths: the graph computes on wasm', async () => {
      checkComputed(await runBundledApp(project.dir, 'beside-bundle', APP('', 'webnn-tfjs-polyfill/wasm'), 'beside-bundle'));
    });

    for (const entry of ['webnn-tfjs-polyfill', 'webnn-tfjs-polyfill/wasm']) {
      it(`vite, ${entry}, no configuration and no wasmPaths: vite emits the .wasm files and the graph computes on wasm`, async () => {
        const { dir, assets } = await buildWithVite(project.dir, `vite-${entry.replace(/\W/g, '-')}`, APP('', entry));
        for (const file of ['tfjs-backend-wasm', 'tfjs-backend-wasm-simd', 'tfjs-backend-wasm-threaded-simd']) {
          check(assets.some((asset) => new RegExp(`^${file}-[\\w-]{8}\\.wasm$`).test(asset)), `vite did not emit ${file}: ${assets}`);
        }
        checkComputed(await runPage(dir));
      });
    }

    it('vite\'s dev server, webnn-tfjs-polyfill/wasm, no configuration and no wasmPaths: the graph computes on wasm', async () => {
      checkComputed(await runWithViteDevServer(project.dir, 'vite-dev', APP('', 'webnn-tfjs-polyfill/wasm')));
    });

    it('webpack, webnn-tfjs-polyfill/wasm, no configuration and no wasmPaths: webpack emits the .wasm files and the graph computes on wasm', async () => {
      const { dir, wasmFiles } = await buildWithWebpack(project.dir, 'webpack-wasm', APP('', 'webnn-tfjs-polyfill/wasm'));
      check(wasmFiles.length === 3, `webpack emitted ${wasmFiles.length} .wasm files: ${wasmFiles}`);
      checkComputed(await runPage(dir));
    });

    it('webnn-tfjs-polyfill/webgl: a default context computes on webgl; one on wasm is rejected, wasm not being carried', async () => {
      checkComputed(await runBundledApp(project.dir, 'webgl-default', APP('', 'webnn-tfjs-polyfill/webgl', '{}'), 'none'), 'webgl');
      const result = await runBundledApp(project.dir, 'webgl-on-wasm', APP('', 'webnn-tfjs-polyfill/webgl'), 'none');
      const error = result['error'] as { name: string; message: string } | undefined;
      check(error?.name === 'NotSupportedError' && /does not carry it.*webnn-tfjs-polyfill\/wasm/.test(error.message),
        `createContext({ tfjsBackend: 'wasm' }): ${JSON.stringify(result)}`);
    });

    it('webnn-tfjs-polyfill/wasm: the minified app carries no webgl backend code and is smaller than the full entry\'s', async () => {
      const full = await bundleApp(project.dir, 'size-full', APP(''), true);
      const wasm = await bundleApp(project.dir, 'size-wasm', APP('', 'webnn-tfjs-polyfill/wasm'), true);
      // A flag tfjs-backend-webgl registers and the header of its shaders.
      for (const marker of ['WEBGL_PACK_BINARY_OPERATIONS', '#version 300 es']) {
        check(full.includes(marker), `the full entry's bundle lacks ${marker}: not a marker of the webgl backend`);
        check(!wasm.includes(marker), `the /wasm bundle contains ${marker}`);
      }
      check(wasm.includes('WASM_HAS_SIMD_SUPPORT'), 'the /wasm bundle lacks the wasm backend');
      check(wasm.length < 0.8 * full.length, `the /wasm bundle has ${wasm.length} bytes, the full one ${full.length}`);
    });
  });
}
