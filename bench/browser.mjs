// The Chromium half of `npm run bench`: bundles bench/browser-entry.mjs, serves it from a cross-origin isolated
// page, runs it in headless Chromium (software WebGL through SwiftShader) and returns the rows the page posts back.
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { build } from 'esbuild';
import chromiumFlags from '../scripts/chromium-flags.cjs';

const MIME_TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' };
const CHROMIUM_FLAGS = ['--headless', ...chromiumFlags];

/** The page: classic scripts (e.g. ONNX Runtime Web's ort.min.js) first, then the bundle as a module. */
const page = (scripts) => ['<!doctype html><meta charset="utf-8"><title>bench</title>',
  ...scripts.map((src) => `<script src="${src}"></script>`), '<script type="module" src="/bench/bench.js"></script>'].join('');

async function bundle(root, entry) {
  const outDir = join(root, '.cache', 'bench', entry.replace(/[/.]/g, '-'));
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(root, 'bench', entry)],
    outfile: join(outDir, 'bench.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
    external: ['fs', 'path', 'os', 'worker_threads', 'perf_hooks', 'crypto'],
  });
  return outDir;
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function serveFile(response, dir, relative, headers) {
  const file = normalize(join(dir, relative));
  let size = -1;
  try {
    if (file.startsWith(dir + sep)) size = statSync(file).size;
  } catch {
    size = -1;
  }
  if (size < 0) {
    response.writeHead(404, headers).end();
    return;
  }
  response.writeHead(200, { ...headers, 'Content-Type': MIME_TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': size });
  createReadStream(file).pipe(response);
}

/**
 * Resolves with `{ environment, rows }`, or rejects when the page fails or Chromium exits first. `entry` (below
 * bench/) is the page's code; `scripts` are classic scripts loaded before it; `modelPackages` are node_modules
 * directories served below /models/, and ONNX Runtime Web's dist/ is served below /ort/; `query` adds search
 * parameters to the page's URL.
 */
export async function runInChromium({ root, chromium, backends, quick, entry = 'browser-entry.mjs', scripts = [],
  modelPackages = [], query = {}, timeoutMs = 10 * 60_000 }) {
  const bundleDir = await bundle(root, entry);
  const distDir = join(root, 'dist');
  const modulesDir = join(root, 'node_modules');
  const ortDir = join(modulesDir, 'onnxruntime-web', 'dist');
  let settle;
  const outcome = new Promise((resolve, reject) => { settle = { resolve, reject }; });

  const server = createServer(async (request, response) => {
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin', 'Cache-Control': 'no-store',
    };
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'POST') {
      const message = JSON.parse(await readBody(request));
      response.writeHead(204, headers).end();
      if (path === '/progress') process.stderr.write(`chromium ${message.backend}: ${message.name}\n`);
      else if (message.error) settle.reject(new Error(`the benchmark page failed: ${message.error}`));
      else settle.resolve(message);
    } else if (path === '/') {
      response.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(page(scripts));
    } else if (path.startsWith('/dist/')) {
      serveFile(response, distDir, path.slice('/dist/'.length), headers);
    } else if (path.startsWith('/bench/')) {
      serveFile(response, bundleDir, path.slice('/bench/'.length), headers);
    } else if (path.startsWith('/ort/')) {
      serveFile(response, ortDir, path.slice('/ort/'.length), headers);
    } else if (path.startsWith('/models/') && modelPackages.some((dir) => path.startsWith(`/models/${dir}/`))) {
      serveFile(response, modulesDir, decodeURIComponent(path.slice('/models/'.length)), headers);
    } else {
      response.writeHead(404, headers).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${server.address().port}/`);
  url.searchParams.set('backends', backends.join(','));
  if (quick) url.searchParams.set('quick', '');
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);

  const profile = mkdtempSync(join(tmpdir(), 'webnn-bench-'));
  // In a process group of its own, so that its renderer, GPU and utility processes end with it.
  const browser = spawn(chromium, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, url.href],
    { stdio: 'ignore', detached: true });
  const exited = new Promise((resolve) => browser.once('exit', resolve));
  browser.on('exit', (code) => settle.reject(new Error(`chromium exited (${code}) before the benchmark finished`)));
  const timer = setTimeout(() => settle.reject(new Error('the benchmark page timed out')), timeoutMs);
  try {
    return await outcome;
  } finally {
    clearTimeout(timer);
    try {
      process.kill(-browser.pid, 'SIGKILL');
    } catch {
      browser.kill('SIGKILL');
    }
    await exited;
    server.closeAllConnections();
    server.close();
    // Chromium's child processes may go on writing to the profile for a while after the kill; a profile left in
    // the temporary directory must not cost the results.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
    } catch (error) {
      process.stderr.write(`could not remove ${profile}: ${error.message}\n`);
    }
  }
}
