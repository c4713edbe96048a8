// The in-page half of the Chromium benchmark (bundled by bench/browser.mjs): runs every case on every backend and
// posts the rows back to the server that served the page.
/* global location, URLSearchParams */
import * as tf from '@tensorflow/tfjs-core';
import { installNow } from '../src/index.ts';
import { cases } from './cases.mjs';
import { measureCase } from './measure.mjs';

const params = new URLSearchParams(location.search);
const backends = (params.get('backends') ?? 'webgl,wasm,cpu').split(',');
const timing = params.has('quick') ? { warmupMs: 200, measureMs: 300, minRuns: 5 } : {};

const post = (path, body) => fetch(path, { method: 'POST', body: JSON.stringify(body) });

async function main() {
  const ml = installNow({ wasmPaths: new URL('/dist/', location.href).href });
  const rows = [];
  const tensorsAtStart = tf.engine().state.numTensors; // tf.memory() needs an initialised backend
  for (const backend of backends) {
    for (const benchCase of cases) {
      await post('/progress', { backend, name: benchCase.name });
      try {
        const setDynamicShapes = (on) => installNow({ dynamicShapes: on });
        rows.push(await measureCase({ tf, ml, backend, benchCase, setDynamicShapes, ...timing }));
      } catch (error) {
        rows.push({ backend, name: benchCase.name, skipped: `error: ${error?.message ?? error}` });
      }
    }
  }
  const environment = { userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated, tfjs: tf.version_core,
    tensorsAtStart, tensorsAtEnd: tf.memory().numTensors };
  await post('/results', { environment, rows });
}

main().catch((error) => post('/results', { error: String(error?.stack ?? error) }));
