// Runs the test suite in headless Chromium: bundles every test/**/*.test.ts (browser-only ones are
// test/browser/**/*.browser.test.ts) into one ES module with esbuild, then runs it with karma + mocha.
//
//   node scripts/test-browser.mjs [--grep <regexp>] [--backends webgl,wasm,cpu] [--no-build] [--dynamic-shapes] [test files...]
// --dynamic-shapes runs every test with the dynamic-shape proposal switched on (static graphs must behave the same).
// --backends webgpu (or WEBNN_TEST_BACKENDS=webgpu) runs the suites on the webgpu backend, which the default run leaves
// out: it is opt-in and does not pass them yet. test/browser/webgpu.browser.test.ts runs on it in every run.
//
// dist/ (the script-tag bundle and its .wasm files, which the browser tests load) is rebuilt first when any source
// file is newer than it. The run ends with the line `browser: N passed, N failed`; the exit code is non-zero on failures.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// One directory per run, so runs started side by side do not overwrite each other's bundle.
const outDir = join(root, '.cache', 'browser-tests', String(process.pid));
const started = Date.now();

function parseArgs(argv) {
  const opts = { grep: '', backends: process.env.WEBNN_TEST_BACKENDS ?? '', build: true, dynamicShapes: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--grep') opts.grep = argv[++i] ?? '';
    else if (a === '--backends') opts.backends = argv[++i] ?? '';
    else if (a === '--no-build') opts.build = false;
    else if (a === '--dynamic-shapes') opts.dynamicShapes = true;
    else opts.files.push(resolve(a));
  }
  return opts;
}

function walk(dir, accept, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, accept, out);
    else if (accept(full)) out.push(full);
  }
  return out;
}

function newestMtime(dir) {
  return Math.max(0, ...walk(dir, () => true).map((f) => statSync(f).mtimeMs));
}

function distIsStale() {
  const bundle = join(root, 'dist', 'webnn-polyfill.js');
  if (!existsSync(bundle) || !existsSync(join(root, 'dist', 'tfjs-backend-wasm.wasm'))) return true;
  const built = statSync(bundle).mtimeMs;
  return newestMtime(join(root, 'src')) > built || statSync(join(root, 'scripts', 'build.mjs')).mtimeMs > built;
}

/**
 * A module `x.ts` with a sibling `x.browser.ts` is replaced by that sibling in the browser bundle (for example the
 * IDL text, read from disk in Node and imported as text here).
 */
const browserVariants = {
  name: 'browser-variants',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer || args.importer.endsWith('.browser.ts')) return undefined;
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '');
      const variant = `${target}.browser.ts`;
      return existsSync(variant) ? { path: variant } : undefined;
    });
  },
};

async function bundleTests(files) {
  mkdirSync(outDir, { recursive: true });
  const entry = join(outDir, 'entry.ts');
  const imports = [join(root, 'test', 'browser', 'setup.ts'), ...files]
    .map((f) => `import ${JSON.stringify(relative(outDir, f).split('\\').join('/'))};`);
  writeFileSync(entry, `${imports.join('\n')}\n`);
  const outfile = join(outDir, 'tests.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: false,
    logLevel: 'warning',
    loader: { '.idl': 'text' },
    // TF.js's Node code paths are never taken in a browser.
    external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto', 'node:*'],
    plugins: [browserVariants],
  });
  return outfile;
}

function runKarma(bundle, opts) {
  const env = {
    ...process.env,
    CHROME_BIN: process.env.CHROME_BIN ?? '/usr/bin/chromium',
    WEBNN_BROWSER_BUNDLE: relative(root, bundle),
    WEBNN_TEST_BACKENDS: opts.backends,
    WEBNN_TEST_GREP: opts.grep,
    WEBNN_TEST_DYNAMIC_SHAPES: opts.dynamicShapes ? '1' : '',
  };
  const karma = require.resolve('karma/bin/karma');
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, [karma, 'start', join(root, 'karma.conf.cjs')],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let summary = null;
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) if (/^browser: \d+ passed, \d+ failed/.test(line)) summary = line;
    });
    child.on('close', (code, signal) => resolveExit({ code: code ?? (signal ? 1 : 0), summary }));
  });
}

const opts = parseArgs(process.argv.slice(2));
if (opts.build && distIsStale()) {
  console.log('dist/ is older than src/: building it');
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--no-types'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.log('browser: 0 passed, 1 failed (the build of dist/ failed)');
    process.exit(1);
  }
}
const files = (opts.files.length ? opts.files : walk(join(root, 'test'), (f) => f.endsWith('.test.ts'))).sort();
let bundle;
try {
  bundle = await bundleTests(files);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  console.log('browser: 0 passed, 1 failed (the test bundle did not build)');
  process.exit(1);
}
console.log(`bundled ${files.length} test files in ${((Date.now() - started) / 1000).toFixed(1)} s; starting Chromium`);
const { code, summary } = await runKarma(bundle, opts);
rmSync(outDir, { recursive: true, force: true });
console.log(`browser run took ${((Date.now() - started) / 1000).toFixed(1)} s (bundle, Chromium start-up and tests)`);
// The summary line comes last, so callers can read the run's outcome from the final line.
console.log(summary ?? `browser: 0 passed, 1 failed (karma exited with code ${code} before reporting)`);
const clean = summary !== null && /, 0 failed/.test(summary) && code === 0;
process.exit(clean ? 0 : code || 1);
