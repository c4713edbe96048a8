/**
 * The script-tag bundle (dist/webnn-polyfill.js) as a page or a worker uses it: no configuration, the .wasm files
 * found beside the script, navigator.ml and the ML* interfaces installed; and its behaviour next to a native
 * navigator.ml that fails or works.
 */
import { assertClose, randomData, size, strides } from '../util/harness.js';
import { convAddReluInWorker, loadFrame, SCRIPT } from './script-tag-util.js';
import { runConvAddRelu, type ConvAddReluData, type PolyfillScope } from './conv-add-relu.js';
import type { BackendName } from '../../src/runtime/backends.js';

const X_SHAPE = [1, 2, 5, 5];
const W_SHAPE = [3, 2, 3, 3];
const B_SHAPE = [1, 3, 1, 1];
const Y_SHAPE = [1, 3, 5, 5];

/** Multiples of 1/16 in [-2, 2]: every product and sum of the convolution is exact in float32. */
const sixteenths = (count: number, seed: number) => randomData(count, seed, -2, 2).map((v) => Math.round(v * 16) / 16);

const DATA: ConvAddReluData = {
  x: sixteenths(size(X_SHAPE), 11), w: sixteenths(size(W_SHAPE), 12), b: sixteenths(size(B_SHAPE), 13),
  xShape: X_SHAPE, wShape: W_SHAPE, bShape: B_SHAPE,
};

/** float64 reference: NCHW conv2d (OIHW filter, stride 1, padding 1) + per-channel bias, then relu. */
function reference(d: ConvAddReluData): number[] {
  const [, c, h, w] = d.xShape as [number, number, number, number];
  const [o, , kh, kw] = d.wShape as [number, number, number, number];
  const xs = strides(d.xShape);
  const ws = strides(d.wShape);
  const out: number[] = [];
  for (let oc = 0; oc < o; oc++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let ic = 0; ic < c; ic++) {
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const iy = y + i - 1;
              const ix = x + j - 1;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              sum += d.x[ic * xs[1]! + iy * xs[2]! + ix]! * d.w[oc * ws[0]! + ic * ws[1]! + i * ws[2]! + j]!;
            }
          }
        }
        out.push(Math.max(0, sum + d.b[oc]!));
      }
    }
  }
  return out;
}

const EXPECTED = { shape: Y_SHAPE, data: reference(DATA) };
const BACKENDS: BackendName[] = ['webgl', 'wasm', 'cpu'];

describe('script tag: a page holding only <script src="dist/webnn-polyfill.js">', () => {
  let frame: PolyfillScope;
  before(async () => {
    frame = await loadFrame(`<script src="${SCRIPT}"></script>`);
  });
  after(() => frame?.frameElement?.remove());

  it('installs navigator.ml and the ML* interfaces on the page', () => {
    for (const name of ['ML', 'MLContext', 'MLGraph', 'MLGraphBuilder', 'MLOperand', 'MLTensor'] as const) {
      if (typeof frame[name] !== 'function') throw new Error(`${name} is not a global of the page`);
    }
    if (!(frame.navigator.ml instanceof frame.ML!)) throw new Error('navigator.ml is not the page\'s ML');
  });

  for (const backend of BACKENDS) {
    it(`conv2d + add + relu computes the float64 reference [${backend}]`, async () => {
      const result = await runConvAddRelu(frame, backend, DATA);
      assertClose({ dataType: 'float32', shape: result.shape, data: result.data }, EXPECTED);
    });
  }

  it('accepts typed arrays made in another realm (WebIDL buffer conversions do not depend on the realm)', async () => {
    // This page's Float32Array, not the frame's: what a page gets when it hands data to a polyfill in an iframe.
    const ctx = await frame.navigator.ml.createContext({ tfjsBackend: 'cpu' });
    const tensor = await ctx.createTensor({ dataType: 'float32', shape: [2], writable: true, readable: true });
    ctx.writeTensor(tensor, new Float32Array([1.5, -2]));
    const out = new Float32Array(2);
    await ctx.readTensor(tensor, out);
    assertClose({ dataType: 'float32', shape: [2], data: Array.from(out) }, { shape: [2], data: [1.5, -2] });
  });
});

describe('importScripts(dist/webnn-polyfill.js) in a dedicated worker', () => {
  for (const backend of ['wasm', 'cpu'] as BackendName[]) {
    it(`conv2d + add + relu computes the float64 reference [${backend}]`, async () => {
      const result = await convAddReluInWorker(backend, DATA);
      if (result.report.problems.length) throw new Error(result.report.problems.join('; '));
      assertClose({ dataType: 'float32', shape: result.shape, data: result.data }, EXPECTED);
    });
  }
});

describe('script tag next to a native navigator.ml', () => {
  /** Stands in for a browser's own WebNN: defined on Navigator.prototype, as a native one is. */
  const fakeNative = (createContext: string) => `<script>
    const fake = { createContext(options) { self.fakeCalls = (self.fakeCalls || 0) + 1; return ${createContext}; } };
    self.fakeML = fake;
    Object.defineProperty(Navigator.prototype, 'ml', { get() { return fake; }, configurable: true, enumerable: true });
  </script>`;

  describe('whose createContext() rejects (as Chromium\'s does without a WebNN backend)', () => {
    let frame: PolyfillScope;
    before(async () => {
      frame = await loadFrame(
        `${fakeNative('Promise.reject(new DOMException("WebNN is not supported on this platform", "NotSupportedError"))')}` +
        `<script src="${SCRIPT}"></script>`);
    });
    after(() => frame?.frameElement?.remove());

    it('answers createContext() made before the check finishes with a polyfill context', async () => {
      const ctx = await frame.navigator.ml.createContext({ tfjsBackend: 'cpu' });
      if (typeof frame.MLContext !== 'function' || !(ctx instanceof frame.MLContext)) {
        throw new Error('createContext() did not give a polyfill MLContext');
      }
    });

    it('replaces navigator.ml by the polyfill once installed', async () => {
      await frame.WebNNPolyfill!.whenInstalled;
      if (frame.navigator.ml === frame.fakeML) throw new Error('navigator.ml is still the failing native one');
      if (!(frame.navigator.ml instanceof frame.ML!)) throw new Error('navigator.ml is not the polyfill\'s ML');
    });

    for (const backend of BACKENDS) {
      it(`runs conv2d + add + relu on the polyfill [${backend}]`, async () => {
        await frame.WebNNPolyfill!.whenInstalled;
        const result = await runConvAddRelu(frame, backend, DATA);
        assertClose({ dataType: 'float32', shape: result.shape, data: result.data }, EXPECTED);
      });
    }
  });

  describe('whose createContext() works', () => {
    let frame: PolyfillScope;
    before(async () => {
      frame = await loadFrame(
        `${fakeNative('Promise.resolve({ fake: true, destroy() {} })')}` +
        '<script>self.MLGraphBuilder = function MLGraphBuilder() {}; self.nativeBuilder = self.MLGraphBuilder;</script>' +
        `<script src="${SCRIPT}"></script>`);
    });
    after(() => frame?.frameElement?.remove());

    it('routes createContext() made before the check finishes to the native API', async () => {
      const ctx = await frame.navigator.ml.createContext() as { fake?: boolean };
      if (ctx.fake !== true) throw new Error('createContext() did not reach the native navigator.ml');
    });

    it('leaves navigator.ml and the native interfaces in place', async () => {
      const installed = await frame.WebNNPolyfill!.whenInstalled;
      if (installed !== frame.fakeML) throw new Error('whenInstalled did not resolve with the native navigator.ml');
      if (frame.navigator.ml !== frame.fakeML) throw new Error('navigator.ml is not the native one');
      if (frame.MLGraphBuilder !== frame.nativeBuilder) throw new Error('the native MLGraphBuilder was replaced');
      const ctx = await frame.navigator.ml.createContext() as { fake?: boolean };
      if (ctx.fake !== true) throw new Error('createContext() did not reach the native navigator.ml');
    });
  });
});
