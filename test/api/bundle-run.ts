/**
 * Node-only helper of the bundled-app test: bundles an app's source with esbuild inside a packed project, serves the
 * bundle (and, when asked, the package's .wasm files under /wasm/), opens it in headless Chromium and returns what the
 * app leaves in `window.result`. The browser bundle uses bundle-run.browser.ts instead.
 */
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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

export async function runBundledApp(projectDir: string, name: string, source: string, withWasmFiles: boolean):
  Promise<Record<string, unknown>> {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const out = join(projectDir, name);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(projectDir, `${name}.js`), source);
  await esbuild.build({
    entryPoints: [join(projectDir, `${name}.js`)], bundle: true, format: 'esm', outfile: join(out, 'app.js'), platform: 'browser',
    logLevel: 'error', external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
  });
  writeFileSync(join(out, 'index.html'), '<!doctype html><script type="module" src="/app.js"></script>');
  if (withWasmFiles) {
    const dist = join(projectDir, 'node_modules', 'webnn-tfjs-polyfill', 'dist');
    mkdirSync(join(out, 'wasm'), { recursive: true });
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(dist, file), join(out, 'wasm', file));
  }
  const { server, url } = await serve(out);
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
