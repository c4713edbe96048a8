/**
 * WebGL context loss (here WEBGL_lose_context.loseContext() on TF.js's own WebGL context, as a GPU reset does it): every
 * context on the webgl backend is lost, with a message; the work queued on them rejects with the spec's errors instead
 * of hanging; contexts on other backends go on; new contexts get a fresh webgl backend, without a reload.
 * The polyfill runs in an iframe, with its own TF.js: the rest of the suite keeps its webgl contexts.
 */
import { assertThrows, BACKENDS } from '../util/harness.js';
import { later, within } from '../api/fault-util.js';
import { loadFrame, SCRIPT } from './script-tag-util.js';
import type { ContextLike, PolyfillScope } from './conv-add-relu.js';
import { FRAME_SUMS, frameSums } from './frame-sums.js';

type LosableContext = ContextLike & { readonly lost: Promise<{ message: string }> };
type Frame = PolyfillScope & { webglContexts: WebGL2RenderingContext[]; frameElement: Element | null };

/** Records every WebGL2 context the page makes (TF.js's among them), before the polyfill loads. */
const RECORD_WEBGL = `<script>
  window.webglContexts = [];
  for (const Canvas of [HTMLCanvasElement, OffscreenCanvas]) {
    const getContext = Canvas.prototype.getContext;
    Canvas.prototype.getContext = function (type, ...rest) {
      const context = getContext.call(this, type, ...rest);
      if (context && type === 'webgl2') window.webglContexts.push(context);
      return context;
    };
  }
</script>`;

/** The WebGL2 context TF.js computes with: the only one not lost (the polyfill gives its probe's back at once). */
function tfjsWebgl(frame: Frame): WebGL2RenderingContext {
  const live = frame.webglContexts.filter((gl) => !gl.isContextLost());
  if (live.length !== 1) throw new Error(`${live.length} live WebGL2 contexts in the frame, expected TF.js's alone`);
  return live[0]!;
}

(BACKENDS.includes('webgl') ? describe : describe.skip)('WebGL context loss [webgl]', () => {
  let frame: Frame;
  const create = (options: object) => frame.navigator.ml.createContext(options) as Promise<LosableContext>;
  before(async () => {
    frame = await loadFrame(`${RECORD_WEBGL}<script src="${SCRIPT}"></script>`) as Frame;
  });
  after(() => frame?.frameElement?.remove());

  it('loses every webgl context; queued work rejects; other backends go on; new contexts start afresh', async () => {
    const first = await create({ tfjsBackend: 'webgl' });
    const second = await create({ tfjsBackend: 'webgl' });
    const onCpu = await create({ tfjsBackend: 'cpu' });
    if (await frameSums(frame, first) !== FRAME_SUMS) throw new Error('the webgl context does not compute before the loss');
    const gl = tfjsWebgl(frame);
    // Queued just before the loss: a read that can no longer finish, a tensor that can no longer be made.
    const out = await second.createTensor({ dataType: 'float32', shape: [4], readable: true, writable: true });
    second.writeTensor(out, new frame.Float32Array([1, 2, 3, 4]));
    const pendingRead = later(second.readTensor(out));
    const pendingCreate = later(second.createTensor({ dataType: 'float32', shape: [2], readable: true }));
    gl.getExtension('WEBGL_lose_context')!.loseContext();
    const infos = await within(Promise.all([first.lost, second.lost]), 10_000, 'lost of the webgl contexts');
    for (const info of infos) if (!/WebGL context .* was lost/.test(info.message)) throw new Error(`lost message: ${info.message}`);
    await assertThrows(() => within(pendingRead, 5000, 'a read queued before the loss'), 'InvalidStateError');
    await assertThrows(() => within(pendingCreate, 5000, 'a createTensor() queued before the loss'), 'InvalidStateError');
    await assertThrows(() => second.createTensor({ dataType: 'float32', shape: [1] }), 'InvalidStateError');
    await assertThrows(() => second.readTensor(out), 'TypeError', 'destroyed');
    if (await within(frameSums(frame, onCpu), 5000, 'a cpu context after the loss') !== FRAME_SUMS) throw new Error('cpu sums');

    const fresh = await within(create({ tfjsBackend: 'webgl' }), 10_000, 'createContext() on webgl after the loss');
    if (await within(frameSums(frame, fresh), 10_000, 'a new webgl context') !== FRAME_SUMS) throw new Error('new webgl sums');
    if (tfjsWebgl(frame) === gl) throw new Error('the new context computes with the lost WebGL context');
    const preferred = await within(create({ powerPreference: 'high-performance' }), 10_000, 'createContext()');
    if (await within(frameSums(frame, preferred), 10_000, 'a high-performance context') !== FRAME_SUMS) throw new Error('sums');
    for (const ctx of [onCpu, fresh, preferred]) ctx.destroy();
  });
});
