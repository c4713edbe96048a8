/**
 * install()'s `tfjsBackend`: every context whose options name no backend runs on that one, whatever its deviceType,
 * powerPreference or accelerated say (the WPT runner's --backend puts every test's context on one backend this way).
 */
import { installNow } from '../../src/install.js';
import { setInstalledBackend } from '../../src/runtime/select.js';
import { addGraph, backendOf, ml, readFloat32 } from './api-util.js';

describe('install({ tfjsBackend })', () => {
  after(() => setInstalledBackend(undefined));

  it('puts every context whose options name no backend on it, and computes there', async () => {
    installNow({ tfjsBackend: 'cpu' });
    const cases = [{}, { deviceType: 'cpu' }, { deviceType: 'gpu' }, { powerPreference: 'low-power' }, { accelerated: false },
      { powerPreference: 'high-performance' }];
    for (const options of cases) {
      const context = await ml().createContext(options as never);
      if (backendOf(context) !== 'cpu') throw new Error(`${JSON.stringify(options)}: ${backendOf(context)}, expected cpu`);
      const { graph, x, y, out } = await addGraph(context, 3);
      context.writeTensor(x, new Float32Array([1, 2.5, -4]));
      context.writeTensor(y, new Float32Array([0.25, -2.5, 8]));
      context.dispatch(graph, { x, y }, { out });
      const sums = await readFloat32(context, out);
      if (sums.join() !== [1.25, 0, 4].join()) throw new Error(`${JSON.stringify(options)}: ${sums}`);
      context.destroy();
    }
    const named = await ml().createContext({ tfjsBackend: 'wasm' });
    if (backendOf(named) !== 'wasm') throw new Error(`tfjsBackend 'wasm': ${backendOf(named)}`);
    named.destroy();
  });

  it('rejects a name that is no TF.js backend with a TypeError, before it changes anything', async () => {
    installNow({ tfjsBackend: 'cpu' });
    let thrown: unknown;
    try {
      installNow({ tfjsBackend: 'tpu' as never });
    } catch (error) {
      thrown = error;
    }
    if (!(thrown instanceof TypeError) || !/tpu/.test(thrown.message)) throw new Error(`threw ${String(thrown)}`);
    const context = await ml().createContext({ deviceType: 'gpu' });
    if (backendOf(context) !== 'cpu') throw new Error(`deviceType 'gpu' after the refusal: ${backendOf(context)}`);
    context.destroy();
  });
});
