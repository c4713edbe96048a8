/**
 * Node-only helpers of the bundled-app tests: bundles an app's source with esbuild, vite or webpack inside a packed project,
 * serves the result (and, when asked, the package's .wasm files), opens it in headless Chromium and returns what the
 * app leaves in `window.result`. The browser bundle uses bundle-run.browser.ts instead.
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

/**
 * Builds a page whose module is `source` with vite (a production build, no configuration) in `<name>/`; returns the
 * directory of the built site and the names of the assets vite emitted.
 */
export async function buildWithVite(projectDir: string, name: string, source: string): Promise<{ dir: string; assets: string[] }> {
  const vite = await import('vite');
  const root = join(projectDir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
  writeFileSync(join(root, 'main.js'), source);
  const outDir = join(root, 'dist');
  await vite.build({ root, configFile: false, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return { dir: outDir, assets: readdirSync(join(outDir, 'assets')) };
}

/**
 * Bundles `source` with webpack (production mode, no configuration but the paths) into `<name>/dist/app.js` beside an
 * index.html that loads it as a classic script; returns the directory and the .wasm files webpack emitted.
 */
export async function buildWithWebpack(projectDir: string, name: string, source: string): Promise<{ dir: string; wasmFiles: string[] }> {
  const webpack = require('webpack') as typeof import('webpack');
  const root = join(projectDir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'main.js'), source);
  const outDir = join(root, 'dist');
  const stats = await new Promise<import('webpack').Stats | undefined>((resolve, reject) => {
    webpack({
      mode: 'production', context: root, entry: './main.js', output: { path: outDir, filename: 'app.js' },
      performance: { hints: false },
    }, (error, result) => (error ? reject(error) : resolve(result)));
  });
  if (!stats || stats.hasErrors()) throw new Error(`webpack failed:\n${stats?.toString({ all: false, errors: true })}`);
  writeFileSync(join(outDir, 'index.html'), '<!doctype html><script src="/app.js"></script>');
  const wasmFiles = Object.keys(stats.compilation.assets).filter((asset) => asset.endsWith('.wasm'));
  return { dir: outDir, wasmFiles };
}

/** Serves a page whose module is `source` with vite's dev server and returns what it leaves in `window.result`. */
export async function runWithViteDevServer(projectDir: string, name: string, source: string): Promise<Record<string, unknown>> {
  const vite = await import('vite');
  const root = join(projectDir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
  writeFileSync(join(root, 'main.js'), source);
  const server = await vite.createServer({ root, configFile: false, logLevel: 'error', server: { host: '127.0.0.1', port: 0 } });
  await server.listen();
  try {
    return await openPage(server.resolvedUrls!.local[0]!);
  } finally {
    await server.close();
  }
}

/** Serves `dir`, opens its index.html in headless Chromium and returns what the page leaves in `window.result`. */
export async function runPage(dir: string): Promise<Record<string, unknown>> {
  const { server, url } = await serve(dir);
  try {
    return await openPage(url);
  } finally {
    server.close();
  }
}

async function openPage(url: string): Promise<Record<string, unknown>> {
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
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
  }
}
