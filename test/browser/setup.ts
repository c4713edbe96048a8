/**
 * First module of the browser test bundle: installs the polyfill with the .wasm files served beside the script
 * bundle, and takes the backends to test from the karma configuration.
 */
import { installNow } from '../../src/index.js';

interface KarmaGlobal {
  __karma__?: { config?: { webnn?: { backends?: string; dynamicShapes?: boolean } } };
  WEBNN_TEST_BACKENDS?: string;
  WEBNN_TEST_DYNAMIC_SHAPES?: boolean;
}

const g = globalThis as KarmaGlobal;
const backends = g.__karma__?.config?.webnn?.backends;
if (backends) g.WEBNN_TEST_BACKENDS = backends;
// Read by the test harness (test/util/harness.ts) when it installs the polyfill.
if (g.__karma__?.config?.webnn?.dynamicShapes) g.WEBNN_TEST_DYNAMIC_SHAPES = true;

installNow({ wasmPaths: new URL('/base/dist/', location.href).href });
