/**
 * The wasm backend on a cross-origin-isolated page whose Content-Security-Policy, `script-src 'self'
 * 'wasm-unsafe-eval'`, blocks workers made from blob: URLs, as tfjs-backend-wasm's thread pool makes them: the context
 * must start, single-threaded, within a bounded time, with a console warning saying why, and compute.
 */
import { BACKENDS } from '../util/harness.js';
import { loadFrame, SCRIPT } from './script-tag-util.js';
import type { PolyfillScope } from './conv-add-relu.js';
import { FRAME_SUMS, frameSums } from './frame-sums.js';
import { within } from '../api/fault-util.js';

type Frame = PolyfillScope & { console: Console; crossOriginIsolated: boolean; frameElement: Element | null };

const CSP = "script-src 'self' 'wasm-unsafe-eval'";

(BACKENDS.includes('wasm') ? describe : describe.skip)(`wasm under Content-Security-Policy: ${CSP} [wasm]`, () => {
  let frame: Frame;
  const warnings: string[] = [];
  before(async () => {
    frame = await loadFrame(`<meta http-equiv="Content-Security-Policy" content="${CSP}"><script src="${SCRIPT}"></script>`) as Frame;
    const warn = frame.console.warn.bind(frame.console);
    frame.console.warn = (...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
      warn(...args);
    };
  });
  after(() => frame?.frameElement?.remove());

  it('starts single-threaded within a bounded time, says why, and computes', async () => {
    if (!frame.crossOriginIsolated) throw new Error('the test page is not cross-origin isolated: threads would not be tried');
    const ctx = await within(frame.navigator.ml.createContext({ tfjsBackend: 'wasm' }), 30_000, "createContext({tfjsBackend: 'wasm'})");
    const result = await within(frameSums(frame, ctx), 10_000, 'a + b');
    if (result !== FRAME_SUMS) throw new Error(`a + b = ${result}`);
    const why = warnings.find((w) => w.includes('single-threaded'));
    if (!why || !/blob: URL/.test(why)) throw new Error(`no warning saying why threads are off: ${JSON.stringify(warnings)}`);
    ctx.destroy();
  });
});
