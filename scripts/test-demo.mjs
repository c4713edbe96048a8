// The demo's test (a step of npm test): serves the demo as `npm start` does (dist/ must be built), opens it in
// headless Chromium on the polyfill's wasm backend, waits for both providers' results and checks them: the sample
// image's four lines read on the WebNN provider, and the same boxes and text on ORT's wasm one. Saves a screenshot
// to .cache/demo/demo.png. Prints "demo: N passed, N failed". Options: --backend <name> (wasm by default).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import FLAGS from './chromium-flags.cjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const backendAt = process.argv.indexOf('--backend');
const backend = backendAt > 0 ? process.argv[backendAt + 1] : 'wasm';
const executablePath = process.env.CHROME_BIN ?? '/usr/bin/chromium';

/** What the sample image says, line by line (the recognizer reads the F of "TF.js" in that font as an E). */
const EXPECTED = ['WebNN everywhere', /^ONNX Runtime Web on T[EF]\.js$/, 'Read this text 2026', 'no server needed'];

function startServer() {
  const server = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), '--no-build'],
    { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = new Promise((resolveUrl, reject) => {
    server.stdout.on('data', (chunk) => {
      const match = /http:\/\/\S+/.exec(String(chunk));
      if (match) resolveUrl(match[0]);
    });
    server.once('exit', (code) => reject(new Error(`the demo server exited (${code})`)));
  });
  return { server, url };
}

const failures = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
};

const { server, url } = startServer();
let browser;
try {
  browser = await chromium.launch({ executablePath, headless: true, args: FLAGS, timeout: 60_000 });
  const page = await browser.newPage({ viewport: { width: 1000, height: 940 } });
  page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
  await page.goto(`${await url}?backend=${backend}&runs=1`);
  // Session creation and a few runs of two models; a loaded machine is several times slower.
  const handle = await page.waitForFunction(() => window.demoResult, null, { timeout: 15 * 60_000, polling: 500 });
  const result = await handle.jsonValue();
  mkdirSync(join(root, '.cache', 'demo'), { recursive: true });
  const screenshot = join(root, '.cache', 'demo', 'demo.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
  check(!result.error, `the demo failed: ${result.error}`);
  if (!result.error) {
    const { webnn, wasm } = result;
    const texts = webnn.lines.map((line) => line.text);
    console.log(`${backend}: ${texts.map((t) => JSON.stringify(t)).join(', ')}; WebNN EP first run ${webnn.firstMs.toFixed(0)} ms, ` +
      `median ${webnn.medianMs.toFixed(0)} ms; ORT wasm EP ${wasm.firstMs.toFixed(0)} / ${wasm.medianMs.toFixed(0)} ms`);
    check(texts.length === EXPECTED.length, `${texts.length} lines read, expected ${EXPECTED.length}`);
    EXPECTED.forEach((want, i) => check(typeof want === 'string' ? texts[i] === want : want.test(texts[i] ?? ''),
      `line ${i + 1}: read ${JSON.stringify(texts[i])}, expected ${want}`));
    check(webnn.lines.every((line) => line.confidence > 0.9), 'a line read with confidence 0.9 or less');
    check(JSON.stringify(wasm.lines.map((l) => [l.text, l.box.x0, l.box.y0, l.box.x1, l.box.y1])) ===
      JSON.stringify(webnn.lines.map((l) => [l.text, l.box.x0, l.box.y0, l.box.x1, l.box.y1])),
    'the WebNN and wasm providers found different boxes or text');
  }
} catch (error) {
  failures.push(String(error?.stack ?? error));
} finally {
  await browser?.close();
  server.kill();
}
for (const failure of failures) console.error(`FAIL ${failure}`);
console.log(`demo: ${failures.length ? 0 : 1} passed, ${failures.length ? 1 : 0} failed`);
process.exitCode = failures.length ? 1 : 0;
