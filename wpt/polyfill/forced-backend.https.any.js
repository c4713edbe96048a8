// META: title=The polyfill's tfjsBackend install option (webnnPolyfillOptions) puts every context on one TF.js backend
// META: global=window,dedicatedworker

'use strict';

// Polyfill-specific: `npm run wpt -- --backend <name>` sets self.webnnPolyfillOptions = { tfjsBackend: <name> } before
// the polyfill's script loads, so that every context a test makes runs on that backend; without it, a context's
// options choose (deviceType 'cpu' and powerPreference 'low-power': wasm; otherwise webgl, which SwiftShader gives
// headless Chromium, in workers through OffscreenCanvas). WebNNPolyfill is the script's global (not in module workers).
const forced = self.webnnPolyfillOptions && self.webnnPolyfillOptions.tfjsBackend;
const cases = [
  [{}, 'webgl'], [{ deviceType: 'cpu' }, 'wasm'], [{ deviceType: 'gpu' }, 'webgl'], [{ powerPreference: 'low-power' }, 'wasm'],
];

for (const [options, chosen] of cases) {
  const expected = forced || chosen;
  promise_test(async () => {
    const context = await navigator.ml.createContext(options);
    assert_equals(self.WebNNPolyfill.tfjsBackendOf(context), expected);
    context.destroy();
  }, `createContext(${JSON.stringify(options)}) runs on ${expected}${forced ? ' (forced)' : ''}`);
}

promise_test(async () => {
  const context = await navigator.ml.createContext({ tfjsBackend: 'cpu' });
  assert_equals(self.WebNNPolyfill.tfjsBackendOf(context), 'cpu');
  context.destroy();
}, 'a context that names its backend runs on it, forced or not');
