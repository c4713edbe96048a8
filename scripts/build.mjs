// Builds dist/: the script-tag bundle (with the .wasm files beside it), the ES module and the .d.ts types.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { finishPublicTypes } from './public-types.mjs';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--no-types');
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });

const common = { bundle: true, target: 'es2022', sourcemap: true, logLevel: 'warning', legalComments: 'none' };

// One file for <script> and importScripts(): TF.js included, Node built-ins stubbed out.
await build({
  ...common,
  entryPoints: ['src/global.ts'],
  outfile: 'dist/webnn-polyfill.js',
  format: 'iife',
  globalName: 'WebNNPolyfill',
  platform: 'browser',
  minify: true,
  external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
});

// The same with TF.js's webgpu backend too (dist/webnn-polyfill-webgpu.js): pages that want webgpu without a bundler.
await build({
  ...common,
  entryPoints: ['src/global-webgpu.ts'],
  outfile: 'dist/webnn-polyfill-webgpu.js',
  format: 'iife',
  globalName: 'WebNNPolyfill',
  platform: 'browser',
  minify: true,
  external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
});

// The same, self-contained, as an ES module: for module workers and pages without an import map, which cannot resolve
// the bare '@tensorflow/...' specifiers of dist/esm/. Its name ends in '.js' because the entry finds its .wasm files
// from the script URL in a stack trace.
await build({
  ...common,
  entryPoints: ['src/global.ts'],
  outfile: 'dist/webnn-polyfill.esm.js',
  format: 'esm',
  platform: 'browser',
  minify: true,
  external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
});

// The ES modules for npm, one per entry (each carries the TF.js backends its name says; index.js all four), sharing
// the rest through chunks: TF.js stays a dependency, resolved by the app's bundler or by Node.
const moduleEntries = ['index', 'webgpu', 'wasm', 'webgl', 'cpu', 'model-loader', 'wasi-nn', 'wasi-nn-worker'];
await build({
  ...common,
  entryPoints: moduleEntries.map((name) => `src/${name}.ts`),
  outdir: 'dist/esm',
  chunkNames: 'chunk-[hash]',
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  packages: 'external',
});

// Beside the script bundles, and beside the ES modules, which reference them with new URL('./…', import.meta.url).
const wasmFiles = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
for (const file of wasmFiles) {
  copyFileSync(join(wasmDir, file), join('dist', file));
  copyFileSync(join(wasmDir, file), join('dist', 'esm', file));
}

if (!watch) {
  // tsconfig.json's stripInternal drops the `@internal` helpers from the public modules' declarations, so that
  // index.d.ts reaches no module that imports TF.js; finishPublicTypes keeps only what it reaches.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit' });
  finishPublicTypes('dist/types', moduleEntries);
}
// What each entry weighs, as it is fetched: raw and gzipped (README, "Sizes"). An ES module entry is measured as an app
// ships it: a one-line app that installs the polyfill, bundled and minified by esbuild with TF.js.
const kB = (bytes) => `${(bytes / 1000).toFixed(0)} kB`;
async function appBundle(entry) {
  // The model loader is measured as an app loading a model on the full polyfill ships it.
  const contents = entry === 'model-loader'
    ? `import { installNow } from './dist/esm/index.js';\nimport { MLModelLoader } from './dist/esm/model-loader.js';\ninstallNow();\nconsole.log(MLModelLoader);\n`
    : entry.startsWith('wasi-nn') ? `export * from './dist/esm/${entry}.js';\n`
    : `import { installNow } from './dist/esm/${entry}.js';\ninstallNow();\n`;
  const result = await build({
    stdin: { contents, resolveDir: '.', loader: 'js' },
    bundle: true, minify: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'error',
    legalComments: 'none', external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
  });
  return result.outputFiles[0].contents;
}
const moduleDescriptions = {
  index: ['webnn-tfjs-polyfill', 'webgl, wasm and cpu'],
  webgpu: ['webnn-tfjs-polyfill/webgpu', 'webgpu, wasm and cpu'],
  wasm: ['webnn-tfjs-polyfill/wasm', 'wasm and cpu'],
  webgl: ['webnn-tfjs-polyfill/webgl', 'webgl and cpu'],
  cpu: ['webnn-tfjs-polyfill/cpu', 'cpu'],
  'model-loader': ['webnn-tfjs-polyfill/model-loader', ''],
  'wasi-nn': ['webnn-tfjs-polyfill/wasi-nn', ''],
  'wasi-nn-worker': ['webnn-tfjs-polyfill/wasi-nn-worker', ''],
};
const entryWhat = {
  'model-loader': 'an app\'s bundle with webnn-tfjs-polyfill and MLModelLoader (ONNX importer, protobufjs)',
  'wasi-nn': 'the wasi-nn host with MLModelLoader and TF.js core, no backend (contexts from navigator.ml or an entry beside it)',
  'wasi-nn-worker': 'the wasi-nn imports of a module\'s worker, blocking on the thread that owns WebNN',
};
const sizes = [
  ['webnn-tfjs-polyfill/script', 'dist/webnn-polyfill.js', 'everything, TF.js and three backends included',
    readFileSync('dist/webnn-polyfill.js')],
  ['webnn-tfjs-polyfill/script-module', 'dist/webnn-polyfill.esm.js', 'the same as an ES module',
    readFileSync('dist/webnn-polyfill.esm.js')],
  ['webnn-tfjs-polyfill/script-webgpu', 'dist/webnn-polyfill-webgpu.js', 'the script with the webgpu backend too',
    readFileSync('dist/webnn-polyfill-webgpu.js')],
];
for (const name of moduleEntries) {
  const [entry, backends] = moduleDescriptions[name];
  const what = entryWhat[name] ?? `an app's bundle with TF.js and the ${backends} backend${backends.includes(' ') ? 's' : ''}`;
  sizes.push([entry, `dist/esm/${name}.js`, what, await appBundle(name)]);
}
for (const file of wasmFiles) {
  sizes.push(['(wasm backend)', `dist/${file}`, 'one of the three is fetched, by what the browser supports', readFileSync(join('dist', file))]);
}
for (const [entry, file, what, bytes] of sizes) {
  console.log(`${file.padEnd(42)} ${kB(bytes.length).padStart(8)} ${kB(gzipSync(bytes, { level: 9 }).length).padStart(8)} gzipped  ${entry}: ${what}`);
}
console.log('built dist/');
