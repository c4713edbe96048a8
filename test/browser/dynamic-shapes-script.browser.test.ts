/**
 * The dynamic-shape proposal switched on through the script tag's load-time options, `webnnPolyfillOptions`, in a page
 * and in a dedicated worker that loads the bundle with importScripts().
 */
import { loadFrame, SCRIPT } from './script-tag-util.js';

/**
 * Runs in the page or worker (as source text): one graph, y = x * 2 + [0, 1, ...] over x of shape ['n'], at n = 3 and
 * n = 5; reports whether the proposal is detected and what it computed.
 */
async function runDoubledPositions(scope: typeof globalThis): Promise<{ detected: boolean; shape: unknown; results: number[][] }> {
  /* eslint-disable @typescript-eslint/no-explicit-any -- the proposal's members, in another global */
  const g = scope as any;
  const ctx = await g.navigator.ml.createContext({ tfjsBackend: 'cpu' });
  const b = new g.MLGraphBuilder(ctx);
  const x = b.input('x', { dataType: 'float32', shape: ['n'] });
  const length = b.reshape(b.cast(b.shape(x), 'int32'), []);
  const positions = b.cast(b.range(b.constant('int32', 0), length, b.constant('int32', 1)), 'float32');
  const y = b.add(b.mul(x, b.constant('float32', 2)), positions);
  const graph = await b.build({ y });
  const results: number[][] = [];
  for (const n of [3, 5]) {
    const shapes = graph.computeShapes({ x: [n] });
    const xt = await ctx.createTensor({ dataType: 'float32', shape: [n], writable: true });
    const yt = await ctx.createTensor({ dataType: 'float32', shape: shapes.y, readable: true });
    ctx.writeTensor(xt, Float32Array.from({ length: n }, (_, i) => 10 * (i + 1)));
    ctx.dispatch(graph, { x: xt }, { y: yt });
    results.push(Array.from(new Float32Array(await ctx.readTensor(yt))));
  }
  return { detected: 'computeShapes' in g.MLGraph.prototype, shape: y.shape, results };
}

const EXPECTED = JSON.stringify({ detected: true, shape: ['n'], results: [[20, 41, 62], [20, 41, 62, 83, 104]] });

describe('dynamic shapes through the script tag', () => {
  it('webnnPolyfillOptions = { dynamicShapes: true } before <script> switches the proposal on', async () => {
    const frame = await loadFrame(`<script>webnnPolyfillOptions = { dynamicShapes: true };</script><script src="${SCRIPT}"></script>`);
    try {
      const got = JSON.stringify(await runDoubledPositions(frame as unknown as typeof globalThis));
      if (got !== EXPECTED) throw new Error(`got ${got}, expected ${EXPECTED}`);
    } finally {
      (frame as unknown as { frameElement: Element | null }).frameElement?.remove();
    }
  });

  it('works in a dedicated worker through importScripts()', async () => {
    const source = `self.webnnPolyfillOptions = { dynamicShapes: true };
      importScripts(${JSON.stringify(new URL(SCRIPT, location.href).href)});
      const run = ${runDoubledPositions.toString()};
      run(self).then((r) => postMessage({ r }), (e) => postMessage({ error: String(e) }));`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url);
    try {
      const message = await new Promise<{ r?: unknown; error?: string }>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<{ r?: unknown; error?: string }>) => resolve(event.data);
        worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
      });
      if (message.error !== undefined) throw new Error(`in the worker: ${message.error}`);
      const got = JSON.stringify(message.r);
      if (got !== EXPECTED) throw new Error(`got ${got}, expected ${EXPECTED}`);
    } finally {
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  });

  it('without the option, a page has the static API only', async () => {
    const frame = await loadFrame(`<script src="${SCRIPT}"></script>`);
    try {
      const g = frame as unknown as { MLGraph: { prototype: object }; MLGraphBuilder: { prototype: object } };
      if ('computeShapes' in g.MLGraph.prototype || 'reshapeDynamic' in g.MLGraphBuilder.prototype) {
        throw new Error('the proposal is on without the option');
      }
    } finally {
      (frame as unknown as { frameElement: Element | null }).frameElement?.remove();
    }
  });
});
