/**
 * WebGL context loss (here WEBGL_lose_context.loseContext() on TF.js's own WebGL context, as a GPU reset does it): every
 * context on the webgl backend is lost, with a message; the work queued on them rejects with the spec's errors instead
 * of hanging; contexts on other backends go on; new contexts get a fresh webgl backend, without a reload.
 */
import { assertThrows, BACKENDS } from '../util/harness.js';
import { tf } from '../../src/runtime/backends.js';
import { addGraph, backendOf, ml, newContext } from '../api/api-util.js';
import { computeSums, later, SUMS, within } from '../api/fault-util.js';

/** The WebGL context the TF.js webgl backend computes with now. */
function tfjsWebgl(): WebGL2RenderingContext {
  const backend = tf.findBackend('webgl') as unknown as { gpgpu: { gl: WebGL2RenderingContext } };
  return backend.gpgpu.gl;
}

(BACKENDS.includes('webgl') ? describe : describe.skip)('WebGL context loss [webgl]', () => {
  it('loses every webgl context; queued work rejects; other backends go on; new contexts start afresh', async () => {
    const first = await newContext('webgl');
    const second = await newContext('webgl');
    const onCpu = await newContext('cpu');
    if ((await computeSums(first)).join() !== SUMS) throw new Error('the webgl context does not compute before the loss');
    const { graph, x, y, out } = await addGraph(second);
    const gl = tfjsWebgl();
    // Queued just before the loss: a write, a dispatch and a read that can no longer finish.
    second.writeTensor(x, new Float32Array([1, 2, 3, 4]));
    second.dispatch(graph, { x, y }, { out });
    const pendingRead = later(second.readTensor(out));
    const pendingCreate = later(second.createTensor({ dataType: 'float32', shape: [2], readable: true }));
    gl.getExtension('WEBGL_lose_context')!.loseContext();
    const [lostFirst, lostSecond] = await within(Promise.all([first.lost, second.lost]), 10_000, 'lost of the webgl contexts');
    for (const info of [lostFirst, lostSecond]) {
      if (!/WebGL context .* was lost/.test(info.message)) throw new Error(`lost message: ${info.message}`);
    }
    await assertThrows(() => within(pendingRead, 5000, 'a read queued before the loss'), 'InvalidStateError');
    await assertThrows(() => within(pendingCreate, 5000, 'a createTensor() queued before the loss'), 'InvalidStateError');
    await assertThrows(() => second.dispatch(graph, { x, y }, { out }), 'InvalidStateError');
    await assertThrows(() => second.createTensor({ dataType: 'float32', shape: [1] }), 'InvalidStateError');
    if ((await within(computeSums(onCpu), 5000, 'a cpu context after the loss')).join() !== SUMS) throw new Error('cpu sums');

    const fresh = await within(newContext('webgl'), 10_000, 'createContext() on webgl after the loss');
    if ((await within(computeSums(fresh), 10_000, 'a new webgl context')).join() !== SUMS) throw new Error('new webgl sums');
    if (tfjsWebgl() === gl || tfjsWebgl().isContextLost()) throw new Error('the new context does not have a fresh WebGL context');
    const preferred = await within(ml().createContext({ powerPreference: 'high-performance' }), 10_000, 'createContext()');
    if (backendOf(preferred) !== 'webgl') throw new Error(`a high-performance context is on ${backendOf(preferred)}`);
    if ((await within(computeSums(preferred), 10_000, 'a default context')).join() !== SUMS) throw new Error('sums');
    for (const ctx of [onCpu, fresh, preferred]) ctx.destroy();
  });
});
