// Runs web-platform-tests .any.js tests against the polyfill in headless Chromium, in windows and dedicated workers.
//
//   npm run wpt -- [--wpt-root <checkout>] [--include <path prefix>]... [--variant cpu|gpu|npu|all]
//                  [--scope window|worker|module-worker|all] [--jobs N] [--json out.json]
//                  [--expectations <file>] [--update-expectations] [--timeout-multiplier N]
//                  [--polyfill <dir>] [--no-polyfill] [--no-build] [--backend webgpu|webgl|wasm|cpu]
//                  [--chromium <path>] [--verbose]
//
// Without --wpt-root it runs the project's own WPT-format tests (wpt/ is laid out as a WPT root). See wpt/README.md.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectTests, SCOPES } from './runner/manifest.mjs';
import { startServer } from './runner/server.mjs';
import { runAll } from './runner/browser.mjs';
import {
  addCounts, compare, countPage, printComparison, printTable, readExpectations, writeExpectations,
} from './runner/report.mjs';

const wptDir = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(wptDir, '..');
const require = createRequire(import.meta.url);
const started = performance.now();

const USAGE = `usage: npm run wpt -- [--wpt-root <checkout>] [--include <path prefix>]... [--variant cpu|gpu|npu|all]
       [--scope window|worker|module-worker|all] [--jobs N] [--json out.json] [--expectations <file>]
       [--update-expectations] [--timeout-multiplier N] [--polyfill <dir>] [--no-polyfill] [--no-build]
       [--backend webgpu|webgl|wasm|cpu] [--chromium <path>] [--verbose]`;

function fail(message) {
  console.error(`${message}\n${USAGE}`);
  console.log('0 passed, 1 failed');
  process.exit(2);
}

function listOption(value, allowed, name) {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.includes('all')) return [...allowed];
  for (const item of items) if (!allowed.includes(item)) fail(`--${name} ${item}: expected one of ${allowed.join(', ')}, all`);
  return [...new Set(items)];
}

function parseArgs(argv) {
  const opts = {
    root: wptDir, includes: [], devices: ['cpu', 'gpu', 'npu'], scopes: Object.keys(SCOPES), jobs: 2, json: null,
    expectations: undefined, updateExpectations: false, timeoutMultiplier: 3, polyfillDir: join(projectRoot, 'dist'),
    polyfill: true, build: true, backend: null, chromium: process.env.CHROME_BIN || '/usr/bin/chromium', verbose: false,
  };
  const value = (i, name) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) fail(`${name} needs a value`);
    return v;
  };
  let scopeSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--wpt-root': opts.root = resolve(value(i, a)); i++; break;
      case '--include': opts.includes.push(value(i, a)); i++; break;
      case '--variant': opts.devices = listOption(value(i, a), ['cpu', 'gpu', 'npu'], 'variant'); i++; break;
      case '--scope': opts.scopes = listOption(value(i, a), Object.keys(SCOPES), 'scope'); scopeSet = true; i++; break;
      case '--jobs': opts.jobs = Number(value(i, a)); i++; break;
      case '--json': opts.json = resolve(value(i, a)); i++; break;
      case '--expectations': opts.expectations = resolve(value(i, a)); i++; break;
      case '--update-expectations': opts.updateExpectations = true; break;
      case '--timeout-multiplier': opts.timeoutMultiplier = Number(value(i, a)); i++; break;
      case '--polyfill': opts.polyfillDir = resolve(value(i, a)); opts.build = false; i++; break;
      case '--no-polyfill': opts.polyfill = false; break;
      case '--no-build': opts.build = false; break;
      case '--backend': opts.backend = listOption(value(i, a), BACKENDS, 'backend')[0]; i++; break;
      case '--chromium': opts.chromium = value(i, a); i++; break;
      case '--verbose': opts.verbose = true; break;
      case '--help': case '-h': console.log(USAGE); process.exit(0); break;
      default: fail(`unknown argument ${a}`);
    }
  }
  if (!Number.isInteger(opts.jobs) || opts.jobs < 1) fail('--jobs takes a positive integer');
  if (!(opts.timeoutMultiplier > 0)) fail('--timeout-multiplier takes a positive number');
  const ownRoot = resolve(opts.root) === wptDir;
  // The project's own root also holds tests of the polyfill's own additions, under polyfill/.
  if (opts.includes.length === 0) opts.includes.push(...(ownRoot ? ['webnn/', 'polyfill/'] : ['webnn/']));
  if (opts.backend && !opts.polyfill) fail('--backend chooses the polyfill\'s backend: it needs the polyfill');
  if (opts.expectations === undefined) {
    // Each backend forced on every context has expectations of its own.
    const name = `${ownRoot ? 'project' : 'upstream'}${opts.backend ? `-${opts.backend}` : ''}.json`;
    opts.expectations = join(wptDir, 'expectations', name);
  }
  opts.ownRoot = ownRoot;
  opts.scopeSet = scopeSet;
  return opts;
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * The bundles the pages load: the script (windows, classic workers) and the ES module (module workers). webgpu is in
 * dist/ only as a script; its module, which the package does not ship, the runner builds itself (webgpuModule()).
 */
const POLYFILL_FILES = { script: 'webnn-polyfill.js', module: 'webnn-polyfill.esm.js' };
const WEBGPU_FILES = { script: 'webnn-polyfill-webgpu.js', module: 'webnn-polyfill-webgpu.esm.js' };
const polyfillFiles = (opts) => (opts.backend === 'webgpu' ? WEBGPU_FILES : POLYFILL_FILES);
const builtFiles = (opts) => (opts.backend === 'webgpu' ? [WEBGPU_FILES.script] : Object.values(POLYFILL_FILES));

/** Builds dist/ when the polyfill bundles are missing or older than src/ or the build script. */
function ensureBuilt(opts) {
  const files = builtFiles(opts).map((f) => join(opts.polyfillDir, f));
  const stale = files.some((f) => !existsSync(f)) || (() => {
    const built = Math.min(...files.map((f) => statSync(f).mtimeMs));
    return newestMtime(join(projectRoot, 'src')) > built || statSync(join(projectRoot, 'scripts', 'build.mjs')).mtimeMs > built;
  })();
  if (!stale) return;
  console.log('dist/ is missing or older than src/: building it');
  const result = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'build.mjs'), '--no-types'], { cwd: projectRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.log('0 passed, 1 failed (the build of dist/ failed)');
    process.exit(1);
  }
}

/** Files served when the WPT root has none at that path: the harness from npm, the IDL files. */
function fallbackFiles() {
  const harnessDir = dirname(require.resolve('wpt-runner/testharness/testharness.js'));
  const fallbacks = new Map([
    ['/resources/testharness.js', join(harnessDir, 'testharness.js')],
    ['/resources/idlharness.js', join(harnessDir, 'idlharness.js')],
    ['/resources/WebIDLParser.js', join(harnessDir, 'webidl2.js')],
  ]);
  const webrefDir = dirname(require.resolve('@webref/idl/webnn.idl'));
  for (const name of readdirSync(webrefDir)) {
    if (name.endsWith('.idl')) fallbacks.set(`/interfaces/${name}`, join(webrefDir, name));
  }
  // The IDL this polyfill implements, which may be newer or older than a checkout's interfaces/webnn.idl.
  fallbacks.set('/interfaces/webnn.idl', join(projectRoot, 'idl', 'webnn.idl'));
  return fallbacks;
}

/** The runner's testharnessreport.js, with the settings the page needs put before it. */
function reportScript(opts) {
  const source = readFileSync(join(wptDir, 'resources', 'testharnessreport.js'), 'utf8');
  const settings = { timeoutMultiplier: opts.timeoutMultiplier, output: false };
  return () => ({ type: 'text/javascript; charset=utf-8', body: `self.__wptRunnerSettings = ${JSON.stringify(settings)};\n${source}` });
}

/** testharness.js gives a file 10 s, or 60 s with `timeout=long`, times the multiplier; the runner waits a bit longer. */
function pageTimeoutMs(timeout, multiplier) {
  const harness = (timeout === 'long' ? 60_000 : 10_000) * multiplier;
  return harness + 30_000;
}

const opts = parseArgs(process.argv.slice(2));
if (!existsSync(opts.root) || !statSync(opts.root).isDirectory()) fail(`--wpt-root ${opts.root} is not a directory`);
if (!existsSync(opts.chromium)) fail(`no Chromium at ${opts.chromium} (give --chromium <path> or set CHROME_BIN)`);
if (opts.polyfill && opts.build) ensureBuilt(opts);
if (opts.polyfill) {
  for (const f of builtFiles(opts)) {
    if (!existsSync(join(opts.polyfillDir, f))) fail(`${join(opts.polyfillDir, f)} is missing (npm run build)`);
  }
}

const { pages, notRun } = collectTests(opts.root, { includes: opts.includes, scopes: opts.scopes, devices: opts.devices });
console.log(`WPT root ${opts.root}${opts.ownRoot ? ' (the project\'s own tests)' : ''}; include ${opts.includes.join(', ')}; `
  + `${opts.backend ? `every context on ${opts.backend}; ` : ''}scopes ${opts.scopes.join(', ')}; variants ${opts.devices.join(', ')}; ${pages.length} pages, ${opts.jobs} at a time`);
if (pages.length === 0) {
  console.log(`no .any.js test under ${opts.includes.join(', ')} in ${opts.root}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

/**
 * A copy of the polyfill's files taken now, so that a rebuild of dist/ during the run (which empties it first) cannot
 * change or remove what the pages load.
 */
function snapshotPolyfill(dir) {
  const copy = mkdtempSync(join(tmpdir(), 'webnn-wpt-polyfill-'));
  for (const name of readdirSync(dir)) {
    if (builtFiles(opts).includes(name) || name.endsWith('.wasm')) copyFileSync(join(dir, name), join(copy, name));
  }
  return copy;
}

/**
 * The webgpu script entry (src/global-webgpu.ts) as a self-contained ES module for module workers, built as build.mjs
 * builds webnn-polyfill.esm.js.
 */
async function webgpuModule(dir) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(projectRoot, 'src', 'global-webgpu.ts')], outfile: join(dir, WEBGPU_FILES.module), bundle: true,
    format: 'esm', platform: 'browser', target: 'es2022', minify: true, legalComments: 'none', logLevel: 'warning',
    external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
  });
}

const polyfillCopy = opts.polyfill ? snapshotPolyfill(opts.polyfillDir) : null;
if (polyfillCopy && opts.backend === 'webgpu' && opts.scopes.includes('module-worker')) await webgpuModule(polyfillCopy);
const overrides = new Map([['/resources/testharnessreport.js', reportScript(opts)]]);
const notFound = new Set();
const server = await startServer({
  root: opts.root,
  fallbacks: fallbackFiles(),
  overrides,
  // Every context a test makes runs on the chosen backend (install()'s tfjsBackend), whatever its deviceType.
  polyfill: polyfillCopy
    ? { dir: polyfillCopy, ...polyfillFiles(opts), options: opts.backend ? { tfjsBackend: opts.backend } : null } : null,
  log: (line) => {
    if (line.startsWith('404 ')) notFound.add(line.slice(4));
    else console.error(line);
  },
});

const entries = [];
let done = 0;
const jobs = pages.map((page) => ({ ...page, timeoutMs: pageTimeoutMs(page.timeout, opts.timeoutMultiplier) }));
try {
  await runAll(jobs, {
    executablePath: opts.chromium,
    parallel: opts.jobs,
    origin: server.origin,
    onResult: (job, result) => {
      entries.push({ job, result });
      done++;
      const c = countPage(result);
      console.log(`[${String(done).padStart(String(jobs.length).length)}/${jobs.length}] ${result.status.padEnd(16)} `
        + `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}  ${job.url}  (${(result.durationMs / 1000).toFixed(1)} s)`);
    },
  });
} finally {
  await server.close();
  if (polyfillCopy) rmSync(polyfillCopy, { recursive: true, force: true });
}

console.log('');
printTable(entries, { verbose: opts.verbose });
for (const { file, globals } of notRun) {
  console.log(`not run: ${file} declares global=${globals.join(',') || '(none)'}, none of the chosen scopes`);
}
if (notFound.size) console.log(`\nrequested but not found: ${[...notFound].sort().join(', ')}`);

const totals = { passed: 0, failed: 0, skipped: 0 };
const perScope = {};
for (const { job, result } of entries) {
  const c = countPage(result);
  addCounts(totals, c);
  addCounts(perScope[job.scope] ??= { passed: 0, failed: 0, skipped: 0 }, c);
}

const expectations = readExpectations(opts.expectations);
const comparison = compare(entries, expectations);
printComparison(comparison, existsSync(opts.expectations) ? opts.expectations : `${opts.expectations} (absent: everything is expected to pass)`);
if (opts.updateExpectations) {
  writeExpectations(opts.expectations, entries, expectations,
    'Expected results of `npm run wpt` for this WPT root: only pages whose harness is not OK and subtests that do not PASS are listed. Regenerate with --update-expectations.');
  console.log(`wrote ${opts.expectations}`);
}

const durationMs = performance.now() - started;
if (opts.json) {
  const report = {
    run_info: {
      wpt_root: opts.root, includes: opts.includes, scopes: opts.scopes, variants: opts.devices, jobs: opts.jobs,
      timeout_multiplier: opts.timeoutMultiplier, polyfill: opts.polyfill ? opts.polyfillDir : null, backend: opts.backend,
      chromium: opts.chromium,
    },
    duration_ms: Math.round(durationMs),
    totals, per_scope: perScope,
    results: entries.map(({ job, result }) => ({
      test: job.url, file: job.file, scope: job.scope, variant: job.variant, status: result.status,
      message: result.message ?? null, duration_ms: Math.round(result.durationMs),
      subtests: result.subtests.map((s) => ({ name: s.name, status: s.status, message: s.message })),
      console: result.console,
    })).sort((a, b) => a.test.localeCompare(b.test)),
    not_run: notRun,
    expectations: existsSync(opts.expectations) ? opts.expectations : null,
    comparison,
  };
  writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${opts.json}`);
}

console.log('');
for (const [scope, c] of Object.entries(perScope)) {
  console.log(`  ${scope.padEnd(13)} ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`);
}
console.log(`WPT run took ${(durationMs / 1000).toFixed(1)} s (${basename(opts.root)}: ${entries.length} pages)`);
const unexpected = comparison.regressions.length + comparison.changed.length;
process.exitCode = unexpected > 0 ? 1 : 0;
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
