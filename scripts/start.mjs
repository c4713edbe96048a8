// npm start: builds dist/ and serves the demo (examples/index.html) and the builder example (examples/builder.html). Pages are cross-origin isolated (COOP/COEP) so the wasm
// backend may use threads.
import { execFileSync } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const port = Number(process.env.PORT ?? 8080);

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** URL path prefix -> directory served under it. Nothing outside these directories is reachable. */
const MOUNTS = [
  ['/dist/', join(root, 'dist')],
  // ONNX Runtime Web and the demo's models: devDependencies, served from node_modules, nothing downloaded.
  ['/ort/', join(root, 'node_modules', 'onnxruntime-web', 'dist')],
  ['/models/', join(root, 'node_modules', '@gutenye', 'ocr-models', 'assets')],
  ['/', join(root, 'examples')],
];

function fileFor(urlPath) {
  for (const [prefix, dir] of MOUNTS) {
    if (!urlPath.startsWith(prefix)) continue;
    let relative = urlPath.slice(prefix.length);
    if (relative === '' || relative.endsWith('/')) relative += 'index.html';
    const file = normalize(join(dir, relative));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

function statOrNull(file) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

const server = createServer((request, response) => {
  const headers = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
  let urlPath;
  try {
    urlPath = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    urlPath = null;
  }
  const file = urlPath && fileFor(urlPath);
  const stats = file ? statOrNull(file) : null;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  if (!stats?.isFile()) {
    response.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  response.writeHead(200, {
    ...headers,
    'Content-Type': MIME_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': stats.size,
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).pipe(response);
});

server.on('error', (error) => {
  console.error(error.code === 'EADDRINUSE' ? `port ${port} is in use: set PORT to another one` : error);
  process.exit(1);
});
server.listen(port, 'localhost', () => {
  // PORT=0 picks a free port: the line says which.
  console.log(`WebNN polyfill demo: http://localhost:${server.address().port}/`);
});
