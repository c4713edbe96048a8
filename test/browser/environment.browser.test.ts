/** What the browser run relies on: a WebGL2 context (SwiftShader in CI), and every TF.js backend starting. */
import { assertClose, runGraph } from '../util/harness.js';
import type { MLOperand } from '../../src/api/operand.js';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { tf, type BackendName } from '../../src/runtime/backends.js';

type Add = { add(a: MLOperand, b: MLOperand): MLOperand };

describe('browser environment', () => {
  it('has WebGL2', () => {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) throw new Error('no WebGL2 context: the webgl backend cannot run in this browser');
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) as string : gl.getParameter(gl.RENDERER) as string;
    console.warn(`WebGL2 renderer: ${renderer}; crossOriginIsolated: ${String(globalThis.crossOriginIsolated)}; ` +
      `hardwareConcurrency: ${navigator.hardwareConcurrency}`);
  });

  for (const backend of ['webgl', 'wasm', 'cpu'] as BackendName[]) {
    it(`createContext({tfjsBackend: '${backend}'}) gives a working context [${backend}]`, async () => {
      const result = await runGraph(backend, {
        a: { dataType: 'float32', shape: [3], data: [1, 2, 3] },
        b: { dataType: 'float32', shape: [3], data: [0.5, -4, 8] },
      }, (builder, { a, b }) => ({ out: (builder as unknown as Add).add(a!, b!) }));
      assertClose(result['out']!, { shape: [3], data: [1.5, -2, 11] });
      if (backend === 'wasm') {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
        console.warn(`tfjs-backend-wasm: SIMD ${String(simd)}, threads supported ${String(threads)}, pool of ${getThreadsCount()}`);
      }
    });
  }
});
