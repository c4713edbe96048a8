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

// The ES module for npm: TF.js stays a dependency, resolved by the app's bundler or by Node.
await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/esm/index.js',
  format: 'esm',
  platform: 'neutral',
  packages: 'external',
});

const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(join(wasmDir, file), join('dist', file));
}

if (!watch) {
  // tsconfig.json's stripInternal drops the `@internal` helpers from the public modules' declarations, so that
  // index.d.ts reaches no module that imports TF.js; finishPublicTypes keeps only what it reaches.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit' });
  finishPublicTypes('dist/types');
}
// What each entry weighs, as it is fetched: raw and gzipped (README, "Sizes").
const kB = (bytes) => `${(bytes / 1000).toFixed(0)} kB`;
const entries = [
  ['webnn-tfjs-polyfill/script', 'dist/webnn-polyfill.js', 'everything, TF.js and three backends included'],
  ['webnn-tfjs-polyfill/script-module', 'dist/webnn-polyfill.esm.js', 'the same as an ES module'],
  ['webnn-tfjs-polyfill', 'dist/esm/index.js', 'without TF.js, which the app\'s bundler or Node adds'],
  ...['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']
    .map((file) => ['(wasm backend)', `dist/${file}`, 'one of the three is fetched, by what the browser supports']),
];
for (const [entry, file, what] of entries) {
  const bytes = readFileSync(file);
  console.log(`${file.padEnd(42)} ${kB(bytes.length).padStart(8)} ${kB(gzipSync(bytes, { level: 9 }).length).padStart(8)} gzipped  ${entry}: ${what}`);
}
console.log('built dist/');
