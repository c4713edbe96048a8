// npm run bench: the polyfill's speed as a ratio to the same computation written directly in TF.js, on the same
// backend in the same process: in Node (cpu, wasm) and, when /usr/bin/chromium (or CHROME_BIN) exists, in headless
// Chromium (webgl, wasm, cpu). A ratio of 1.00x means the polyfill adds nothing; absolute times say little across
// machines, ratios travel better.
// In Chromium it also runs ONNX models through ONNX Runtime Web's WebNN execution provider on the polyfill and
// through ORT's own wasm execution provider (bench/ort/), on the polyfill's wasm backend unless --ort-backends says
// otherwise (wasm, webgl).
//
//   npm run bench -- [--no-build] [--quick] [--node-only | --browser-only | --ort-only] [--no-ort]
//                    [--backends=cpu,wasm] [--ort-backends=wasm,webgl] [--ort-models=mobilenet,...] [--threads=N]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const requestedBackends = option('backends')?.split(',');
const quick = args.includes('--quick');
const chromium = process.env.CHROME_BIN ?? '/usr/bin/chromium';
const ortOnly = args.includes('--ort-only');
const inNode = !args.includes('--browser-only') && !ortOnly;
const inBrowser = !args.includes('--node-only') && !ortOnly && existsSync(chromium);
const withOrt = !args.includes('--node-only') && !args.includes('--no-ort') && existsSync(chromium);

if (!args.includes('--no-build')) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}

const { formatTable, measureCase } = await import('../bench/measure.mjs');
const legend = 'ratio = polyfill ms / TF.js ms (lower is better); one run = upload input + compute + download output; ' +
  'tensors = tf.memory().numTensors before/after the timed runs; after each case its graph, tensors and context are destroyed';
const tables = [];

if (inNode) {
  const polyfill = await import(pathToFileURL(join(root, 'dist', 'esm', 'index.js')).href);
  // The same tfjs-core module the polyfill imports, so both share one engine and one set of backends.
  const tf = await import('@tensorflow/tfjs-core');
  const { cases } = await import('../bench/cases.mjs');
  const ml = polyfill.installNow();
  const timing = quick ? { warmupMs: 200, measureMs: 300, minRuns: 5 } : {};
  const rows = [];
  const tensorsAtStart = tf.engine().state.numTensors; // tf.memory() needs an initialised backend
  for (const backend of requestedBackends ?? ['cpu', 'wasm']) {
    if (backend === 'webgl') continue;
    for (const benchCase of cases) {
      process.stderr.write(`node ${backend}: ${benchCase.name}\n`);
      try {
        const setDynamicShapes = (on) => polyfill.installNow({ dynamicShapes: on });
        rows.push(await measureCase({ tf, ml, backend, benchCase, setDynamicShapes, ...timing }));
      } catch (error) {
        rows.push({ backend, name: benchCase.name, skipped: `error: ${error?.message ?? error}` });
      }
    }
  }
  const left = `tf.memory().numTensors: ${tensorsAtStart} before the first case, ${tf.memory().numTensors} after the last`;
  tables.push(`Node ${process.version}, TF.js ${tf.version_core}\n${formatTable(rows)}\n${left}`);
}

if (inBrowser) {
  const { runInChromium } = await import('../bench/browser.mjs');
  try {
    const { environment, rows } = await runInChromium({
      root, chromium, backends: requestedBackends ?? ['webgl', 'wasm', 'cpu'], quick,
    });
    const browser = /(?:Headless)?Chrome\/[\d.]+/.exec(environment.userAgent)?.[0] ?? environment.userAgent;
    const left = `tf.memory().numTensors: ${environment.tensorsAtStart} before the first case, ${environment.tensorsAtEnd} after the last`;
    tables.push(`${browser}, TF.js ${environment.tfjs}, crossOriginIsolated: ${environment.crossOriginIsolated}\n` +
      `${formatTable(rows)}\n${left}`);
  } catch (error) {
    tables.push(`Chromium: ${error.message}`);
    process.exitCode = 1;
  }
} else if (!args.includes('--node-only') && !ortOnly) {
  tables.push(`Chromium: not run (${chromium} is missing)`);
}

let ortLegend = '';
if (withOrt) {
  const { runInChromium } = await import('../bench/browser.mjs');
  const { MODEL_PACKAGES } = await import('../bench/ort/packages.mjs');
  const { formatOrtTable, ORT_LEGEND } = await import('../bench/ort/table.mjs');
  const query = Object.fromEntries([['threads', option('threads')], ['models', option('ort-models')]]
    .filter(([, value]) => value !== undefined));
  try {
    const { environment, rows } = await runInChromium({
      root, chromium, backends: option('ort-backends')?.split(',') ?? ['wasm'], quick, entry: 'ort/entry.mjs',
      scripts: ['/ort/ort.min.js'], modelPackages: MODEL_PACKAGES, query,
    });
    const browser = /(?:Headless)?Chrome\/[\d.]+/.exec(environment.userAgent)?.[0] ?? environment.userAgent;
    tables.push(`ONNX Runtime Web ${environment.ort} in ${browser}, TF.js ${environment.tfjs}, ` +
      `crossOriginIsolated: ${environment.crossOriginIsolated}, threads: ${environment.threads} (polyfill wasm and ORT)\n` +
      formatOrtTable(rows));
    ortLegend = `\n${ORT_LEGEND}`;
  } catch (error) {
    tables.push(`ONNX Runtime Web: ${error.message}`);
    process.exitCode = 1;
  }
}

console.log(`\n${tables.join('\n\n')}\n\n${inNode || inBrowser ? legend : ''}${ortLegend}`);
