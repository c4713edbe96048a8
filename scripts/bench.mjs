// npm run bench: the polyfill's speed as a ratio to the same computation written directly in TF.js, on the same
// backend in the same process. A ratio of 1.00x means the polyfill adds nothing; timings alone mean little across
// machines, ratios travel better. Options: --no-build, --backends=cpu,wasm, --quick.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const backends = (option('backends') ?? 'cpu,wasm').split(',');
const quick = args.includes('--quick');

if (!args.includes('--no-build')) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}

const polyfill = await import(pathToFileURL(join(root, 'dist', 'esm', 'index.js')).href);
// The same tfjs-core module the polyfill imports, so both share one engine and one set of backends.
const tf = await import('@tensorflow/tfjs-core');
const { cases } = await import('../bench/cases.mjs');
const { formatTable, measureCase } = await import('../bench/measure.mjs');

const ml = polyfill.installNow();
const timing = quick ? { warmupMs: 200, measureMs: 300, minRuns: 5 } : {};
const rows = [];
for (const backend of backends) {
  for (const benchCase of cases) {
    process.stderr.write(`${backend}: ${benchCase.name}\n`);
    try {
      rows.push(await measureCase({ tf, ml, backend, benchCase, ...timing }));
    } catch (error) {
      rows.push({ backend, name: benchCase.name, skipped: `error: ${error?.message ?? error}` });
    }
  }
}

console.log(`\nNode ${process.version}, TF.js ${tf.version_core}; medians of interleaved runs, each run = upload input + compute + download output`);
console.log(formatTable(rows));
console.log('ratio = polyfill ms / TF.js ms (lower is better); tensors = tf.memory().numTensors around the timed runs');
