/**
 * First module of the browser test bundle: installs the polyfill with the .wasm files served beside the script
 * bundle, and takes the backends to test from the karma configuration.
 */
import { installNow } from '../../src/index.js';

interface KarmaGlobal {
  __karma__?: { config?: { webnn?: { backends?: string } } };
  WEBNN_TEST_BACKENDS?: string;
}

const g = globalThis as KarmaGlobal;
const backends = g.__karma__?.config?.webnn?.backends;
if (backends) g.WEBNN_TEST_BACKENDS = backends;

installNow({ wasmPaths: new URL('/base/dist/', location.href).href });
