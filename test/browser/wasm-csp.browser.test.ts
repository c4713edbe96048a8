/**
 * The wasm backend on a cross-origin-isolated page whose Content-Security-Policy, `script-src 'self'
 * 'wasm-unsafe-eval'`, blocks workers made from blob: URLs, as tfjs-backend-wasm's thread pool makes them: the context
 * must start, single-threaded, within a bounded time, with a console warning saying why, and compute.
 */
import { BACKENDS } from '../util/harness.js';
import { loadFrame, SCRIPT } from './script-tag-util.js';
import type { ContextLike, PolyfillScope } from './conv-add-relu.js';
import { within } from '../api/fault-util.js';

type Frame = PolyfillScope & { console: Console; crossOriginIsolated: boolean; frameElement: Element | null };

const CSP = "script-src 'self' 'wasm-unsafe-eval'";

/** a + b in the frame, read back. */
async function sums(frame: Frame, ctx: ContextLike): Promise<number[]> {
  const builder = new frame.MLGraphBuilder!(ctx) as unknown as {
    input(name: string, desc: object): object; add(a: object, b: object): object;
    build(outputs: Record<string, object>): Promise<object>;
  };
  const desc = { dataType: 'float32', shape: [4] };
  const graph = await builder.build({ out: builder.add(builder.input('a', desc), builder.input('b', desc)) });
  const [a, b, out] = await Promise.all([
    ctx.createTensor({ ...desc, writable: true }), ctx.createTensor({ ...desc, writable: true }),
    ctx.createTensor({ ...desc, readable: true }),
  ]);
  ctx.writeTensor(a, new frame.Float32Array([1, 2, 3, 4]));
  ctx.writeTensor(b, new frame.Float32Array([0.5, -4, 8, 16]));
  ctx.dispatch(graph, { a, b }, { out });
  return Array.from(new Float32Array(await ctx.readTensor(out)));
}

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
    const result = await within(sums(frame, ctx), 10_000, 'a + b');
    if (result.join() !== '1.5,-2,11,20') throw new Error(`a + b = ${result.join()}`);
    const why = warnings.find((w) => w.includes('single-threaded'));
    if (!why || !/blob: URL/.test(why)) throw new Error(`no warning saying why threads are off: ${JSON.stringify(warnings)}`);
    ctx.destroy();
  });
});
