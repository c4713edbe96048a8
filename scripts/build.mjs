// Builds dist/: the script-tag bundle (with the .wasm files beside it), the ES module and the .d.ts types.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
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
console.log('built dist/');
