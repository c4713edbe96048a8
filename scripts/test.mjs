// npm test: every check the project has, in one run. Each step runs even when an earlier one failed; the last line
// is the test total, `N passed, N failed`, and the exit code is non-zero when any step failed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const MINUTE = 60_000;

/** Runs a command with no stdin, echoing its output as it comes, and resolves with its exit code and output. */
function run(command, args, { env = process.env, timeoutMs = 5 * MINUTE } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const collect = (sink) => (chunk) => {
      output += chunk;
      sink.write(chunk);
    };
    child.stdout.on('data', collect(process.stdout));
    child.stderr.on('data', collect(process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The step's own children (browsers, workers) are in its process group.
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutMs);
    const finish = (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? 'timeout' : code, output, ms: Date.now() - started });
    };
    child.on('error', (error) => {
      output += String(error);
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? signal));
  });
}

const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');
const stripAnsi = (text) => text.replace(ANSI_ESCAPE, '');

function lastMatch(text, pattern) {
  const matches = [...stripAnsi(text).matchAll(pattern)];
  return matches.length ? matches[matches.length - 1] : null;
}

/** mocha's closing lines: "N passing (..)", "N failing", "N pending". */
function mochaCounts(output) {
  const passing = lastMatch(output, /^\s*(\d+) passing\b/gm);
  if (!passing) return null;
  const failing = lastMatch(output, /^\s*(\d+) failing\b/gm);
  const pending = lastMatch(output, /^\s*(\d+) pending\b/gm);
  return { passed: Number(passing[1]), failed: failing ? Number(failing[1]) : 0, pending: pending ? Number(pending[1]) : 0 };
}

/** scripts/test-browser.mjs closes with "browser: N passed, N failed". */
function browserCounts(output) {
  const m = lastMatch(output, /^browser: (\d+) passed, (\d+) failed/gm);
  return m ? { passed: Number(m[1]), failed: Number(m[2]), pending: 0 } : null;
}

/** scripts/test-demo.mjs closes with "demo: N passed, N failed". */
function demoCounts(output) {
  const m = lastMatch(output, /^demo: (\d+) passed, (\d+) failed/gm);
  return m ? { passed: Number(m[1]), failed: Number(m[2]), pending: 0 } : null;
}

/** wpt/run.mjs closes with "N passed, N failed[, N skipped]". */
function wptCounts(output) {
  const m = lastMatch(output, /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm);
  return m ? { passed: Number(m[1]), failed: Number(m[2]), pending: m[3] ? Number(m[3]) : 0 } : null;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function hasSudo() {
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
}

/** Debian's chromium runs the browser tests; install it when it is missing. Returns an error message or null. */
async function ensureChromium() {
  if (existsSync(CHROMIUM) || (process.env.CHROME_BIN && existsSync(process.env.CHROME_BIN))) return null;
  let prefix;
  if (isRoot()) prefix = [];
  // sudo drops the environment; env(1) passes DEBIAN_FRONTEND through it. -n: never wait for a password.
  else if (hasSudo()) prefix = ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive'];
  else return `${CHROMIUM} is missing and installing it needs root: run "apt-get install -y chromium" as root (or with sudo), then npm test again`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const aptOptions = { env, timeoutMs: 15 * MINUTE };
  const sh = (args) => (prefix.length
    ? run(prefix[0], [...prefix.slice(1), ...args], aptOptions)
    : run(args[0], args.slice(1), aptOptions));
  console.log(`${CHROMIUM} is missing: installing Debian's chromium`);
  const update = await sh(['apt-get', 'update']);
  if (update.code !== 0) return `apt-get update failed (exit ${update.code})`;
  const install = await sh(['apt-get', 'install', '-y', 'chromium']);
  if (install.code !== 0) return `apt-get install -y chromium failed (exit ${install.code})`;
  return existsSync(CHROMIUM) ? null : `apt-get installed chromium but ${CHROMIUM} is still missing`;
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const PACKAGE_TESTS = ['test/api/bundled-app.test.ts', 'test/api/package.test.ts', 'test/api/entries.test.ts'];
const OPS_TESTS = readdirSync('test/ops').filter((file) => file.endsWith('.test.ts')).sort().map((file) => `test/ops/${file}`);
/**
 * quietMs: about what the step takes on a quiet 2-core machine; the summary says which steps took more than twice
 * that. timeoutMs: when the step is given up as hung, far beyond what a loaded machine needs (the browser step took
 * 13 minutes beside two busy processes); together at most 124 minutes.
 */
const steps = [
  { name: 'typecheck', args: ['run', 'typecheck'], quietMs: 30_000, timeoutMs: 6 * MINUTE },
  { name: 'lint', args: ['run', 'lint'], quietMs: 30_000, timeoutMs: 6 * MINUTE },
  // The API reference (typedoc, into docs/api): a doc comment that links to nothing fails it.
  { name: 'docs', args: ['run', 'docs'], quietMs: 15_000, timeoutMs: 3 * MINUTE },
  // Also bundles a one-line app per entry to print what each weighs.
  { name: 'build', args: ['run', 'build'], quietMs: 20_000, timeoutMs: 4 * MINUTE },
  // The wasi-nn test programs (C, clang for wasm32-wasi: installed once when missing) and the browser tests' worker.
  {
    name: 'wasi programs', command: process.execPath, args: ['scripts/build-wasi-programs.mjs'], quietMs: 10_000,
    timeoutMs: 10 * MINUTE,
  },
  // The README's dynamic-shape example, on the package just built: it checks its results against plain JS.
  { name: 'example', command: process.execPath, args: ['examples/dynamic-shapes.mjs'], quietMs: 5_000, timeoutMs: 2 * MINUTE },
  // --forbid-only: a forgotten `.only` would quietly drop every other test.
  {
    name: 'test:node', args: ['run', 'test:node', '--', '--forbid-only'], counts: mochaCounts, quietMs: 60_000,
    timeoutMs: 10 * MINUTE,
  },
  // The same tests with the dynamic-shape proposal switched on: static graphs must behave exactly as without it. The
  // package's tests (the tarball, its entries, apps bundled from it) check the packaging, not the proposal: they run once.
  {
    name: 'node+dynamic', counts: mochaCounts, quietMs: 60_000,
    args: ['run', 'test:node', '--', '--forbid-only', '--ignore', 'test/browser/**',
      ...PACKAGE_TESTS.flatMap((file) => ['--ignore', file])],
    timeoutMs: 10 * MINUTE, env: { WEBNN_TEST_DYNAMIC_SHAPES: '1' },
  },
  {
    name: 'test:browser', args: ['run', 'test:browser'], counts: browserCounts, quietMs: 5 * MINUTE, timeoutMs: 25 * MINUTE,
    needsChromium: true,
  },
  // The operation suites again with webgpu as the only backend (SwiftShader's fallback adapter here), with the file
  // that loads the webgpu entry: what the default run above does for webgl, wasm and cpu.
  {
    name: 'test:browser:webgpu', counts: browserCounts, quietMs: 3 * MINUTE, timeoutMs: 12 * MINUTE, needsChromium: true,
    args: ['run', 'test:browser', '--', '--backends', 'webgpu', 'test/browser/webgpu.browser.test.ts', ...OPS_TESTS],
  },
  // npm start's demo in Chromium: two real models through ONNX Runtime Web's WebNN provider, the text they read checked.
  { name: 'demo', command: process.execPath, args: ['scripts/test-demo.mjs'], counts: demoCounts, quietMs: MINUTE, timeoutMs: 8 * MINUTE, needsChromium: true },
  // The project's own WPT-format tests (wpt/), through the WPT runner, in windows and in workers.
  { name: 'wpt', args: ['run', 'wpt'], counts: wptCounts, quietMs: 2 * MINUTE, timeoutMs: 14 * MINUTE, needsChromium: true },
  // The same with every context on webgpu (here SwiftShader's fallback adapter, which contexts otherwise pass over).
  {
    name: 'wpt:webgpu', args: ['run', 'wpt', '--', '--backend', 'webgpu'], counts: wptCounts, quietMs: 3 * MINUTE,
    timeoutMs: 14 * MINUTE, needsChromium: true,
  },
];

const env = { ...process.env, CHROME_BIN: process.env.CHROME_BIN ?? CHROMIUM };
const results = [];
const chromiumProblem = await ensureChromium();
if (chromiumProblem) console.error(`\nchromium: ${chromiumProblem}`);

for (const step of steps) {
  console.log(`\n=== ${step.name} ===`);
  if (step.needsChromium && chromiumProblem) {
    results.push({ step, ok: false, note: `not run: ${chromiumProblem}`, ms: 0, counts: null });
    continue;
  }
  const { code, output, ms } = await run(step.command ?? npm, step.args, { env: { ...env, ...step.env }, timeoutMs: step.timeoutMs });
  const counts = step.counts ? step.counts(output) : null;
  const ok = code === 0 && (!step.counts || (counts !== null && counts.failed === 0));
  let note = code === 0 ? '' : code === 'timeout' ? 'timed out' : `exit ${code}`;
  if (step.counts && !counts) note = `${note ? `${note}, ` : ''}no test totals found`;
  results.push({ step, ok, note, ms, counts });
}

let passed = 0;
let failed = 0;
const long = [];
console.log('\n=== summary ===');
for (const { step, ok, note: stepNote, ms, counts } of results) {
  let note = stepNote;
  let line = `${ok ? 'ok  ' : 'FAIL'}  ${step.name.padEnd(13)} ${(ms / 1000).toFixed(1).padStart(6)} s`;
  if (step.counts) {
    if (counts) {
      passed += counts.passed;
      failed += counts.failed;
      line += `  ${counts.passed} passed, ${counts.failed} failed${counts.pending ? `, ${counts.pending} pending` : ''}`;
    }
    // A test step that failed without reporting a failing test (crashed, timed out, never ran) counts as one failure,
    // so the total never reads "0 failed" for a run that did not pass.
    if (!ok && (!counts || counts.failed === 0)) failed += 1;
  }
  if (ms > 2 * step.quietMs) {
    long.push(step.name);
    note = `${note ? `${note}, ` : ''}ran long: ${(ms / step.quietMs).toFixed(1)}x its ${step.quietMs / 1000} s on a quiet machine`;
  }
  if (note) line += `  (${note})`;
  console.log(line);
}
if (long.length) console.log(`ran long (a loaded machine?): ${long.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
