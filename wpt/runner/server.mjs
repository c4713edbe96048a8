// Serves a WPT root on localhost the way wptserve serves .any.js tests: the test files as they are, plus the wrapper
// pages and worker scripts it generates for them (.any.html, .any.worker.html + .any.worker.js,
// .any.worker-module.html + .any.worker-module.js). Each wrapper loads the polyfill before the harness.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { parseMeta } from './manifest.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.idl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

/** Cross-origin isolation, so tfjs-backend-wasm may use its threaded build (SharedArrayBuffer). */
const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const WRAPPERS = [
  { suffix: '.any.html', kind: 'window' },
  { suffix: '.any.worker.html', kind: 'worker-page' },
  { suffix: '.any.worker.js', kind: 'worker-script' },
  { suffix: '.any.worker-module.html', kind: 'module-worker-page' },
  { suffix: '.any.worker-module.js', kind: 'module-worker-script' },
];

const globalObject = (isWindow) => `self.GLOBAL = {
  isWindow: function() { return ${isWindow}; },
  isWorker: function() { return ${!isWindow}; },
  isShadowRealm: function() { return false; },
};`;

const html = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const js = (text) => JSON.stringify(text);

/** The polyfill's script entry reads its install() options from self.webnnPolyfillOptions when it loads. */
const optionsLine = (polyfill) => (polyfill?.options ? `\nself.webnnPolyfillOptions = ${js(polyfill.options)};` : '');

function headOf(meta) {
  const lines = [];
  const title = meta.find((m) => m.key === 'title');
  if (title) lines.push(`<title>${html(title.value)}</title>`);
  if (meta.some((m) => m.key === 'timeout' && m.value === 'long')) lines.push('<meta name="timeout" content="long">');
  return lines.join('\n');
}

/** A META script path as an import() specifier: a plain relative path ('x.js') would read as a bare specifier. */
const moduleSpecifier = (path) => (/^(\/|\.\.?\/|[a-z][a-z0-9+.-]*:)/i.test(path) ? path : `./${path}`);

const metaScripts = (meta) => meta.filter((m) => m.key === 'script').map((m) => m.value);

/**
 * The generated files of one test. `polyfill` is { script, module } (URL paths) and `options` (the polyfill's
 * webnnPolyfillOptions, set before it loads, or null), or null to run without it (a native WebNN).
 */
function wrapper(kind, testName, meta, polyfill) {
  const scripts = metaScripts(meta);
  switch (kind) {
    case 'window':
      return `<!doctype html>
<meta charset=utf-8>
${headOf(meta)}
<script>
${globalObject(true)}${optionsLine(polyfill)}
</script>
${polyfill ? `<script src="${html(polyfill.script)}"></script>\n` : ''}<script src="/resources/testharness.js"></script>
<script src="/resources/testharnessreport.js"></script>
${scripts.map((s) => `<script src="${html(s)}"></script>`).join('\n')}
<div id=log></div>
<script src="${html(`${testName}.any.js`)}"></script>
`;
    case 'worker-page':
    case 'module-worker-page': {
      const module = kind === 'module-worker-page';
      const script = `${testName}${module ? '.any.worker-module.js' : '.any.worker.js'}`;
      return `<!doctype html>
<meta charset=utf-8>
${headOf(meta)}
<script src="/resources/testharness.js"></script>
<script src="/resources/testharnessreport.js"></script>
<div id=log></div>
<script>
fetch_tests_from_worker(new Worker(${js(script)} + location.search${module ? ', { type: "module" }' : ''}));
</script>
`;
    }
    case 'worker-script':
      return `${globalObject(false)}${optionsLine(polyfill)}
${polyfill ? `importScripts(${js(polyfill.script)});\n` : ''}importScripts("/resources/testharness.js");
${scripts.map((s) => `importScripts(${js(s)});`).join('\n')}
importScripts(${js(`${testName}.any.js`)});
done();
`;
    case 'module-worker-script':
      // As wptserve's module workers do, every script is an ES module, loaded in order; a script whose helpers
      // other scripts use must put them on the global object. Dynamic imports let self.GLOBAL be set first.
      return `${globalObject(false)}${optionsLine(polyfill)}
${polyfill ? `await import(${js(polyfill.module)});\n` : ''}await import("/resources/testharness.js");
${scripts.map((s) => `await import(${js(moduleSpecifier(s))});`).join('\n')}
await import(${js(`./${testName}.any.js`)});
done();
`;
    default:
      throw new Error(`unknown wrapper ${kind}`);
  }
}

function safeJoin(base, urlPath) {
  const full = normalize(join(base, urlPath));
  const prefix = base.endsWith(sep) ? base : base + sep;
  return full === base || full.startsWith(prefix) ? full : null;
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Starts the server. `root`: the WPT root. `fallbacks`: URL path → file, used when the root has no such file (the
 * harness files from npm, the IDL files). `overrides`: URL path → function returning [type, body], used before the
 * root (the runner's testharnessreport.js). `polyfill`: { dir, script, module, options } or null.
 */
export async function startServer({ root, fallbacks, overrides, polyfill, log = () => {} }) {
  const polyfillUrls = polyfill ? {
    script: `/_polyfill/${polyfill.script}`, module: `/_polyfill/${polyfill.module}`, options: polyfill.options ?? null,
  } : null;

  function resolveRequest(pathname) {
    if (overrides.has(pathname)) return overrides.get(pathname)();
    if (polyfill && pathname.startsWith('/_polyfill/')) {
      const file = safeJoin(polyfill.dir, pathname.slice('/_polyfill/'.length));
      return file && isFile(file) ? { file } : null;
    }
    for (const { suffix, kind } of WRAPPERS) {
      if (!pathname.endsWith(suffix)) continue;
      const base = pathname.slice(0, -suffix.length);
      const source = safeJoin(root, `${base}.any.js`);
      if (!source || !isFile(source)) break;
      const testName = base.slice(base.lastIndexOf('/') + 1);
      const body = wrapper(kind, testName, parseMeta(readFileSync(source, 'utf8')), polyfillUrls);
      return { type: TYPES[extname(suffix)], body };
    }
    const file = safeJoin(root, pathname);
    if (file && isFile(file)) return { file };
    const fallback = fallbacks.get(pathname);
    if (fallback && existsSync(fallback)) return { file: fallback };
    return null;
  }

  const server = createServer((request, response) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    } catch {
      response.writeHead(400, HEADERS).end();
      return;
    }
    let found;
    try {
      found = resolveRequest(pathname);
    } catch (error) {
      log(`server error for ${pathname}: ${error}`);
      response.writeHead(500, { ...HEADERS, 'Content-Type': TYPES['.txt'] }).end(String(error));
      return;
    }
    if (!found && pathname === '/favicon.ico') {
      // Browsers ask for it on their own; an empty answer keeps a 404 out of the pages' consoles.
      response.writeHead(204, HEADERS).end();
      return;
    }
    if (!found) {
      log(`404 ${pathname}`);
      response.writeHead(404, { ...HEADERS, 'Content-Type': TYPES['.txt'] }).end(`not found: ${pathname}`);
      return;
    }
    const body = found.file ? readFileSync(found.file) : found.body;
    const type = found.type ?? TYPES[extname(found.file ?? '')] ?? 'application/octet-stream';
    response.writeHead(200, { ...HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  // Loopback only. The pages use the name localhost, which browsers treat as a secure context.
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
