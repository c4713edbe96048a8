/**
 * Node-only helpers of the bundled-app tests: bundles an app's source with esbuild inside a packed project, serves the
 * bundle (and, when asked, the package's .wasm files), opens it in headless Chromium and returns what the app leaves
 * in `window.result`. The browser bundle uses bundle-run.browser.ts instead.
 */
import {
  copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize, sep } from 'node:path';

const require = createRequire(import.meta.url);
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };

function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = normalize(join(dir, path === '/' ? 'index.html' : path.slice(1)));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    resolve({ server, url: `http://127.0.0.1:${address.port}/` });
  }));
}

/** Bundles `source` as an app of the project with esbuild (minified when asked) into `<name>/app.js`; returns the bundle. */
export async function bundleApp(projectDir: string, name: string, source: string, minify = false): Promise<string> {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const out = join(projectDir, name);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(projectDir, `${name}.js`), source);
  await esbuild.build({
    entryPoints: [join(projectDir, `${name}.js`)], bundle: true, format: 'esm', outfile: join(out, 'app.js'), platform: 'browser',
    logLevel: 'error', minify, external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
  });
  return readFileSync(join(out, 'app.js'), 'utf8');
}

/** Where runBundledApp puts the package's .wasm files: nowhere, under /wasm/, or beside the bundle (app.js). */
export type WasmFilesPlace = 'none' | 'wasm-directory' | 'beside-bundle';

export async function runBundledApp(projectDir: string, name: string, source: string, wasmFiles: WasmFilesPlace):
  Promise<Record<string, unknown>> {
  await bundleApp(projectDir, name, source);
  const out = join(projectDir, name);
  writeFileSync(join(out, 'index.html'), '<!doctype html><script type="module" src="/app.js"></script>');
  if (wasmFiles !== 'none') {
    const dist = join(projectDir, 'node_modules', 'webnn-tfjs-polyfill', 'dist');
    const target = wasmFiles === 'wasm-directory' ? join(out, 'wasm') : out;
    mkdirSync(target, { recursive: true });
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(dist, file), join(target, file));
  }
  return runPage(out);
}

/** Serves `dir`, opens its index.html in headless Chromium and returns what the page leaves in `window.result`. */
export async function runPage(dir: string): Promise<Record<string, unknown>> {
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const { server, url } = await serve(dir);
  const browser = await chromium.launch({
    executablePath: process.env['CHROME_BIN'] ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const handle = await page.waitForFunction(() => (window as unknown as { result?: unknown }).result, null, { timeout: 240_000 });
    return await handle.jsonValue() as Record<string, unknown>;
  } finally {
    await browser.close();
    server.close();
  }
}
